"""Handing a ballot off (spec §6.9): a signed ballot submission as a short sequence of
frames, one per QR code, that anyone can carry and cast later through any entry point.

The submission (`{"ballot": …, "channel": …}` and, for a first ballot, `"registration"`)
is written as canonical JSON and compressed (zlib); the bytes are cut into chunks of at most
`CHUNK`, and frame k of n is

    "VQ" ‖ u8(1) ‖ u8(k) ‖ u8(n) ‖ T("handoff", [("payload", payload)])[0:8] ‖ chunk_k

The digest ties the frames of one ballot together and catches a damaged or foreign frame;
it is no signature (the credential signs the ballot, and the box checks it when it is
cast). Carrying the codes reveals nothing the board will not show: the ballot is encrypted,
and its tracking code is public once cast.

Pure: no I/O (the QR images are made and read by the CLI).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidEncoding

__all__ = ["frames_of", "submission_of", "CHUNK", "MAX_SUBMISSION"]

MAGIC = b"VQ"
VERSION = 1
#: bytes of payload per frame: with the 13-byte header, a version-20 QR code at level M
#: (97×97 modules, 666 bytes), which a phone reads from a screen or paper
CHUNK = 640
MAX_FRAMES = 255
#: the largest submission a hand-off carries once decompressed (a 245-option ballot is
#: about 150 kB; a ranked ballot of 64 candidates about 370 kB)
MAX_SUBMISSION = 1 << 20
_HEADER = 2 + 3 + 8


def _digest(payload: bytes) -> bytes:
    return Transcript("handoff").raw("payload", payload).digest()[:8]


def frames_of(submission: dict[str, Any]) -> list[bytes]:
    """The frames (one per QR code) that carry `submission`."""
    payload = zlib.compress(canonical_bytes(submission), 9)
    n = -(-len(payload) // CHUNK)
    if n > MAX_FRAMES:
        raise InvalidEncoding(f"this ballot needs {n} codes; a hand-off carries at most {MAX_FRAMES}")
    digest = _digest(payload)
    return [MAGIC + bytes([VERSION, k, n]) + digest + payload[k * CHUNK : (k + 1) * CHUNK] for k in range(n)]


def submission_of(frames: Iterable[bytes]) -> dict[str, Any]:
    """The submission that these frames (in any order, repeats allowed) carry; raises
    `InvalidEncoding` with what is wrong: not a Vecha code, codes of two ballots, a code
    missing, damaged codes."""
    chunks: dict[int, bytes] = {}
    expected: tuple[int, bytes] | None = None
    for i, frame in enumerate(frames, start=1):
        if len(frame) <= _HEADER or frame[:2] != MAGIC:
            raise InvalidEncoding(f"code {i} is not a Vecha ballot code")
        if frame[2] != VERSION:
            raise InvalidEncoding(f"code {i} is of hand-off version {frame[2]}; this reads version {VERSION}")
        k, n, digest = frame[3], frame[4], frame[5:13]
        if not 0 <= k < n:
            raise InvalidEncoding(f"code {i} says it is part {k + 1} of {n}")
        if expected is None:
            expected = (n, digest)
        elif expected != (n, digest):
            raise InvalidEncoding("these codes carry two different ballots: give the codes of one")
        chunk = frame[_HEADER:]
        if chunks.setdefault(k, chunk) != chunk:
            raise InvalidEncoding(f"two different codes say they are part {k + 1}")
    if expected is None:
        raise InvalidEncoding("no code given")
    n, digest = expected
    missing = [k + 1 for k in range(n) if k not in chunks]
    if missing:
        raise InvalidEncoding(f"codes missing: part {', '.join(map(str, missing))} of {n}")
    payload = b"".join(chunks[k] for k in range(n))
    if _digest(payload) != digest:
        raise InvalidEncoding("the codes are damaged: they do not add up to the ballot they name")
    inflate = zlib.decompressobj()
    try:
        data = inflate.decompress(payload, MAX_SUBMISSION + 1)
    except zlib.error:
        raise InvalidEncoding("the codes do not hold a compressed ballot") from None
    if len(data) > MAX_SUBMISSION or inflate.unconsumed_tail or not inflate.eof:
        raise InvalidEncoding(f"the codes hold more than {MAX_SUBMISSION} bytes, or an incomplete ballot")
    submission = parse_canonical(data)
    if not isinstance(submission, dict) or not {"ballot", "channel"} <= set(submission) <= {
        "ballot",
        "channel",
        "registration",
    }:
        raise InvalidEncoding("the codes do not hold a ballot submission")
    return submission
