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
    verify_raising,
    verify_tag_shares,
)
from vecha.election.credentials import new_code
from vecha.errors import InvalidProof

FP = bytes(range(32))
POLY = Polynomial.random(2)  # three trustees, any two decrypt
SHARES = {i: POLY.at(i) for i in (1, 2, 3)}
KEY = Point.base_mul(POLY.at(0))


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


def tags(column: tuple[Ciphertext, ...], purpose: str) -> list[bytes]:
    """Every trustee raises the column in turn (each proof checked), then trustees 1 and 3
    decrypt it (each proof checked)."""
    for trustee in (1, 2, 3):
        raising = raise_column(FP, trustee, Scalar.random(), column, purpose)
        verify_raising(FP, raising, column, purpose)
        column = raising.outputs
    shares = [tag_shares(FP, i, SHARES[i], column) for i in (1, 3)]
    for s in shares:
        verify_tag_shares(FP, s, Point.base_mul(SHARES[s.trustee]), column)
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
    columns = tag_columns(mixed)
    link_exponent_pass = tags(columns.link + columns.names, "tag-link")
    n = len(mixed)
    one = stage_one(tags(columns.group, "tag-group"), link_exponent_pass[:n], link_exponent_pass[n:])
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
    second = tags(tuple(r[0] for r in survivors) + tuple(r[0] for r in roll_mixed), "tag-match")
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
    column = tuple(enc(credential_point(FP, new_code())) for _ in range(5))
    z = Scalar.random()
    honest = raise_column(FP, 2, z, column, "tag-group")
    verify_raising(FP, honest, column, "tag-group")
    other = raise_column(FP, 2, z + Scalar.of(1), column, "tag-group")
    mixed_outputs = (*honest.outputs[:4], other.outputs[4])  # one ciphertext raised otherwise
    with pytest.raises(InvalidProof):
        verify_raising(FP, replace(honest, outputs=mixed_outputs), column, "tag-group")
    with pytest.raises(InvalidProof):  # the proof of another column
        verify_raising(FP, honest, (*column[:4], enc(Point.base_mul(Scalar.of(3)))), "tag-group")
    with pytest.raises(InvalidProof):  # the same raising offered as another kind of tag
        verify_raising(FP, honest, column, "tag-link")
    shares = tag_shares(FP, 1, SHARES[1], honest.outputs)
    verify_tag_shares(FP, shares, Point.base_mul(SHARES[1]), honest.outputs)
    wrong = replace(shares, shares=(*shares.shares[:2], shares.shares[2] + KEY, *shares.shares[3:]))
    with pytest.raises(InvalidProof):
        verify_tag_shares(FP, wrong, Point.base_mul(SHARES[1]), honest.outputs)
    with pytest.raises(InvalidProof):  # shares made with trustee 1's key offered as trustee 3's
        verify_tag_shares(FP, shares, Point.base_mul(SHARES[3]), honest.outputs)


def test_the_same_code_gives_the_same_credential_and_a_fake_one_an_unrelated_one() -> None:
    code = new_code()
    assert credential_point(FP, code) == credential_point(FP, code.lower().replace("-", ""))
    assert credential_point(FP, code) != credential_point(bytes(32), code)
    assert len({credential_point(FP, new_code()) for _ in range(20)}) == 20
