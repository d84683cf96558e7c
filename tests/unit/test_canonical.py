from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.errors import InvalidEncoding


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


def _definition(raw: bytes) -> object:
    """Canonical JSON by its definition, spelled out slowly: parse refusing duplicate keys,
    floats and constants; every value encodable (`canonical_bytes` checks integers and depth);
    and the text is that value's encoding."""

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        if len({k for k, _ in items}) != len(items):
            raise InvalidEncoding("duplicate key")
        return dict(items)

    def refuse(text: str) -> object:
        raise InvalidEncoding(text)

    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=pairs, parse_float=refuse, parse_constant=refuse)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InvalidEncoding(str(e)) from None
    if canonical_bytes(value) != raw:
        raise InvalidEncoding("not canonical")
    return value


def _outcome(parse: Callable[[bytes], object], raw: bytes) -> object:
    try:
        return ("parsed", parse(raw))
    except InvalidEncoding:
        return "refused"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)


def _texts(value: object) -> list[bytes]:
    """The value's canonical text and near misses: spaces, a duplicated key, a float."""
    try:
        canonical = canonical_bytes(value)
    except InvalidEncoding:
        canonical = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    texts = [canonical, json.dumps(value).encode(), canonical.replace(b"1", b"1.0", 1)]
    if canonical.startswith(b'{"'):
        key_end = canonical.index(b'":') + 2
        first = canonical[1 : canonical.index(b",") if b"," in canonical else -1]
        texts.append(b"{" + first + b"," + canonical[1:])
        texts.append(canonical[:key_end] + b" " + canonical[key_end:])
    return texts


@settings(max_examples=400)
@given(json_values)
def test_the_lean_parser_agrees_with_the_definition(value: object) -> None:
    for raw in _texts(value):
        assert _outcome(parse_canonical, raw) == _outcome(_definition, raw), raw


@pytest.mark.parametrize("depth", [30, 31, 32, 33])
@pytest.mark.parametrize("opener,leaf,closer", [("[", "1", "]"), ('{"a":', "[]", "}"), ("[", "", "]")])
def test_the_depth_limit_is_the_definitions(depth: int, opener: str, leaf: str, closer: str) -> None:
    raw = (opener * (depth + 1) + leaf + closer * (depth + 1)).encode()
    assert _outcome(parse_canonical, raw) == _outcome(_definition, raw)
    deepest = depth + 1 if leaf else depth  # the outermost value is at depth 0
    assert (_outcome(parse_canonical, raw) == "refused") == (deepest > 32)


@pytest.mark.parametrize("text", ["[9223372036854775808]", "[-9223372036854775808]", "[" + "9" * 5000 + "]"])
def test_integers_out_of_range_are_refused_before_conversion(text: str) -> None:
    with pytest.raises(InvalidEncoding, match="integer out of range"):
        parse_canonical(text.encode())
