"""The booth's JavaScript, run from the tests: in Node for the cross-language vectors, in
Chromium for the pages. Both need `scripts/setup` to have installed the booth's packages;
CI sets VECHA_REQUIRE_BOOTH so that they cannot silently skip there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BOOTH = Path(__file__).resolve().parents[2] / "booth"


def require(what: str, present: bool) -> None:
    if present:
        return
    if os.environ.get("VECHA_REQUIRE_BOOTH"):
        pytest.fail(f"VECHA_REQUIRE_BOOTH is set but {what} is missing (run scripts/setup)")
    pytest.skip(f"{what} is missing (run scripts/setup)")


@pytest.fixture(scope="session")
def node() -> str:
    exe = shutil.which("node")
    require("node", exe is not None)
    require("the booth's npm packages", (BOOTH / "node_modules" / "@noble" / "curves").is_dir())
    assert exe is not None
    return exe


JsCall = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="session")
def booth_dir() -> Path:
    return BOOTH


@pytest.fixture(scope="session")
def run_js(node: str) -> JsCall:
    """One request to booth/tools/vecha-js.mjs, which runs the booth's own crypto module."""
    return lambda request: _run_js(node, request)


def _run_js(node: str, request: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [node, str(BOOTH / "tools" / "vecha-js.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer
