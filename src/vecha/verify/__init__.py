"""The independent verifier: reads a record directory, trusts nothing else (spec §10)."""

from vecha.verify.checks import verify_record
from vecha.verify.report import Report

__all__ = ["verify_record", "Report"]
