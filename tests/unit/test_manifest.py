"""Election definitions: defaults, normal form, and clear errors."""

from __future__ import annotations

import copy

import pytest

from vecha.crypto import ElectionError
from vecha.election.manifest import parse_manifest
from vecha.testing.records import SMALL_DEFINITION


def test_normal_form_is_stable() -> None:
    m = parse_manifest(SMALL_DEFINITION)
    dumped = m.model_dump(mode="json")
    assert parse_manifest(dumped).model_dump(mode="json") == dumped
    assert dumped["questions"][0]["seats"]["threshold"] == "0"
    assert [o.label for o in m.questions[0].option_list] == [
        "North",
        "North / Ann",
        "North / Bob",
        "South",
        "South / Cat",
    ]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("questions", 0, "max"), 2, "at most one mark"),
        (("questions", 1, "max"), 3, "min <= max"),
        (("trustees", "threshold"), 4, "threshold"),
        (("id",), "Bad Id", "id"),
        (("questions", 0, "seats", "threshold"), 0.05, "never as floats"),
        (("questions", 0, "seats", "method"), "coin-toss", "seats.method"),
        (("questions", 0, "seats", "exempt"), ["Nowhere"], "exempt"),
        (("questions", 0, "kind"), "ranked", "kind"),
        (("surprise",), 1, "surprise"),
    ],
)
def test_invalid_definitions(path: tuple[object, ...], value: object, message: str) -> None:
    d = copy.deepcopy(SMALL_DEFINITION)
    target = d
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(ElectionError, match=message):
        parse_manifest(d)
