from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Curve operations are slow enough that the default 100 examples would dominate the suite.
settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
