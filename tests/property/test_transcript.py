"""`Transcript.of` with pre-framed items hashes the bytes that the item-by-item calls hash
(spec §2.4): a verifier's short challenges take that path, a prover's the other."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vecha.crypto.proofs.disjunctive import range_challenge, range_challenger
from vecha.crypto.proofs.schnorr import knowledge_challenge
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


@given(
    st.sampled_from(["ballot-choice", "ballot-overall"]),
    st.binary(max_size=80),
    st.lists(st.binary(min_size=32, max_size=32), min_size=3, max_size=3),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=3),
)
def test_a_range_challenge_is_the_transcript_of_section_4_3(
    purpose: str, context: bytes, values: list[bytes], lo: int, extra: int
) -> None:
    """The verifier's one-hash challenge (`RangeChallenger`) against the item-by-item
    transcript that §4.3 writes down."""
    key, alpha, beta = values
    hi = lo + extra
    commitments = b"".join(bytes([k]) * 32 for k in range(2 * (hi - lo + 1)))  # A_lo, B_lo, …
    expected = (
        Transcript(purpose)
        .raw("context", context)
        .raw("K", key)
        .raw("alpha", alpha)
        .raw("beta", beta)
        .number("lo", lo)
        .number("hi", hi)
        .packed_points("commitments", commitments)
        .challenge()
    )
    assert range_challenge(purpose, context, key, alpha, beta, lo, hi, commitments) == expected
    assert range_challenger(purpose, key, lo, hi)(context, alpha, beta, commitments) == expected


@given(st.binary(max_size=80), st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_a_knowledge_challenge_is_the_transcript_of_section_4_1(
    context: bytes, public: bytes, commitment: bytes
) -> None:
    expected = Transcript("ballot-signature").raw("context", context).raw("X", public).raw("A", commitment).challenge()
    assert knowledge_challenge("ballot-signature", context, public, commitment) == expected
