"""Coercion resistance (docs/coercion.md; spec §6.10, §7.6): the pure parts.

- a credential point with no known discrete logarithm, from a code (real or fake alike);
- link points, by which a ballot names, encrypted, the ballot it replaces;
- the tag columns of a mixed row, a trustee's raising of a column to its secret exponent
  (one proof for the column, §4.6), the decryption of raised columns and the tags;
- the filter: stage one keeps the last ballot of each credential (links, then forks by
  board order), stage two keeps those whose credential is on the roll.

Nothing here reads a clock or a file; the board's rules (`vecha.record`) call it.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.group import IDENTITY, Point, Scalar
from vecha.crypto.proofs.chaum_pedersen import EqualityProof
from vecha.crypto.proofs.exponent import prove_exponent, raise_all, verify_exponent
from vecha.crypto.rows import Row
from vecha.crypto.threshold import lagrange_at_zero
from vecha.crypto.transcript import Transcript
from vecha.election.credentials import normalize_code
from vecha.errors import InvalidEncoding

__all__ = [
    "credential_point",
    "link_point",
    "fresh_link",
    "self_link",
    "TagColumns",
    "tag_columns",
    "Raising",
    "raise_column",
    "verify_raising",
    "TagShares",
    "tag_shares",
    "verify_tag_shares",
    "combine_tags",
    "StageOne",
    "stage_one",
    "latest_of_forks",
    "match_roll",
    "CREDENTIAL_COLUMNS",
]

#: a stage-one row begins with C = E(S), P = E(L_predecessor), E(L_self); the answers follow
CREDENTIAL_COLUMNS = 3


def credential_point(fingerprint: bytes, code: str) -> Point:
    """S = from_uniform_bytes(T("coercion-credential", [election, code])): the same for the
    same code, unrelated for any other, and nobody knows a scalar s with S = s·G (which is
    what keeps its tags from being tested, docs/coercion.md §5.2)."""
    t = Transcript("coercion-credential").raw("election", fingerprint).text("code", normalize_code(code))
    return Point.from_uniform_bytes(t.digest())


def link_point(fingerprint: bytes, tracker: bytes) -> Point:
    """L = from_uniform_bytes(T("link", [election, tracker])) for a 32-byte tracking code."""
    if len(tracker) != 32:
        raise InvalidEncoding("a link names a 32-byte tracking code")
    return Point.from_uniform_bytes(Transcript("link").raw("election", fingerprint).raw("tracker", tracker).digest())


def fresh_link(fingerprint: bytes) -> Point:
    """The predecessor point of a ballot that replaces none: the link of 32 random bytes,
    which names no ballot and looks like any other."""
    return link_point(fingerprint, secrets.token_bytes(32))


def self_link(fingerprint: bytes, tracker: bytes) -> Ciphertext:
    """E(L_self) as the board's rule makes it: the trivial encryption (identity, L)."""
    return Ciphertext(IDENTITY, link_point(fingerprint, tracker))


# ---- tags ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TagColumns:
    """Of each mixed row: C (for the group tag), C + E(L_self) (the link tag) and C + P (the
    tag of the ballot it names), all under the election key."""

    group: tuple[Ciphertext, ...]
    link: tuple[Ciphertext, ...]
    names: tuple[Ciphertext, ...]


def tag_columns(rows: Sequence[Row]) -> TagColumns:
    group, link, names = [], [], []
    for row in rows:
        if len(row) < CREDENTIAL_COLUMNS:
            raise InvalidEncoding(
                f"a row of a coercion-resistant election starts with {CREDENTIAL_COLUMNS} ciphertexts"
            )
        c, p, own = row[0], row[1], row[2]
        group.append(c)
        link.append(c + own)
        names.append(c + p)
    return TagColumns(tuple(group), tuple(link), tuple(names))


def _flat(column: Sequence[Ciphertext]) -> list[Point]:
    return [p for ct in column for p in (ct.alpha, ct.beta)]


def _unflat(points: Sequence[Point]) -> tuple[Ciphertext, ...]:
    return tuple(Ciphertext(points[k], points[k + 1]) for k in range(0, len(points), 2))


@dataclass(frozen=True)
class Raising:
    """Trustee `trustee`'s raising of a column to its secret exponent z: Z = z·G, every
    output ciphertext z·(α, β) of the input at the same place, and the proof (§4.6)."""

    trustee: int
    key: Point
    outputs: tuple[Ciphertext, ...]
    proof: EqualityProof


def raise_column(context: bytes, trustee: int, exponent: Scalar, column: Sequence[Ciphertext], purpose: str) -> Raising:
    bases = _flat(column)
    images = raise_all(exponent, bases)
    key = Point.base_mul(exponent)
    return Raising(trustee, key, _unflat(images), prove_exponent(exponent, key, bases, images, context, purpose))


def verify_raising(context: bytes, raising: Raising, column: Sequence[Ciphertext], purpose: str) -> None:
    """`InvalidProof` unless every output is its input raised to the one exponent of `key`."""
    if len(raising.outputs) != len(column):
        raise InvalidEncoding(f"a raising has one ciphertext per input ({len(column)})")
    if raising.key == IDENTITY:
        raise InvalidEncoding("a tag exponent is not zero")
    verify_exponent(raising.proof, raising.key, _flat(column), _flat(raising.outputs), context, purpose)


@dataclass(frozen=True)
class TagShares:
    """Trustee `trustee`'s decryption shares D_j = x·α_j of a raised column, with one proof
    (§4.6) against its verification key."""

    trustee: int
    shares: tuple[Point, ...]
    proof: EqualityProof


def tag_shares(context: bytes, trustee: int, key_share: Scalar, raised: Sequence[Ciphertext]) -> TagShares:
    alphas = [ct.alpha for ct in raised]
    shares = raise_all(key_share, alphas)
    proof = prove_exponent(key_share, Point.base_mul(key_share), alphas, shares, context, "tag-decryption")
    return TagShares(trustee, tuple(shares), proof)


def verify_tag_shares(context: bytes, shares: TagShares, verification_key: Point, raised: Sequence[Ciphertext]) -> None:
    if len(shares.shares) != len(raised):
        raise InvalidEncoding(f"tag shares: one per raised ciphertext ({len(raised)})")
    verify_exponent(
        shares.proof, verification_key, [ct.alpha for ct in raised], shares.shares, context, "tag-decryption"
    )


def combine_tags(raised: Sequence[Ciphertext], shares: Sequence[TagShares]) -> list[bytes]:
    """The tags: β_j − Σ_i λ_i·D_{i,j} over the trustees that shared (Lagrange at 0), as
    32-byte encodings (compared for equality only)."""
    indices = [s.trustee for s in shares]
    if len(set(indices)) != len(indices):
        raise InvalidEncoding("tag shares: one set per trustee")
    weights = [lagrange_at_zero(i, indices) for i in indices]
    tags = []
    for j, ct in enumerate(raised):
        removed = IDENTITY
        for weight, s in zip(weights, shares, strict=True):
            removed = removed + s.shares[j] * weight
        tags.append((ct.beta - removed).encoding)
    return tags


# ---- the filter ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StageOne:
    """Stage one's outcome over the rows of mix 1: `kept`, the rows that are their
    credential's only unreplaced row; `forks`, per credential with several unreplaced rows,
    those rows (their board order decides, `latest_of_forks`); `replaced`, how many rows
    another row of the same credential named."""

    kept: tuple[int, ...]
    forks: tuple[tuple[int, ...], ...]
    replaced: int


def stage_one(group: Sequence[bytes], link: Sequence[bytes], names: Sequence[bytes]) -> StageOne:
    """Group the rows by their `group` tag; in a group, a row is replaced when another row
    of it names it (its `names` tag is this row's `link` tag). One pass and a hash table per
    group: linear in the rows."""
    if not len(group) == len(link) == len(names):
        raise InvalidEncoding("stage one: three tags per row")
    by_group: dict[bytes, list[int]] = defaultdict(list)
    for j, g in enumerate(group):
        by_group[g].append(j)
    kept, forks, replaced = [], [], 0
    for rows in by_group.values():
        own = {link[j]: j for j in rows}
        named = {own[names[j]] for j in rows if names[j] in own and own[names[j]] != j}
        open_rows = [j for j in rows if j not in named]
        replaced += len(named)
        if len(open_rows) == 1:
            kept.append(open_rows[0])
        elif open_rows:
            forks.append(tuple(open_rows))
        # a group whose every row is named by another (a cycle, made on purpose by the
        # holder of the code) keeps nothing
    return StageOne(tuple(sorted(kept)), tuple(sorted(forks)), replaced)


def latest_of_forks(forks: Sequence[Sequence[int]], places: Mapping[int, int]) -> list[int]:
    """Of each fork, the row whose ballot is latest on the board (`places`: row → board
    index, from the decrypted own links)."""
    latest = []
    for rows in forks:
        latest.append(max(rows, key=lambda j: places[j]))
    return latest


def match_roll(kept_tags: Sequence[bytes], roll_tags: Sequence[bytes]) -> list[int]:
    """Stage two: the kept rows whose credential tag is a roll entry's, in row order. Each
    credential has one kept row (stage one), so no credential counts twice."""
    roll = set(roll_tags)
    return [j for j, tag in enumerate(kept_tags) if tag in roll]
