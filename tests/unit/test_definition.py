"""Election definitions: defaults, normal form, and clear errors."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from vecha.election.definition import parse_definition
from vecha.errors import ElectionError
from vecha.testing.records import SMALL_DEFINITION


def test_normal_form_is_stable() -> None:
    m = parse_definition(SMALL_DEFINITION)
    dumped = m.model_dump(mode="json")
    assert parse_definition(dumped).model_dump(mode="json") == dumped
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
        (("questions", 0, "kind"), "borda", "kind"),
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
        parse_definition(d)


def test_errors_speak_the_organizers_words() -> None:
    """Not pydantic's path (`questions.0.list-pr.seats.seats`) nor its `Value error,` prefix."""
    d = copy.deepcopy(SMALL_DEFINITION)
    d["questions"][0]["seats"]["seats"] = 0
    with pytest.raises(ElectionError) as e:
        parse_definition(d)
    assert "at question council: seats.seats:" in str(e.value) and "list-pr" not in str(e.value)
    d = copy.deepcopy(SMALL_DEFINITION)
    d["questions"][0]["lists"][0]["candidates"] = ["Ann", "Ann"]
    with pytest.raises(ElectionError) as e:
        parse_definition(d)
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
        parse_definition(d)
    q["lists"][1] |= {"candidates": ["Cat", "Dan"], "attributes": {"Cat": {"gender": "f"}, "Dan": {"gender": "m"}}}
    assert parse_definition(d).questions[0].candidate_rules[0].min_share == "40%"
    q["lists"][1]["attributes"] = {"Cat": {"gender": "f"}}
    with pytest.raises(ElectionError, match="no gender given for Dan"):
        parse_definition(d)
    q["lists"][1]["attributes"] = {"Cat": {"gender": "f"}, "Eve": {"gender": "f"}, "Dan": {"gender": "m"}}
    with pytest.raises(ElectionError, match="not its candidates"):
        parse_definition(d)


def _translated() -> dict[str, object]:
    d = copy.deepcopy(SMALL_DEFINITION)
    d["languages"] = ["be", "ru", "en"]
    d["questions"][1]["option_text"] = {"Yes": {"be": "Так", "ru": "Да", "en": "Yes"}, "No": {"be": "Не"}}
    north = d["questions"][0]["lists"][0]
    north["text"] = {"be": "Поўнач", "ru": "Север"}
    north["candidate_text"] = {"Ann": {"be": "Ганна", "ru": "Анна"}}
    return d


def test_labels_list_names_and_candidate_names_are_translatable() -> None:
    m = parse_definition(_translated())
    council, yesno = m.questions
    assert [o.text for o in yesno.option_list] == [{"be": "Так", "ru": "Да", "en": "Yes"}, {"be": "Не"}]
    north, ann, bob = council.option_list[:3]
    assert (north.label, north.text) == ("North", {"be": "Поўнач", "ru": "Север"})
    assert (ann.label, ann.text) == ("North / Ann", {"be": "Ганна", "ru": "Анна"})
    assert (bob.label, bob.text) == ("North / Bob", None)  # shown as its name
    dumped = m.model_dump(mode="json")
    assert parse_definition(dumped).model_dump(mode="json") == dumped
    # untranslated definitions write the defaults out in the normalized form
    plain = parse_definition(SMALL_DEFINITION).model_dump(mode="json")
    assert plain["questions"][1]["option_text"] == {}
    assert plain["questions"][0]["lists"][1] == {
        "name": "South",
        "text": None,
        "candidates": ["Cat"],
        "candidate_text": {},
        "attributes": {},
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["questions"][1]["option_text"].update({"Maybe": "Магчыма"}),
            r"labels that are not options: \['Maybe'\]",
        ),
        (
            lambda d: d["questions"][0]["lists"][0]["candidate_text"].update({"Zed": "Зэд"}),
            r"list North: candidate_text for people who are not its candidates: \['Zed'\]",
        ),
        (lambda d: d["questions"][1]["option_text"].update({"No": {"pl": "Nie"}}), r"text in pl, which `languages`"),
        (lambda d: d.update({"title": {"be": "Выбары", "by": "typo"}}), r"text in by, which `languages` does not list"),
        (lambda d: d["questions"][0]["lists"][0].update({"text": {}}), "names at least one language"),
        (lambda d: d["questions"][0]["lists"][0].update({"text": {"be": ""}}), "1 to 2000 characters"),
    ],
)
def test_translations_name_what_exists_in_listed_languages(change: object, message: str) -> None:
    d = _translated()
    change(d)  # type: ignore[operator]
    with pytest.raises(ElectionError, match=message):
        parse_definition(d)


def test_the_readmes_definition_is_valid(tmp_path: Path) -> None:
    """The README's example, with real identity keys where it writes "…", is a valid
    definition, translations included."""
    from vecha.cli.common import read_definition
    from vecha.testing.records import fixed_identities

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    block = readme.split("## An election definition", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    keys = [identity.public.hex() for identity in fixed_identities(5)]
    first, rest = keys[0], keys[1:]
    assert f'"{first}"' not in block
    lines = []
    for line in block.splitlines():
        if line.strip().startswith('- "3d40'):
            line = line.split('"')[0] + f'"{first}"'
        if line.strip() == '- "…"':
            line = "\n".join(line.replace("…", k) for k in rest)
        lines.append(line)
    (tmp_path / "d.yaml").write_text("\n".join(lines), "utf-8")
    m = parse_definition(read_definition(tmp_path / "d.yaml"))
    assert m.languages == ("be", "ru", "en")
    council, referendum = m.questions
    assert council.option_list[0].text == {"be": "Спіс А", "ru": "Список А", "en": "List A"}
    assert referendum.option_list[0].text == {"be": "Так", "ru": "Да"}


def test_the_readme_registration_example_is_valid(tmp_path: Path) -> None:
    """The README's registration block, with a real registrar's keys where it writes "…",
    added to a definition, is valid: fields, duplicate key, two-person rule, window."""
    import yaml

    from vecha.testing.records import SMALL_DEFINITION
    from vecha.testing.registration import make_registrars

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    section = readme.split("## An election definition", 1)[1]
    block = section.split("```yaml\n", 2)[2].split("```", 1)[0]
    data = yaml.safe_load(block)
    [written] = data["registration"]["registrars"]
    [setup] = make_registrars(["bloc-a"], reviewers=2)
    real = setup.spec()
    assert set(written) == set(real) and written["id"] == real["id"]
    data["registration"]["registrars"] = [
        {**written, **{k: real[k] for k in ("blind_key", "signing_key", "reviewers")}}
    ]
    m = parse_definition({**SMALL_DEFINITION, "languages": ["be", "ru", "en"], **data})
    rules = m.registration
    assert rules is not None and rules.approvals == 2 and rules.duplicate_key == ("document", "born")
    assert [f.kind for f in rules.fields] == ["text", "document", "date", "file", "free-text"]
    assert m.model_dump(mode="json")["registration"]["fields"][3]["accept"] == ["image/jpeg", "image/png"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(duplicate_key=["nothing"]), "not a field"),
        (lambda r: r.update(duplicate_key=["photo"]), "required one-line field"),
        (lambda r: r.update(duplicate_key=["note"]), "required one-line field"),
        (lambda r: r.update(required=2), "cannot need 2 of 1"),
        (lambda r: r.update(approvals=3), "approvals"),
        (
            lambda r: r.update(approvals=2) or r["registrars"][0].update(reviewers=r["registrars"][0]["reviewers"][:1]),
            "fewer reviewers",
        ),
        (lambda r: r.update(closes="tomorrow"), "UTC time"),
        (lambda r: r["fields"][0].update(accept=["image/png"]), "only a file field"),
        (lambda r: r["fields"].append(dict(r["fields"][0])), "field ids must be unique"),
        (lambda r: r["registrars"].append(dict(r["registrars"][0])), "registrar ids must be unique"),
        (lambda r: r["registrars"][0].update(signing_key="XY"), "signing key"),
        (lambda r: r["registrars"][0].update(blind_key={"n": "0f", "e": "3"}), "modulus"),
        (lambda r: r.update(attachment_max_bytes=10**9), "attachment_max_bytes"),
        (lambda r: r["fields"][0].update(label={"de": "Name"}), "languages"),
    ],
)
def test_registration_rules_are_validated(change: Any, message: str) -> None:
    from vecha.testing.registration import make_registrars, registration_rules

    rules = copy.deepcopy(registration_rules(make_registrars(["bloc-a"])))
    change(rules)
    with pytest.raises(ElectionError, match=message):
        parse_definition({**SMALL_DEFINITION, "languages": ["en", "be", "ru"], "registration": rules})


def _whole_ballot_definition(*questions: dict[str, Any], mix: bool = True) -> dict[str, Any]:
    d = copy.deepcopy(SMALL_DEFINITION)
    d["questions"] = list(questions)
    d["mix"] = mix
    return d


RANKED = {"id": "mayor", "title": "Mayor", "kind": "ranked", "candidates": ["Ala", "Bo", "Cy"]}
GRADED = {"id": "judge", "title": "Judge", "kind": "graded", "candidates": ["Ala", "Bo"], "grades": ["bad", "good"]}


def test_ranked_and_graded_questions() -> None:
    """Rank all candidates by default; values and sums sized as spec §6.2 says; open lists
    with several preferences hold preferences + 1 marks."""
    lists = copy.deepcopy(SMALL_DEFINITION["questions"][0]) | {"preferences": 2}
    d = parse_definition(_whole_ballot_definition(RANKED, GRADED | {"grades": ["0", "1", "2"]}, lists))
    ranked, graded, open_list = d.questions
    assert (ranked.max, ranked.value_max, ranked.sum_range) == (3, 3, (0, 6))
    assert (graded.value_max, graded.sum_range) == (2, (0, 4))
    assert (open_list.max, open_list.value_max, open_list.sum_range) == (3, 1, (0, 3))
    assert [o.label for o in ranked.option_list] == ["Ala", "Bo", "Cy"]
    assert parse_definition(d.model_dump(mode="json")) == d


@pytest.mark.parametrize(
    ("question", "mix", "message"),
    [
        (RANKED, False, "ranked ballots are counted whole, after a mix: set mix: true"),
        (GRADED, False, "graded ballots are counted whole"),
        (RANKED | {"max": 4}, True, "ranks at most 3"),
        (RANKED | {"seats": 2}, True, "several seats need method stv"),
        (RANKED | {"method": "stv", "seats": 3}, True, "3 seats for 3 candidates"),
        (RANKED | {"method": "borda"}, True, "method"),
        (RANKED | {"candidates": ["Ala", "Ala"]}, True, "unique"),
        (RANKED | {"candidates": ["Ala"]}, True, "candidates"),
        (GRADED | {"grades": ["only"]}, True, "grades"),
        (GRADED | {"max": 2}, True, "takes no min or max"),
        (GRADED | {"grade_text": {"great": "Great"}}, True, "not grades"),
    ],
)
def test_invalid_whole_ballot_questions(question: dict[str, Any], mix: bool, message: str) -> None:
    with pytest.raises(ElectionError, match=message):
        parse_definition(_whole_ballot_definition(question, mix=mix))


def test_several_preferences_need_a_mix() -> None:
    lists = copy.deepcopy(SMALL_DEFINITION["questions"][0]) | {"preferences": 2}
    with pytest.raises(ElectionError, match="after a mix: set mix: true"):
        parse_definition(_whole_ballot_definition(lists, mix=False))
    with pytest.raises(ElectionError, match=r"up to 3 marks \(max: 3\)"):
        parse_definition(_whole_ballot_definition(lists | {"max": 2}))
