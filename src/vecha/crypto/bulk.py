"""Points in bulk: many decoded in one call into one block of memory, known by their place
in it, with no `Point` or handle per point (libdecaf, with the multi-scalar multiplication
module built; `available` says whether both are in use).

A verifier reads a million ballots of some 70 points each. As `Point` objects each costs
two Python objects and a call into C; here a ballot's points are decoded in one call, the
sums its proofs need are computed in place, and a batch of proofs refers to them by address
(`Batch.terms_at`). The values are the same as `Point`'s: the same canonical encodings are
accepted, the same sums and multi-scalar multiplications computed.
"""

from __future__ import annotations

from collections.abc import Sequence

from vecha.crypto import _decaf, group
from vecha.crypto.group import ORDER, Point

__all__ = ["POINT_SIZE", "PointBlock", "available", "decode", "sum_is_identity"]

POINT_SIZE = _decaf._POINT_BYTES  #: from one point's address to the next one's in a block


def available() -> bool:
    """Whether points can be held in bulk: libdecaf is the backend and the module is built."""
    return group.msm_in_use()


class PointBlock:
    """Points end to end in one buffer: those decoded (`decode`), then `spare` slots for
    points computed into it (`put_sum`). A mutable block, filled once by its reader."""

    __slots__ = ("_block",)

    def __init__(self, block: _decaf.Block) -> None:
        self._block = block

    @property
    def base(self) -> int:
        """Where point 0 lies; point i lies at base + i·POINT_SIZE (valid while this block is
        alive: keep it with the address)."""
        return self._block.base

    def address(self, i: int) -> int:
        return self._block.base + i * POINT_SIZE

    def point(self, i: int) -> Point:
        """Point i as a `Point` (which keeps the block alive)."""
        return Point._computed(handle=self._block.handle(i))

    def encoding(self, i: int) -> bytes:
        return _decaf.encode_at(self.address(i))

    def put_sum(self, i: int, addresses: list[int]) -> None:
        """Write into slot i (a spare one) the sum of the points at `addresses`."""
        _decaf.sum_into(self.address(i), addresses)


def decode(data: bytes, spare: int = 0) -> PointBlock | None:
    """The points whose canonical encodings lie end to end in `data` (identity allowed), in
    one block with `spare` free slots after them; None if any encoding is not canonical, or
    if points cannot be held in bulk here (`available`)."""
    if not available():
        return None
    block = _decaf.decode_block(data, spare)
    return None if block is None else PointBlock(block)


def sum_is_identity(
    scalars: Sequence[int], points: Sequence[Point], at_scalars: Sequence[int], at: Sequence[int]
) -> bool:
    """Whether Σ s_i·P_i + Σ t_j·(the point at address a_j) is the identity, in one
    multi-scalar multiplication (integers reduced modulo ℓ here). Variable time: public
    values only. The blocks that hold the points at `at` must be kept alive by the caller."""
    addresses = [p._decoded().address for p in points]
    addresses += at
    data = b"".join((s % ORDER).to_bytes(32, "little") for s in scalars)
    data += b"".join((s % ORDER).to_bytes(32, "little") for s in at_scalars)
    return _decaf.encode(_decaf.multi_mul_at(addresses, data)) == bytes(32)
