"""Canonical JSON (spec §2.5): the one byte string that every hash and signature covers.

The canonical form of a JSON value is its RFC 8785 (JCS) serialisation restricted to
values without floating-point numbers: object keys sorted by code point, no insignificant
whitespace, strings as UTF-8 with only `"`, `\\` and control characters escaped (\\b \\f \\n \\r \\t,
others as \\u00xx), integers in plain decimal. Floats are refused: counts are integers and
fractions are strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vecha.errors import InvalidEncoding

__all__ = ["CanonicalText", "canonical_bytes", "parse_canonical"]

_MAX_INT = 2**63
_MAX_DEPTH = 32  #: no value deeper: the outermost is at depth 0


@dataclass(frozen=True)
class CanonicalText:
    """A JSON value kept as its canonical bytes, already checked to be canonical, and parsed
    only where it is needed (a mix's proof, read from the board and checked elsewhere)."""

    data: bytes

    def value(self) -> Any:
        return parse_canonical(self.data)


def _check(value: Any, depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
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


def _encode(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800"): not a character, no UTF-8
        raise InvalidEncoding("JSON text holds a lone surrogate (\\ud800-\\udfff), which is not a character") from None


def canonical_bytes(value: Any) -> bytes:
    _check(value)
    return _encode(value)


def _no_float(text: str) -> Any:
    raise InvalidEncoding("floating-point numbers are not allowed in the record")


def _bounded_int(text: str) -> int:
    # Checked before int(): Python refuses to convert over 4,300 digits, with a ValueError.
    if len(text.lstrip("-")) > 19 or abs(n := int(text)) >= _MAX_INT:
        raise InvalidEncoding("integer out of range")
    return n


def _check_depth(value: dict[str, Any] | list[Any]) -> None:
    """The depth limit, which is all that `_check` checks and the parser leaves open. Level
    by level, each in one comprehension: a ballot is 55 containers and 81 strings, and visiting
    each as `_check` does would cost a third of the parse."""
    level: list[Any] = [value]
    for _ in range(_MAX_DEPTH):
        level = [v for c in level for v in (c.values() if type(c) is dict else c) if type(v) is dict or type(v) is list]
        if not level:
            return
    if any(level):  # the containers at the deepest depth allowed must be empty
        raise InvalidEncoding("JSON nested too deeply")


def parse_canonical(data: bytes | str) -> Any:
    """Parse JSON that must already be in canonical form; anything else is rejected.

    Every line of a record passes here, so it is lean: the parser refuses floats and
    integers out of range as it meets them, and the one comparison with the canonical
    encoding of what was parsed catches everything else, duplicate keys included (the
    parsed object keeps one of them, so its encoding is shorter than the text)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        value = json.loads(raw.decode("utf-8"), parse_float=_no_float, parse_int=_bounded_int, parse_constant=_no_float)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise InvalidEncoding(f"malformed JSON: {e}") from None
    if isinstance(value, dict | list):
        _check_depth(value)
    if _encode(value) != raw:
        raise InvalidEncoding("JSON is not in canonical form")
    return value
