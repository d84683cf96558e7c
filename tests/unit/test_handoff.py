"""Spec §6.9: a submission survives the trip through hand-off frames in any order, and every
way the frames can be wrong is refused with what is wrong."""

from __future__ import annotations

import hashlib
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto.canonical import canonical_bytes
from vecha.election.handoff import CHUNK, MAGIC, _digest, frames_of, submission_of
from vecha.errors import InvalidEncoding

#: hex that does not compress, like a ballot's points and scalars
NOISE = "".join(hashlib.sha256(bytes([i])).hexdigest() for i in range(60))
SUBMISSION = {"ballot": {"answers": [NOISE], "credential": "cd" * 32}, "channel": "web"}


@settings(max_examples=40)
@given(st.integers(0, 2000), st.randoms(use_true_random=False))
def test_frames_in_any_order_give_the_submission_back(size: int, rnd: object) -> None:
    submission = {"ballot": {"x": "e1" * size}, "channel": "app"}
    frames = frames_of(submission)
    shuffled = frames + frames[:1]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert submission_of(shuffled) == submission
    assert all(len(f) <= CHUNK + 13 and f.startswith(MAGIC) for f in frames)


def test_what_is_wrong_with_the_codes_is_said() -> None:
    frames = frames_of(SUBMISSION)
    assert len(frames) >= 2
    other = frames_of({**SUBMISSION, "channel": "app"})
    cases = [
        ([], "no code given"),
        ([b"hello world, not a ballot"], "not a Vecha ballot code"),
        ([frames[0][:2] + b"\x02" + frames[0][3:]], "version 2"),
        (frames[1:], "codes missing: part 1"),
        ([frames[0], other[1]], "two different ballots"),
        (
            [frames[0], frames[0][:-1] + bytes([frames[0][-1] ^ 1]), *frames[1:]],
            "two different codes say they are part 1",
        ),
        ([frames[0][:-1] + bytes([frames[0][-1] ^ 1]), *frames[1:]], "damaged"),
    ]
    for given_frames, message in cases:
        with pytest.raises(InvalidEncoding, match=message):
            submission_of(given_frames)


def _frame(payload: bytes) -> bytes:
    return MAGIC + bytes([1, 0, 1]) + _digest(payload) + payload


def test_a_bomb_or_something_else_than_a_submission_is_refused() -> None:
    bomb = zlib.compress(b"[" + b"0," * 600_000 + b"0]", 9)  # 1.2 MB of JSON in a few codes
    n = -(-len(bomb) // CHUNK)
    with pytest.raises(InvalidEncoding, match="more than"):
        submission_of(MAGIC + bytes([1, k, n]) + _digest(bomb) + bomb[k * CHUNK : (k + 1) * CHUNK] for k in range(n))
    with pytest.raises(InvalidEncoding, match="not hold a ballot submission"):
        submission_of([_frame(zlib.compress(canonical_bytes({"ballot": 1})))])
    with pytest.raises(InvalidEncoding, match="canonical"):
        submission_of([_frame(zlib.compress(b'{"channel": "app", "ballot": 1}'))])
    with pytest.raises(InvalidEncoding, match="compressed"):
        submission_of([_frame(b"plain text, not zlib")])
