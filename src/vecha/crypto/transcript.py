"""Domain-separated, length-prefixed hashing (spec §2.4).

Every hash in Vecha goes through `Transcript`. A transcript starts from a domain tag
``vecha/v1/<purpose>`` and absorbs labelled items; the byte string hashed is

    frame(tag) || frame(label_1) || frame(value_1) || ... || frame(label_k) || frame(value_k)

with ``frame(x) = len(x) as 8 bytes big-endian || x``, under SHA-512. Fixed framing means no
two different sequences of items can hash the same bytes. Strong Fiat–Shamir (§4) is
obtained by absorbing the election fingerprint, every public value of the statement and
every commitment before taking a challenge.
"""

from __future__ import annotations

import functools
import hashlib

from vecha.crypto.group import Point, Scalar

__all__ = ["Transcript", "DOMAIN_PREFIX", "frame", "frame_header", "number_frame", "points_frame"]

DOMAIN_PREFIX = "vecha/v1/"
_CONCATENATE_BELOW = 1 << 12


@functools.lru_cache(maxsize=256)
def _label_frame(label: str) -> bytes:
    """frame(label): labels are a few fixed words, framed once."""
    data = label.encode()
    return len(data).to_bytes(8, "big") + data


def frame_header(label: str, length: int) -> bytes:
    """frame(label) || the 8-byte length of a value of `length` bytes: what comes before the
    value's own bytes in `frame(label, value)`."""
    return _label_frame(label) + length.to_bytes(8, "big")


def frame(label: str, data: bytes) -> bytes:
    """frame(label) || frame(data): the bytes that `Transcript.raw(label, data)` absorbs."""
    return frame_header(label, len(data)) + data


def number_frame(label: str, value: int) -> bytes:
    """The bytes that `Transcript.number(label, value)` absorbs."""
    if value < 0:
        raise ValueError("transcript integers are non-negative")
    return frame(label, value.to_bytes(8, "big"))


def points_frame(label: str, data: bytes) -> bytes:
    """The bytes that `Transcript.packed_points(label, data)` absorbs (a few points: one copy)."""
    if len(data) % 32:
        raise ValueError("packed points are 32 bytes each")
    framed = frame_header(label, 32)
    points = [data[k : k + 32] for k in range(0, len(data), 32)]
    return number_frame(label + "#", len(points)) + (framed + framed.join(points) if points else b"")


@functools.lru_cache(maxsize=64)
def _started(purpose: str) -> hashlib._Hash:
    """The state after the domain tag of `purpose`: copied, never updated itself."""
    data = f"{DOMAIN_PREFIX}{purpose}".encode()
    return hashlib.sha512(len(data).to_bytes(8, "big") + data)


class Transcript:
    """An append-only SHA-512 hashing state with a domain tag."""

    __slots__ = ("_h",)

    def __init__(self, purpose: str) -> None:
        self._h = _started(purpose).copy()

    @classmethod
    def of(cls, purpose: str, *framed: bytes) -> Transcript:
        """A transcript of `purpose` that has absorbed these items, each as `frame`,
        `number_frame` or `points_frame` gives it: the state that calling `raw`, `number`
        and `packed_points` in turn would reach, in one update (a verifier's thousands of
        short challenges, where the calls cost more than the hashing)."""
        out = cls.__new__(cls)
        out._h = _started(purpose).copy()
        out._h.update(b"".join(framed))
        return out

    @staticmethod
    def challenge_of(purpose: str, *framed: bytes) -> Scalar:
        """`Transcript.of(purpose, *framed).challenge()`, with no transcript kept."""
        h = _started(purpose).copy()
        h.update(b"".join(framed))
        return Scalar.from_bytes_mod_order_wide(h.digest())

    def raw(self, label: str, data: bytes) -> Transcript:
        if len(data) > _CONCATENATE_BELOW:  # a board line of a large mix is not copied to be hashed
            self._h.update(frame_header(label, len(data)))
            self._h.update(data)
        else:  # one call: the common case is short, and a call costs more than the copy
            self._h.update(frame(label, data))
        return self

    def text(self, label: str, value: str) -> Transcript:
        return self.raw(label, value.encode())

    def number(self, label: str, value: int) -> Transcript:
        self._h.update(number_frame(label, value))
        return self

    def point(self, label: str, p: Point) -> Transcript:
        return self.raw(label, p.encoding)

    def points(self, label: str, ps: list[Point] | tuple[Point, ...]) -> Transcript:
        self.number(label + "#", len(ps))
        framed = frame_header(label, 32)
        self._h.update(b"".join(framed + p.encoding for p in ps))
        return self

    def packed_points(self, label: str, data: bytes) -> Transcript:
        """`points(label, …)` for points given as their encodings end to end (32 bytes each):
        the same bytes hashed, without a `Point` per element."""
        if len(data) % 32:
            raise ValueError("packed points are 32 bytes each")
        self.number(label + "#", len(data) // 32)
        framed = frame_header(label, 32)
        step = 32 * 4096  # hashed in chunks: a mix's million points need not be copied at once
        for start in range(0, len(data), step):
            chunk = data[start : start + step]
            self._h.update(b"".join(framed + chunk[k : k + 32] for k in range(0, len(chunk), 32)))
        return self

    def scalar(self, label: str, s: Scalar) -> Transcript:
        return self.raw(label, bytes(s))

    def fork(self) -> Transcript:
        """A transcript that goes on from here on its own (many hashes that share a prefix)."""
        out = Transcript.__new__(Transcript)
        out._h = self._h.copy()
        return out

    def digest(self) -> bytes:
        """The 64-byte SHA-512 digest; the transcript may keep absorbing afterwards."""
        return self._h.copy().digest()

    def challenge(self) -> Scalar:
        """The digest reduced modulo ℓ (hash-to-scalar)."""
        return Scalar.from_bytes_mod_order_wide(self.digest())
