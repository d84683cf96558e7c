"""Election definitions: defaults, normal form, and clear errors."""

from __future__ import annotations

import copy
from pathlib import Path

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


def test_errors_speak_the_organizers_words() -> None:
    """Not pydantic's path (`questions.0.list-pr.seats.seats`) nor its `Value error,` prefix."""
    d = copy.deepcopy(SMALL_DEFINITION)
    d["questions"][0]["seats"]["seats"] = 0
    with pytest.raises(ElectionError) as e:
        parse_manifest(d)
    assert "at question council: seats.seats:" in str(e.value) and "list-pr" not in str(e.value)
    d = copy.deepcopy(SMALL_DEFINITION)
    d["questions"][0]["lists"][0]["candidates"] = ["Ann", "Ann"]
    with pytest.raises(ElectionError) as e:
        parse_manifest(d)
    assert "lists[1].candidates: candidate names must be unique" in str(e.value) and "Value error" not in str(e.value)


def test_yaml_errors_name_the_line(tmp_path: Path) -> None:
    from vecha.cli.common import CliError, read_definition

    (tmp_path / "d.yaml").write_text("id: x\ntitle: ok\nquestions: [unclosed\n")
    with pytest.raises(CliError, match="at line 4, column 1"):
        read_definition(tmp_path / "d.yaml")


def test_a_rule_about_candidate_lists_names_the_list_that_fails_it() -> None:
    """The 2026 Coordination Council rule: at least 40% of each gender on every list."""
    d = copy.deepcopy(SMALL_DEFINITION)
    q = d["questions"][0]
    q["candidate_rules"] = [{"attribute": "gender", "values": ["f", "m"], "min_share": "40%"}]
    q["lists"][0]["attributes"] = {"Ann": {"gender": "f"}, "Bob": {"gender": "m"}}
    q["lists"][1]["attributes"] = {"Cat": {"gender": "f"}}
    with pytest.raises(
        ElectionError, match="list South has 0 of 1 candidates with gender m; the rule needs at least 40%"
    ):
        parse_manifest(d)
    q["lists"][1] |= {"candidates": ["Cat", "Dan"], "attributes": {"Cat": {"gender": "f"}, "Dan": {"gender": "m"}}}
    assert parse_manifest(d).questions[0].candidate_rules[0].min_share == "40%"
    q["lists"][1]["attributes"] = {"Cat": {"gender": "f"}}
    with pytest.raises(ElectionError, match="no gender given for Dan"):
        parse_manifest(d)
    q["lists"][1]["attributes"] = {"Cat": {"gender": "f"}, "Eve": {"gender": "f"}, "Dan": {"gender": "m"}}
    with pytest.raises(ElectionError, match="not its candidates"):
        parse_manifest(d)
