"""Many proofs' equations checked as one (spec §4.7).

A proof that carries its commitments (§4.1, §4.3) is checked by hashing (the challenge) and
by linear equations between points: Σ_k s_k·P_k = 0 (the identity). A batch takes the
equations of many proofs, weights each by its own random 128-bit scalar z, and checks

    Σ_equations z · Σ_k s_k·P_k = 0

as one multi-scalar multiplication, in which the generator's, the election key's and every
ciphertext's terms are merged first. If every equation holds, so does the sum. If one does
not, its value E is a point other than the identity, and for any choice of the other weights
at most one z of the 2^128 makes the sum the identity (the group has prime order): a false
equation passes with probability at most 2^−128. The weights come from the operating
system's generator as the equations are added, after the proofs are made, so a prover cannot
choose its proofs after them. The batch says only whether every equation holds; which proof
fails is found by checking parts of the batch again (`check_each`).

The weights multiply the commitments alone (128-bit scalars: half the additions in the
multi-scalar multiplication, whose empty digits cost nothing); the other scalars are full.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from typing import TypeVar

from vecha.crypto import bulk
from vecha.crypto.group import GENERATOR, IDENTITY, Point, public_integer_sum
from vecha.errors import VechaError

__all__ = ["Batch", "WEIGHT_BITS", "check_each"]

WEIGHT_BITS = 128  #: the size of each equation's random weight
_WEIGHTS = (1 << WEIGHT_BITS) - 1  #: how many weights there are to draw from


class Batch:
    """A mutable accumulator of weighted equations (not a value). Terms are scalars (Python
    integers, reduced when checked) times points; the generator's coefficients are summed
    into one, and so are those of each point given as `merged`, by identity."""

    __slots__ = ("_at", "_at_scalars", "_base", "_blocks", "_merged", "_points", "_scalars", "equations")

    def __init__(self) -> None:
        self._base = 0
        self._merged: dict[int, tuple[Point, int]] = {}
        self._points: list[Point] = []
        self._scalars: list[int] = []
        self._at: list[int] = []  #: addresses of points in the blocks of `_blocks`
        self._at_scalars: list[int] = []
        self._blocks: list[bulk.PointBlock] = []
        self.equations = 0  #: how many equations were added

    @staticmethod
    def weight() -> int:
        """A fresh random weight, uniform in 1 ≤ z < 2^128 (a zero weight would drop its equation)."""
        return secrets.randbelow(_WEIGHTS) + 1

    @staticmethod
    def weights(n: int) -> list[int]:
        """n fresh weights as `weight` draws them, from one read of the system's generator:
        16 bytes each, uniform in 0 ≤ z < 2^128, a zero drawn again (so uniform in
        1 ≤ z < 2^128)."""
        data = os.urandom(16 * n)
        out = [int.from_bytes(data[16 * i : 16 * i + 16], "little") for i in range(n)]
        return [z or Batch.weight() for z in out]

    def base(self, s: int) -> None:
        """Add s·G."""
        self._base += s

    def term(self, p: Point, s: int) -> None:
        """Add s·P, for a point that appears in this batch once (a commitment)."""
        self._points.append(p)
        self._scalars.append(s)

    def terms_at(self, block: bulk.PointBlock, addresses: list[int], scalars: list[int]) -> None:
        """`term` for each of these points of `block`, given by their addresses (the batch
        keeps the block alive)."""
        self._blocks.append(block)
        self._at += addresses
        self._at_scalars += scalars

    def merged(self, p: Point, s: int) -> None:
        """Add s·P, for a point that appears in several equations (the key, a ciphertext's
        α or β): its coefficients are added up and it is multiplied once. Points are merged
        by identity (the same object), which is how the proofs of a ballot share them."""
        key = id(p)
        held = self._merged.get(key)
        self._merged[key] = (p, s if held is None else held[1] + s)

    def count(self) -> None:
        """Note one more equation (for the benchmarks and the reports)."""
        self.equations += 1

    def holds(self) -> bool:
        """Whether the weighted sum of every equation added is the identity."""
        return Batch.all_hold([self])

    @staticmethod
    def all_hold(batches: Sequence[Batch]) -> bool:
        """Whether every equation of all these batches holds, checked as one sum (their
        weights are independent, so the sum of batches is a batch)."""
        base = 0
        merged: dict[int, tuple[Point, int]] = {}
        points: list[Point] = [GENERATOR]
        scalars: list[int] = [0]
        at: list[int] = []
        at_scalars: list[int] = []
        for batch in batches:
            base += batch._base
            points += batch._points
            scalars += batch._scalars
            at += batch._at
            at_scalars += batch._at_scalars
            for key, (p, s) in batch._merged.items():
                held = merged.get(key)
                merged[key] = (p, s if held is None else held[1] + s)
        scalars[0] = base
        for p, s in merged.values():
            points.append(p)
            scalars.append(s)
        if at:  # only made where points are held in bulk (`vecha.crypto.bulk`)
            return bulk.sum_is_identity(scalars, points, at_scalars, at)
        return public_integer_sum(scalars, points) == IDENTITY


T = TypeVar("T")


def check_each(
    items: Sequence[T],
    alone: Callable[[T], None],
    into: Callable[[Batch, T], None],
    batched: bool = True,
) -> list[tuple[int, VechaError]]:
    """Check every item; return the position and error of each that fails, in order: the same
    items and the same errors as `alone` on each.

    `alone(item)` raises the item's first failure. `into(batch, item)` raises what fails
    before the equations (the shape, the hashes) and adds the item's equations to `batch`.
    Batched, every item's equations are checked as one batch; if it fails, halves are
    checked again down to the failing items, and each of those, or any whose `into`
    raised, is checked `alone`, for the same error as unbatched."""
    failures: list[tuple[int, VechaError]] = []
    if not batched:
        for i, item in enumerate(items):
            try:
                alone(item)
            except VechaError as e:
                failures.append((i, e))
        return failures
    pending: list[tuple[int, Batch]] = []
    suspects: list[int] = []
    for i, item in enumerate(items):
        batch = Batch()
        try:
            into(batch, item)
        except VechaError:
            suspects.append(i)  # checked alone below, for the error it gives alone
            continue
        pending.append((i, batch))
    suspects += _failing(pending)
    for i in sorted(suspects):
        try:
            alone(items[i])
        except VechaError as e:
            failures.append((i, e))
        else:  # cannot happen: every equation of an item that passes alone holds
            raise AssertionError("an item failed in a batch and passes on its own")
    return failures


def _failing(pending: list[tuple[int, Batch]]) -> list[int]:
    """The positions of the batches whose equations do not all hold, by bisection."""
    if not pending or Batch.all_hold([b for _, b in pending]):
        return []
    if len(pending) == 1:
        return [pending[0][0]]
    half = len(pending) // 2
    return _failing(pending[:half]) + _failing(pending[half:])
