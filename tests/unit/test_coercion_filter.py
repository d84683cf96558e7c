"""The coercion-resistance filter end to end over real ciphertexts (docs/coercion.md §4):
ballots with real and fake codes, re-votes that name their predecessor, a fork, a ballot
that names another credential's ballot and a coercer flooding a fake code go through mix 1,
tags raised by every trustee and decrypted by a threshold, stage one, mix 2 and the roll
match; exactly the last ballot of each registered code is counted. A trustee that raises
with two exponents, or shares a wrong decryption, is caught."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

import pytest

from vecha.crypto.elgamal import Ciphertext, encrypt
from vecha.crypto.group import Point, Scalar
from vecha.crypto.rows import PackedRows, packed
from vecha.crypto.shuffle import shuffle
from vecha.crypto.threshold import Polynomial
from vecha.election.coercion import (
    combine_tags,
    credential_point,
    fresh_link,
    latest_of_forks,
    link_point,
    match_roll,
    raise_column,
    self_link,
    stage_one,
    tag_columns,
    tag_shares,
)
from vecha.election.credentials import new_code
from vecha.errors import InvalidProof, InvalidSignature
from vecha.testing.records import fixed_identities

FP = bytes(range(32))
POLY = Polynomial.random(2)  # three trustees, any two decrypt
SHARES = {i: POLY.at(i) for i in (1, 2, 3)}
KEY = Point.base_mul(POLY.at(0))
IDENTITIES = fixed_identities(3)
PUBLIC = [i.public for i in IDENTITIES]


def enc(point: Point) -> Ciphertext:
    r = Scalar.random()
    return Ciphertext(Point.base_mul(r), point + KEY * r)


@dataclass
class Cast:
    tracker: bytes
    row: tuple[Ciphertext, ...]
    vote: int


def cast(code: str, vote: int, replaces: Cast | None = None) -> Cast:
    predecessor = link_point(FP, replaces.tracker) if replaces else fresh_link(FP)
    tracker = secrets.token_bytes(32)
    return Cast(
        tracker,
        (
            enc(credential_point(FP, code)),
            enc(predecessor),
            self_link(FP, tracker),
            encrypt(KEY, vote, Scalar.random()),
        ),
        vote,
    )


def tags(column: PackedRows, kind: str) -> list[bytes]:
    """Every trustee raises the column in turn (each signature and proof checked), then
    trustees 1 and 3 decrypt it (each proof checked)."""
    for trustee in (1, 2, 3):
        raising = raise_column(FP, IDENTITIES[trustee - 1], trustee, Scalar.random(), kind, column)
        raising.verify(FP, PUBLIC, column)
        column = raising.outputs
    shares = [tag_shares(FP, kind, i, SHARES[i], column) for i in (1, 3)]
    for s in shares:
        s.verify(FP, Point.base_mul(SHARES[s.trustee]), column)
    return combine_tags(column, shares)


def decrypt_point(ct: Ciphertext) -> Point:
    return ct.beta - ct.alpha * POLY.at(0)


def test_exactly_the_last_ballot_of_each_registered_code_counts() -> None:
    alice, bob, carol, dave = (new_code() for _ in range(4))
    fake = new_code()  # alice's, for a coercer
    roll = [enc(credential_point(FP, c)) for c in (alice, bob, carol, dave)]
    board: list[Cast] = []

    def add(c: Cast) -> Cast:
        board.append(c)
        return c

    a1 = add(cast(alice, 1))
    add(cast(fake, 0))  # cast in front of the coercer
    for _ in range(4):  # the coercer floods the fake code with ballots that name nothing
        add(cast(fake, 0))
    a2 = add(cast(alice, 2, replaces=a1))  # alice votes again alone, naming her last ballot
    b1 = add(cast(bob, 3))
    add(cast(bob, 4, replaces=b1))  # bob votes again, naming his first ballot; then from a
    b3 = add(cast(bob, 5))  # second device without the last tracking code: a fork, the latest counts
    add(cast(carol, 6, replaces=a2))  # carol names alice's ballot: it replaces nothing
    add(cast(new_code(), 7))  # nonsense from someone with no registration
    # dave abstains
    expected = sorted([2, 5, 6])

    rows = [c.row for c in board]
    mixed, psi, _ = shuffle(KEY, rows)
    group, link = tag_columns(packed(mixed))
    link_tags = tags(link, "tag-link")  # row by row: the own link's tag, then the named one's
    one = stage_one(tags(group, "tag-group"), link_tags[0::2], link_tags[1::2])
    assert one.replaced == 2  # alice's and bob's first ballots
    assert len(one.forks) == 2  # bob's two open ballots, and the fake code's five
    # forks: the own-link column of just those rows is decrypted, naming their ballots
    place_of_link = {link_point(FP, c.tracker).encoding: k for k, c in enumerate(board)}
    places = {j: place_of_link[decrypt_point(mixed[j][2]).encoding] for fork in one.forks for j in fork}
    kept = sorted([*one.kept, *latest_of_forks(one.forks, places)])
    assert b3.tracker in {board[psi[j]].tracker for j in kept}
    # stage two: the kept rows (credential and answers) and the roll, mixed again
    survivors, _, _ = shuffle(KEY, [(mixed[j][0], mixed[j][3]) for j in kept])
    roll_mixed, _, _ = shuffle(KEY, [(r,) for r in roll])
    second = tags(PackedRows.of([(r[0],) for r in [*survivors, *roll_mixed]], 1), "tag-match")
    survivor_tags, roll_tags = second[: len(survivors)], second[len(survivors) :]
    assert len(set(survivor_tags)) == len(survivor_tags)  # one row per credential reaches the roll
    counted = match_roll(survivor_tags, roll_tags)
    votes = sorted(_small_log(decrypt_point(survivors[j][1])) for j in counted)
    assert votes == expected


def _small_log(p: Point) -> int:
    for m in range(16):
        if Point.base_mul(Scalar.of(m)) == p:
            return m
    raise AssertionError("not a small vote")


def test_a_trustee_that_raises_with_two_exponents_or_shares_a_wrong_decryption_is_caught() -> None:
    inputs = PackedRows.of([(enc(credential_point(FP, new_code())),) for _ in range(5)], 1)
    z, me = Scalar.random(), IDENTITIES[1]
    honest = raise_column(FP, me, 2, z, "tag-group", inputs)
    honest.verify(FP, PUBLIC, inputs)
    other = raise_column(FP, me, 2, z + Scalar.of(1), "tag-group", inputs)
    # one ciphertext raised to another exponent, the whole re-proved and re-signed
    outputs = PackedRows(honest.outputs.data[: 4 * 64] + other.outputs.data[4 * 64 :], 1)
    with pytest.raises(InvalidProof):
        _resigned(replace(honest, outputs=outputs), me).verify(FP, PUBLIC, inputs)
    changed = PackedRows(inputs.data[: 4 * 64] + PackedRows.of([(enc(Point.base_mul(Scalar.of(3))),)], 1).data, 1)
    with pytest.raises(InvalidProof):  # the proof of another column
        honest.verify(FP, PUBLIC, changed)
    with pytest.raises(InvalidProof):  # the same raising offered as another kind of tag
        _resigned(replace(honest, kind="tag-link"), me).verify(FP, PUBLIC, inputs)
    with pytest.raises(InvalidProof):  # or as another trustee's, signed by that trustee
        _resigned(replace(honest, trustee=3), IDENTITIES[2]).verify(FP, PUBLIC, inputs)
    with pytest.raises(InvalidSignature):  # relayed as another trustee's, unsigned by it
        replace(honest, trustee=3).verify(FP, PUBLIC, inputs)
    with pytest.raises(InvalidSignature):  # or from another election
        honest.verify(bytes(32), PUBLIC, inputs)
    shares = tag_shares(FP, "tag-group", 1, SHARES[1], honest.outputs)
    shares.verify(FP, Point.base_mul(SHARES[1]), honest.outputs)
    bad = shares.shares[:64] + (shares.share(2) + KEY).encoding + shares.shares[96:]
    with pytest.raises(InvalidProof):
        replace(shares, shares=bad).verify(FP, Point.base_mul(SHARES[1]), honest.outputs)
    with pytest.raises(InvalidProof):  # shares made with trustee 1's key offered as trustee 3's
        replace(shares, trustee=3).verify(FP, Point.base_mul(SHARES[3]), honest.outputs)
    with pytest.raises(InvalidProof):  # shares of one kind offered as another's
        replace(shares, kind="tag-link").verify(FP, Point.base_mul(SHARES[1]), honest.outputs)


def _resigned(raising, identity):  # type: ignore[no-untyped-def]
    """A dishonest trustee's raising, signed by it: only the proof can catch it."""
    unsigned = replace(raising, signature=b"")
    return replace(unsigned, signature=identity.sign_message(unsigned.signed_message(FP)))


def test_the_same_code_gives_the_same_credential_and_a_fake_one_an_unrelated_one() -> None:
    code = new_code()
    assert credential_point(FP, code) == credential_point(FP, code.lower().replace("-", ""))
    assert credential_point(FP, code) != credential_point(bytes(32), code)
    assert len({credential_point(FP, new_code()) for _ in range(20)}) == 20
