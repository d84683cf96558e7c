"""`Transcript.of` with pre-framed items hashes the bytes that the item-by-item calls hash
(spec §2.4): a verifier's short challenges take that path, a prover's the other."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vecha.crypto.transcript import Transcript, frame, number_frame, points_frame

labels = st.text(min_size=1, max_size=12)
items = st.lists(
    st.one_of(
        st.tuples(st.just("raw"), labels, st.binary(max_size=80)),
        st.tuples(st.just("number"), labels, st.integers(min_value=0, max_value=2**64 - 1)),
        st.tuples(
            st.just("points"),
            labels,
            st.integers(min_value=0, max_value=5).flatmap(lambda n: st.binary(min_size=32 * n, max_size=32 * n)),
        ),
    ),
    max_size=8,
)


@given(labels, items)
def test_pre_framed_items_hash_as_the_calls_do(purpose: str, sequence: list[tuple[str, str, object]]) -> None:
    called = Transcript(purpose)
    framed: list[bytes] = []
    for kind, label, value in sequence:
        if kind == "raw":
            assert isinstance(value, bytes)
            called.raw(label, value)
            framed.append(frame(label, value))
        elif kind == "number":
            assert isinstance(value, int)
            called.number(label, value)
            framed.append(number_frame(label, value))
        else:
            assert isinstance(value, bytes)
            called.packed_points(label, value)
            framed.append(points_frame(label, value))
    assert Transcript.of(purpose, *framed).digest() == called.digest()
    assert Transcript.of(purpose, *framed).challenge() == called.challenge()


def test_a_fresh_transcript_is_not_changed_by_another_of_the_same_purpose() -> None:
    """The domain tag's state is shared and copied: absorbing into one transcript must not
    reach the next one started for the same purpose."""
    first = Transcript("same").raw("x", b"1").digest()
    Transcript.of("same", frame("y", b"2"))
    assert Transcript("same").raw("x", b"1").digest() == first
    assert Transcript("same").digest() != first
