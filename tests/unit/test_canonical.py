from __future__ import annotations

import pytest

from vecha.crypto import InvalidEncoding
from vecha.crypto.canonical import canonical_bytes, parse_canonical


def test_canonical_form() -> None:
    assert canonical_bytes({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'
    assert canonical_bytes("é\u2028\t") == '"é\u2028\\t"'.encode()


@pytest.mark.parametrize("value", [1.5, {"a": float("nan")}, {1: 2}, 2**63, object()])
def test_refuses_what_has_no_canonical_form(value: object) -> None:
    with pytest.raises(InvalidEncoding):
        canonical_bytes(value)


@pytest.mark.parametrize(
    "text", ['{"a": 1}', '{"b":1,"a":2}', '{"a":1,"a":1}', "[1.0]", "[NaN]", "[01]", '"\\u0041"', "\xff", "[" * 100]
)
def test_parse_rejects_non_canonical(text: str) -> None:
    with pytest.raises(InvalidEncoding):
        parse_canonical(text.encode("utf-8", "surrogateescape") if text != "\xff" else b"\xff")
