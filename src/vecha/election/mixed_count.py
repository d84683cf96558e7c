"""The result of a mixed election from its opened ballots (spec §9.7.1): each decrypted
ballot's values, question by question, checked against the question's rules and counted.

An answer that breaks a rule the ballot's proofs cannot show (ranks 1, 1, 3; marks on two
lists) is *invalid*: counted as such, in the question's `invalid`, never dropped silently
and never guessed at. A ballot with a value that opens outside every question's range
(impossible for a ballot whose proofs held) is invalid as a whole, in `mixed.invalid`.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vecha.election.ballot import answer_problem
from vecha.election.counting import count_lists, list_question_json
from vecha.election.definition import ChoiceQuestion, Definition, GradedQuestion, ListQuestion, Question, RankedQuestion
from vecha.election.preferential import count_irv, count_majority_judgment, count_schulze, count_stv
from vecha.election.seats import Lot

__all__ = ["count_opened", "ranking_of", "grades_of"]


def ranking_of(q: RankedQuestion, values: Sequence[int]) -> tuple[str, ...]:
    """A valid ranked answer as the candidates in the voter's order."""
    ranked = sorted((v, c) for c, v in zip(q.candidates, values, strict=True) if v)
    return tuple(c for _, c in ranked)


def grades_of(q: GradedQuestion, values: Sequence[int]) -> dict[str, int]:
    return dict(zip(q.candidates, values, strict=True))


def count_opened(definition: Definition, opened: Sequence[Sequence[int | None]], lot_seed: bytes) -> dict[str, Any]:
    """The result object (§9.6, §9.7) of a mixed election whose ballots opened to `opened`."""
    whole = [row for row in opened if all(v is not None for v in row)]
    lot = Lot(lot_seed)
    questions, at = [], 0
    for q in definition.questions:
        width = len(q.option_list)
        answers = [[v for v in row[at : at + width] if v is not None] for row in whole]
        questions.append({"id": q.id, **_count_question(q, answers, lot)})
        at += width
    return {
        "counted": len(whole),
        "lot_seed": lot_seed.hex(),
        "questions": questions,
        "mixed": {"ballots": len(opened), "invalid": len(opened) - len(whole)},
    }


def _count_question(q: Question, answers: list[list[int]], lot: Lot) -> dict[str, Any]:
    valid = [a for a in answers if answer_problem(q, a) is None]
    invalid = len(answers) - len(valid)
    blank = sum(1 for a in valid if not any(a))
    if isinstance(q, ChoiceQuestion):
        counts = [sum(col) for col in zip(*valid, strict=True)] if valid else [0] * len(q.options)
        return {
            "counts": dict(zip(q.options, counts, strict=True)),
            "blank": blank if q.max == 1 else None,
            "invalid": invalid,
        }
    if isinstance(q, ListQuestion):
        list_votes = {e.name: 0 for e in q.lists}
        prefs: dict[str, dict[str, int]] = {e.name: dict.fromkeys(e.candidates, 0) for e in q.lists}
        counts = [0] * len(q.option_list)
        for a in valid:
            marked = [(k, o) for k, (o, v) in enumerate(zip(q.option_list, a, strict=True)) if v]
            if not marked:
                continue
            party = marked[0][1].party
            assert party is not None  # one list: answer_problem holds every mark to it
            list_votes[party] += 1
            for k, o in marked:
                counts[k] += 1
                if o.candidate is not None:
                    prefs[party][o.candidate] += 1
        labels = [o.label for o in q.option_list]
        entry = {"counts": dict(zip(labels, counts, strict=True))}
        return entry | list_question_json(count_lists(q, list_votes, prefs, blank, lot)) | {"invalid": invalid}
    if isinstance(q, RankedQuestion):
        rankings = [ranking_of(q, a) for a in valid if any(a)]
        if q.method == "stv":
            outcome = count_stv(q.candidates, rankings, q.seats, lot)
        elif q.method == "irv":
            outcome = count_irv(q.candidates, rankings, lot)
        else:
            outcome = count_schulze(q.candidates, rankings, lot)
        return {"kind": "ranked", "blank": blank, "invalid": invalid, **outcome.to_json()}
    assert isinstance(q, GradedQuestion)
    outcome = count_majority_judgment(q.candidates, len(q.grades), (grades_of(q, a) for a in valid), lot, q.grades)
    return {"kind": "graded", "blank": 0, "invalid": invalid, **outcome.to_json()}
