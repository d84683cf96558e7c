"""The counting rule, the homomorphic tally, and the result with seats (spec §7, §9).

Counting rule: of all the ballots on the board between `open` and `close`, the last one
cast with each credential counts; earlier ones from the same credential are replaced.
The aggregate is the component-wise sum of the counted ballots' ciphertexts per option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vecha.crypto.dlog import small_dlog
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.encoding import hex_bytes, point_from_hex
from vecha.crypto.group import PointSum
from vecha.crypto.threshold import lagrange_at_zero
from vecha.election.ballot import Ballot
from vecha.election.definition import Definition, ListQuestion
from vecha.election.seats import Allocation, ListOutcome, Lot, allocate, elect_candidates
from vecha.election.trustees import DecryptionShare
from vecha.errors import InvalidEncoding

__all__ = [
    "ListCount",
    "count_list_question",
    "count_lists",
    "list_question_json",
    "Aggregate",
    "AggregateSum",
    "aggregate_ballots",
    "combine_shares",
    "compute_result",
    "aggregate_from_json",
]

Aggregate = tuple[tuple[Ciphertext, ...], ...]


class AggregateSum:
    """The option-by-option running sum of ballots' ciphertexts (§7.2): a mutable
    accumulator, added to in place (`PointSum`), that `total` turns into an `Aggregate`."""

    __slots__ = ("_rows",)

    def __init__(self, definition: Definition) -> None:
        self._rows = [[(PointSum(), PointSum()) for _ in q.option_list] for q in definition.questions]

    def add_ballot(self, ballot: Ballot) -> None:
        self._add_rows(answer.choices for answer in ballot.answers)

    def add_ballot_json(self, ballot: Any) -> None:
        """Add a ballot given as its JSON (§6.1), decoding only its ciphertexts: for a ballot
        whose proofs are already checked (the tally of a closed board). On `InvalidEncoding`
        the sum is left part-way through the ballot: the caller discards it."""
        try:
            answers = ballot["answers"]
            if not isinstance(answers, list) or len(answers) != len(self._rows):
                raise InvalidEncoding("a ballot has one answer per question")
            for row, answer in zip(self._rows, answers, strict=True):
                choices = answer["choices"]
                if not isinstance(choices, list) or len(choices) != len(row):
                    raise InvalidEncoding("an answer has one ciphertext per option")
                for (alpha, beta), c in zip(row, choices, strict=True):
                    alpha.add_encoded(hex_bytes(c["alpha"], 32, "alpha"))
                    beta.add_encoded(hex_bytes(c["beta"], 32, "beta"))
        except (KeyError, TypeError) as e:
            raise InvalidEncoding(f"a ballot's ciphertexts are missing: {e!r}") from None

    def add_aggregate(self, aggregate: Aggregate) -> None:
        self._add_rows(aggregate)

    def _add_rows(self, rows: Iterable[Sequence[Ciphertext]]) -> None:
        for row, part in zip(self._rows, rows, strict=True):
            for (alpha, beta), ct in zip(row, part, strict=True):
                alpha.add(ct.alpha)
                beta.add(ct.beta)

    def total(self) -> Aggregate:
        return tuple(tuple(Ciphertext(a.total(), b.total()) for a, b in row) for row in self._rows)


def aggregate_ballots(definition: Definition, ballots: Iterable[Ballot]) -> Aggregate:
    """Sum the (already selected) counted ballots, option by option."""
    acc = AggregateSum(definition)
    for b in ballots:
        acc.add_ballot(b)
    return acc.total()


def aggregate_to_json(agg: Aggregate) -> list[list[dict[str, str]]]:
    return [[{"alpha": c.alpha.hex(), "beta": c.beta.hex()} for c in row] for row in agg]


def aggregate_from_json(obj: Any, definition: Definition) -> Aggregate:
    if not isinstance(obj, list) or len(obj) != len(definition.questions):
        raise InvalidEncoding("aggregate: one row per question")
    rows = []
    for qi, (q, row) in enumerate(zip(definition.questions, obj, strict=True)):
        if not isinstance(row, list) or len(row) != len(q.option_list):
            raise InvalidEncoding(f"aggregate[{qi}]: one ciphertext per option")
        cts = []
        for oi, c in enumerate(row):
            if not isinstance(c, dict) or set(c) != {"alpha", "beta"}:
                raise InvalidEncoding(f"aggregate[{qi}][{oi}]: expected alpha and beta")
            cts.append(Ciphertext(point_from_hex(c["alpha"], "alpha"), point_from_hex(c["beta"], "beta")))
        rows.append(tuple(cts))
    return tuple(rows)


def combine_shares(
    aggregate: Aggregate, shares: Mapping[int, Sequence[Sequence[DecryptionShare]]], counted: int
) -> list[list[int]]:
    """M = β − Σ_j λ_j·D_j over the participating trustees, then m = log_G M ≤ counted."""
    indices = sorted(shares)
    lambdas = {j: lagrange_at_zero(j, indices) for j in indices}
    counts = []
    for qi, row in enumerate(aggregate):
        out = []
        for oi, ct in enumerate(row):
            m = ct.beta
            for j in indices:
                m = m - shares[j][qi][oi].share * lambdas[j]
            out.append(small_dlog(m, counted))
        counts.append(out)
    return counts


@dataclass(frozen=True)
class ListCount:
    """A list question's decrypted count, its seats and who fills them (spec §9.2–§9.5)."""

    list_votes: dict[str, int]
    preferences: dict[str, dict[str, int]]
    blank: int
    allocation: Allocation
    outcomes: tuple[ListOutcome, ...]


def count_list_question(q: ListQuestion, counts: Sequence[int], counted: int, lot: Lot) -> ListCount:
    """A one-mark list question from its totals per option: a mark for a list or for one
    of its candidates is a vote for the list."""
    list_votes = {e.name: 0 for e in q.lists}
    prefs: dict[str, dict[str, int]] = {e.name: {} for e in q.lists}
    for opt, n in zip(q.option_list, counts, strict=True):
        assert opt.party is not None
        list_votes[opt.party] += n
        if opt.candidate is not None:
            prefs[opt.party][opt.candidate] = n
    return count_lists(q, list_votes, prefs, counted - sum(counts), lot)


def count_lists(
    q: ListQuestion, list_votes: dict[str, int], prefs: dict[str, dict[str, int]], blank: int, lot: Lot
) -> ListCount:
    """Seats for the lists' votes, then who fills them by the preference votes (§9.2–§9.5)."""
    caps = {e.name: len(e.candidates) for e in q.lists}
    alloc = allocate(list_votes, q.seats.rules(), lot, blank=blank, caps=caps, vacant_if_no_votes=True)
    quota = q.seats.personal_quota_fraction()
    outcomes = tuple(
        elect_candidates(e.name, alloc.seats[e.name], e.candidates, prefs[e.name], list_votes[e.name], lot, quota)
        for e in q.lists
    )
    return ListCount(list_votes, prefs, blank, alloc, outcomes)


def compute_result(
    definition: Definition, counts: Sequence[Sequence[int]], counted: int, lot_seed: bytes
) -> dict[str, Any]:
    """The result object of spec §9.6: counts per option and, for list questions, the seats."""
    questions: list[dict[str, Any]] = []
    lot = Lot(lot_seed)
    for q, row in zip(definition.questions, counts, strict=True):
        entry: dict[str, Any] = {
            "id": q.id,
            "counts": {o.label: n for o, n in zip(q.option_list, row, strict=True)},
        }
        if not isinstance(q, ListQuestion):
            # a one-mark question's blank ballots are the counted ballots that marked nothing;
            # with several marks a ballot's marks cannot be told apart in the totals
            entry["blank"] = counted - sum(row) if q.max == 1 else None
        else:
            entry |= list_question_json(count_list_question(q, row, counted, lot))
        questions.append(entry)
    return {"counted": counted, "lot_seed": lot_seed.hex(), "questions": questions}


def list_question_json(c: ListCount) -> dict[str, Any]:
    return {
        "list_votes": c.list_votes,
        "blank": c.blank,
        "allocation": c.allocation.to_json(),
        "lists": [o.to_json() for o in c.outcomes],
    }
