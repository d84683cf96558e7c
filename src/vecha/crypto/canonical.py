"""Canonical JSON (spec §2.5): the one byte string that every hash and signature covers.

The canonical form of a JSON value is its RFC 8785 (JCS) serialisation restricted to
values without floating-point numbers: object keys sorted by code point, no insignificant
whitespace, strings as UTF-8 with only `"`, `\\` and control characters escaped (\\b \\f \\n \\r \\t,
others as \\u00xx), integers in plain decimal. Floats are refused: counts are integers and
fractions are strings.
"""

from __future__ import annotations

import json
from typing import Any

from vecha.crypto.errors import InvalidEncoding

__all__ = ["canonical_bytes", "parse_canonical"]

_MAX_INT = 2**63


def _check(value: Any, depth: int = 0) -> None:
    if depth > 32:
        raise InvalidEncoding("JSON nested too deeply")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) >= _MAX_INT:
            raise InvalidEncoding("integer out of range")
        return
    if isinstance(value, float):
        raise InvalidEncoding("floating-point numbers are not allowed in the record")
    if isinstance(value, list | tuple):
        for v in value:
            _check(v, depth + 1)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise InvalidEncoding("object keys must be strings")
            _check(v, depth + 1)
        return
    raise InvalidEncoding(f"cannot encode {type(value).__name__} as JSON")


def canonical_bytes(value: Any) -> bytes:
    _check(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise InvalidEncoding(f"duplicate key {k!r}")
        out[k] = v
    return out


def _no_float(text: str) -> Any:
    raise InvalidEncoding("floating-point numbers are not allowed in the record")


def parse_canonical(data: bytes | str) -> Any:
    """Parse JSON that must already be in canonical form; anything else is rejected."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        value = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_float=_no_float, parse_constant=_no_float
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise InvalidEncoding(f"malformed JSON: {e}") from None
    if canonical_bytes(value) != raw:
        raise InvalidEncoding("JSON is not in canonical form")
    return value
