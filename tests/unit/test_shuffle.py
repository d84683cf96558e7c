"""The proof of shuffle (spec §4.5): an honest mix verifies and keeps the messages; every
way a mixer could cheat is caught — dropping, duplicating or replacing a ballot, passing a
ballot on without re-encrypting it, a proof for other inputs, another key, context or
election, and any changed part of the proof — and malformed proofs are refused."""

from __future__ import annotations

import dataclasses

import pytest

from vecha.crypto.elgamal import Ciphertext, decrypt_to_point, encrypt
from vecha.crypto.group import Point, Scalar
from vecha.crypto.shuffle import (
    ShuffleProof,
    generator,
    generators,
    prove_shuffle,
    random_permutation,
    shuffle,
    verify_shuffle,
)
from vecha.errors import InvalidEncoding, InvalidProof

FP = bytes(range(32))
CONTEXT = b"mix 1"
SECRET = Scalar.of(123456789)
KEY = Point.base_mul(SECRET)


def ballots(messages: list[list[int]]) -> list[tuple[Ciphertext, ...]]:
    return [tuple(encrypt(KEY, m, Scalar.random()) for m in row) for row in messages]


def decrypted(rows: list[tuple[Ciphertext, ...]]) -> list[tuple[Point, ...]]:
    return [tuple(decrypt_to_point(SECRET, ct) for ct in row) for row in rows]


def mixed(messages: list[list[int]]):
    inputs = ballots(messages)
    outputs, psi, r = shuffle(KEY, inputs)
    proof = prove_shuffle(FP, KEY, CONTEXT, inputs, outputs, psi, r)
    return inputs, outputs, psi, r, proof


MESSAGES = [[1, 0, 3], [2, 2, 0], [0, 1, 1], [3, 3, 3], [1, 2, 3]]


def test_an_honest_shuffle_verifies_and_keeps_every_ballot() -> None:
    inputs, outputs, psi, _, proof = mixed(MESSAGES)
    verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, proof)
    assert decrypted(outputs) == [decrypted(inputs)[j] for j in psi]
    assert sorted(map(tuple, (tuple(p.encoding for p in row) for row in decrypted(outputs)))) == sorted(
        tuple(p.encoding for p in row) for row in decrypted(inputs)
    )
    # the proof's own encoding round-trips
    again = ShuffleProof.from_json(proof.to_json(), len(inputs), 3)
    assert again == proof
    verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, again)


def test_one_ballot_of_one_ciphertext() -> None:
    inputs, outputs, _, _, proof = mixed([[1]])
    verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, proof)


def test_the_generators_are_fixed_distinct_and_per_election() -> None:
    h = generators(FP, 5)
    assert len(set(h)) == 6 and Point.base_mul(Scalar.of(1)) not in h
    assert generator(FP, 3) == h[3]
    assert generators(bytes(32), 2)[1] != h[1]


def test_the_permutation_is_a_permutation() -> None:
    for n in (1, 2, 7):
        assert sorted(random_permutation(n)) == list(range(n))
    assert len({random_permutation(8) for _ in range(20)}) > 1


def _reencrypted(row: tuple[Ciphertext, ...]) -> tuple[Ciphertext, ...]:
    return tuple(Ciphertext(ct.alpha + Point.base_mul(r), ct.beta + KEY * r) for ct in row for r in [Scalar.random()])


def test_a_mixer_that_replaces_duplicates_or_drops_a_ballot_is_caught() -> None:
    inputs, outputs, psi, r, _ = mixed(MESSAGES)
    # duplicated: output 0 becomes a re-encryption of what output 1 holds; replaced: a new vote
    duplicated = [_reencrypted(outputs[1]), *outputs[1:]]
    replaced = [tuple(encrypt(KEY, 3, Scalar.random()) for _ in range(3)), *outputs[1:]]
    for cheat in (duplicated, replaced):
        proof = prove_shuffle(FP, KEY, CONTEXT, inputs, cheat, psi, r)  # the mixer proves what it can
        with pytest.raises(InvalidProof, match="t4"):
            verify_shuffle(FP, KEY, CONTEXT, inputs, cheat, proof)
    # dropped: one ballot fewer out than in, and a proof made for the smaller input set
    short_in = inputs[:-1]
    out, p2, r2 = shuffle(KEY, short_in)
    proof = prove_shuffle(FP, KEY, CONTEXT, short_in, out, p2, r2)
    with pytest.raises(InvalidEncoding):
        verify_shuffle(FP, KEY, CONTEXT, inputs, out, proof)
    padded = [*out, _reencrypted(out[0])]
    with pytest.raises(InvalidEncoding):
        verify_shuffle(FP, KEY, CONTEXT, inputs, padded, proof)


def test_a_mixer_that_reorders_without_reencrypting_is_caught() -> None:
    inputs = ballots(MESSAGES)
    psi = random_permutation(len(inputs))
    zero = [[Scalar.of(0)] * 3 for _ in inputs]
    outputs = [inputs[j] for j in psi]
    proof = prove_shuffle(FP, KEY, CONTEXT, inputs, outputs, psi, zero)
    with pytest.raises(InvalidProof, match="did not re-encrypt"):
        verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, proof)


def test_a_proof_for_another_statement_is_caught() -> None:
    inputs, outputs, _, _, proof = mixed(MESSAGES)
    other_key = Point.base_mul(Scalar.of(7))
    for fp, key, context, ins in (
        (bytes(32), KEY, CONTEXT, inputs),
        (FP, other_key, CONTEXT, inputs),
        (FP, KEY, b"mix 2", inputs),
        (FP, KEY, CONTEXT, [inputs[1], inputs[0], *inputs[2:]]),  # the inputs in another order
        (FP, KEY, CONTEXT, ballots(MESSAGES)),  # other inputs
    ):
        with pytest.raises(InvalidProof):
            verify_shuffle(fp, key, context, ins, outputs, proof)


FIELDS = [f.name for f in dataclasses.fields(ShuffleProof)]


@pytest.mark.parametrize("name", FIELDS)
def test_any_changed_part_of_the_proof_is_caught(name: str) -> None:
    inputs, outputs, _, _, proof = mixed(MESSAGES)
    value = getattr(proof, name)
    one = Scalar.of(1)
    g = Point.base_mul(one)

    def bump(x):
        if isinstance(x, Point):
            return x + g
        if isinstance(x, Scalar):
            return x + one
        if isinstance(x, tuple) and isinstance(x[0], Point) and len(x) == 2 and name == "t4":
            return (x[0] + g, x[1])
        return (bump(x[0]), *x[1:])

    changed = dataclasses.replace(proof, **{name: bump(value)})
    with pytest.raises(InvalidProof):
        verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, changed)


def test_malformed_proofs_and_shapes_are_refused() -> None:
    inputs, outputs, _, _, proof = mixed(MESSAGES)
    good = proof.to_json()
    for broken in (
        None,
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "t1"},
        {**good, "commitments": good["commitments"][:-1]},
        {**good, "s_prime": [*good["s_prime"], good["s_prime"][0]]},
        {**good, "t1": "zz"},
        {**good, "t2": "ff" * 32},  # not a point
        {**good, "s1": "ff" * 32},  # not a canonical scalar
        {**good, "t4": [{"beta": good["t4"][0]["beta"]}] * 3},
        {**good, "t4": good["t4"][:1]},
    ):
        with pytest.raises(InvalidEncoding):
            ShuffleProof.from_json(broken, len(inputs), 3)
    with pytest.raises(InvalidEncoding):
        verify_shuffle(FP, KEY, CONTEXT, [], [], proof)
    with pytest.raises(InvalidEncoding):
        verify_shuffle(FP, KEY, CONTEXT, [row[:2] for row in inputs], [row[:2] for row in outputs], proof)
    with pytest.raises(InvalidEncoding):
        shuffle(KEY, [inputs[0], inputs[1][:2]])


@pytest.mark.parametrize("piece_rows", [1, 3, 4096])
def test_packed_rows_write_and_read_the_same_json_as_objects(piece_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The packed forms the board uses for large mixes (vecha.crypto.rows, record.packed_entries)
    say exactly what the objects say: the same canonical JSON, the same signed message, the
    same rows back."""
    from vecha.crypto.canonical import canonical_bytes
    from vecha.crypto.rows import PackedRows
    from vecha.election.identity import TrusteeIdentity, signed_message
    from vecha.election.mixing import make_mix, rows_to_json

    key = Point.base_mul(Scalar.random())
    import vecha.crypto.rows

    # written in pieces of one row, of 3 (the last piece short) and of all 4
    monkeypatch.setattr(vecha.crypto.rows, "_PIECE_ROWS", piece_rows)
    rows = [tuple(encrypt(key, m, Scalar.random()) for m in (0, 1, 2)) for _ in range(4)]
    packed = PackedRows.of(rows, 3)
    assert list(packed) == rows and len(packed) == 4 and packed[-1] == rows[-1]
    assert packed.canonical_json() == canonical_bytes(rows_to_json(rows))
    for some in (packed, PackedRows.of(rows[:1], 3), PackedRows.of([], 3), PackedRows.of([r[:1] for r in rows], 1)):
        assert some.canonical_json_length() == len(some.canonical_json()) == len(canonical_bytes(some.to_json()))
    assert PackedRows.from_json(rows_to_json(rows), 4, 3) == packed
    ident = TrusteeIdentity(bytes(32))
    mix = make_mix(bytes(32), key, ident, 1, packed)
    assert mix.signed_message(bytes(32)) == signed_message("mix", bytes(32), mix.body())
    assert mix.canonical_json() == canonical_bytes(mix.to_json())
    with pytest.raises(InvalidEncoding):
        PackedRows.from_json(rows_to_json(rows), 4, 2)


def _packed(proof: ShuffleProof, ballots: int, width: int) -> ShuffleProof:
    from vecha.crypto.canonical import canonical_bytes
    from vecha.crypto.shuffle import proof_from_canonical

    return proof_from_canonical(canonical_bytes(proof.to_json()), ballots, width)


def test_a_proof_read_packed_says_what_the_objects_say() -> None:
    """The board's packed reading of a proof (its long lists as 32-byte items, decoded when
    read) verifies exactly when the parsed proof does: every element the same, the same
    challenges, and a changed element caught the same way."""
    from vecha.crypto.shuffle import PackedPoints, PackedScalars

    inputs, outputs, _, _, proof = mixed(MESSAGES)
    packed = _packed(proof, len(inputs), 3)
    assert isinstance(packed.commitments, PackedPoints) and isinstance(packed.s_prime, PackedScalars)
    for name in FIELDS:
        mine, theirs = getattr(packed, name), getattr(proof, name)
        assert (list(mine) == list(theirs)) if isinstance(theirs, tuple) else (mine == theirs), name
    assert packed.chain[-1] == proof.chain[-1] and packed.s_hat[-2] == proof.s_hat[-2]
    with pytest.raises(IndexError):
        packed.t_hat[len(inputs)]
    verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, packed)
    for name in ("commitments", "chain", "t_hat", "s_hat", "s_prime"):
        json = proof.to_json()
        json[name] = [*json[name][1:], json[name][0]]  # the same items, rotated
        changed = ShuffleProof.from_json(json, len(inputs), 3)
        with pytest.raises(InvalidProof):
            verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, _packed(changed, len(inputs), 3))


def test_a_packed_proof_with_a_bad_item_or_length_is_refused() -> None:
    from vecha.crypto.canonical import canonical_bytes
    from vecha.crypto.shuffle import PROOF_SHAPE, proof_from_canonical

    inputs, _, _, _, proof = mixed(MESSAGES)
    good = proof.to_json()
    assert PROOF_SHAPE.fullmatch(canonical_bytes(good))
    for broken, why in (
        ({**good, "commitments": [*good["commitments"][:-1], "ff" * 32]}, "commitments: point 4"),
        ({**good, "s_hat": [*good["s_hat"][:-1], "ff" * 32]}, "s_hat: scalar 4"),
        ({**good, "chain": good["chain"][:-1]}, "chain has 5 points"),
        ({**good, "s_prime": [*good["s_prime"], good["s_prime"][0]]}, "s_prime has 5 scalars"),
        ({**good, "t4": good["t4"][:1]}, "t4 has one pair per column"),
        ({**good, "t1": "ff" * 32}, "t1"),
    ):
        data = canonical_bytes(broken)
        assert PROOF_SHAPE.fullmatch(data)  # the fast reading's own checks refuse these
        with pytest.raises(InvalidEncoding, match=why):
            proof_from_canonical(data, len(inputs), 3)
    upper = canonical_bytes({**good, "s1": good["s1"].upper()})
    assert not PROOF_SHAPE.fullmatch(upper)  # out of shape: the ordinary parser refuses it
    with pytest.raises(InvalidEncoding):
        proof_from_canonical(upper, len(inputs), 3)


@pytest.mark.parametrize("packed_rows", [False, True])
def test_one_ciphertext_passed_on_unchanged_is_caught_in_packed_rows_too(packed_rows: bool) -> None:
    """The re-encryption check compares every α of the outputs with every α of the inputs
    (sorted by their first bytes): one ciphertext of one ballot left as it was is enough."""
    from vecha.crypto.rows import PackedRows

    inputs, outputs, psi, r, _ = mixed(MESSAGES)
    row = list(outputs[3])
    row[2] = inputs[psi[3]][2]  # this one ciphertext is the input's, not re-encrypted
    r = [list(x) for x in r]
    r[3][2] = Scalar.of(0)
    cheat = [*outputs[:3], tuple(row), *outputs[4:]]
    proof = prove_shuffle(FP, KEY, CONTEXT, inputs, cheat, psi, r)  # a valid proof otherwise
    ins, outs = (PackedRows.of(inputs, 3), PackedRows.of(cheat, 3)) if packed_rows else (inputs, cheat)
    with pytest.raises(InvalidProof, match="did not re-encrypt"):
        verify_shuffle(FP, KEY, CONTEXT, ins, outs, proof)


def test_a_verifier_that_adds_up_in_chunks_decides_as_one_that_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verifier makes generators and challenges and adds up its equations a chunk of
    ballots at a time: with chunks of 2 over 5 ballots (one left over), an honest proof still
    verifies, and a broken chain is named at the same ballot."""
    import vecha.crypto.shuffle as module

    inputs, outputs, _, _, proof = mixed(MESSAGES)
    s_hat = list(proof.s_hat)
    s_hat[3] = s_hat[3] + Scalar.of(1)  # a response, not hashed into the challenge: only t̂ of ballot 3 fails
    broken = dataclasses.replace(proof, s_hat=tuple(s_hat))
    said = []
    for chunk in (module.VERIFY_CHUNK, 2, 1):
        monkeypatch.setattr(module, "VERIFY_CHUNK", chunk)
        verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, proof)
        with pytest.raises(InvalidProof, match=r"verify: t̂ of ballot 3 \(the chain is broken\)$") as e:
            verify_shuffle(FP, KEY, CONTEXT, inputs, outputs, broken)
        said.append(str(e.value))
    assert len(set(said)) == 1
