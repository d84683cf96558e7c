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
from dataclasses import dataclass, replace
from typing import Any

from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.encoding import hex_bytes, point_from_hex
from vecha.crypto.group import IDENTITY, Point, Scalar, weighted_sum
from vecha.crypto.proofs.chaum_pedersen import EQUALITY_KEYS, EqualityProof, equality_from_json, equality_to_json
from vecha.crypto.proofs.exponent import prove_exponent_packed, raise_packed, verify_exponent_packed
from vecha.crypto.rows import PackedRows
from vecha.crypto.threshold import lagrange_at_zero
from vecha.crypto.transcript import Transcript
from vecha.election.credentials import normalize_code
from vecha.election.identity import TrusteeIdentity, verify_signed_message
from vecha.errors import InvalidEncoding, InvalidProof, InvalidSignature

__all__ = [
    "credential_point",
    "link_point",
    "fresh_link",
    "self_link",
    "TAG_KINDS",
    "DECRYPTION_KINDS",
    "tag_columns",
    "column",
    "tag_context",
    "Raising",
    "raise_column",
    "TagShares",
    "tag_shares",
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

#: the tag kinds (§7.6 step 3), each raised with its own exponents; `own-link` is no tag: it
#: is the plain decryption of the forks' own links (step 5)
TAG_KINDS = ("tag-group", "tag-link", "tag-match")
DECRYPTION_KINDS = (*TAG_KINDS, "own-link")


def tag_columns(rows: PackedRows) -> tuple[PackedRows, PackedRows]:
    """Of each mixed stage-one row (C, P, E, answers…): the `group` column C (rows of one)
    and the `link` column (C + E, C + P) (rows of two: the row's own link tag, then the tag
    of the ballot it names), all still under the election key."""
    if rows.width < CREDENTIAL_COLUMNS + 1:
        raise InvalidEncoding(f"a stage-one row holds {CREDENTIAL_COLUMNS} ciphertexts and the answers")
    group, link = bytearray(), bytearray()
    for row in rows:
        c, p, own = row[0], row[1], row[2]
        group += c.alpha.encoding + c.beta.encoding
        for ct in (c + own, c + p):
            link += ct.alpha.encoding + ct.beta.encoding
    return PackedRows(bytes(group), 1), PackedRows(bytes(link), 2)


def column(rows: PackedRows, k: int) -> PackedRows:
    """Ciphertext `k` of every row, as rows of one."""
    return PackedRows(b"".join(rows.row_bytes(i)[64 * k : 64 * k + 64] for i in range(len(rows))), 1)


def tag_context(fingerprint: bytes, trustee: int) -> bytes:
    return fingerprint + trustee.to_bytes(4, "big")


def _decryption_context(fingerprint: bytes, trustee: int, kind: str) -> bytes:
    return tag_context(fingerprint, trustee) + kind.encode("ascii")


def _proof_json(proof: EqualityProof) -> dict[str, str]:
    return equality_to_json(proof)


def _proof_from(obj: Any) -> EqualityProof:
    if not isinstance(obj, dict) or set(obj) != set(EQUALITY_KEYS):
        raise InvalidEncoding(f"proof: {{{', '.join(EQUALITY_KEYS)}}}")
    return equality_from_json(obj, "proof")


def _kind(value: Any, kinds: tuple[str, ...]) -> str:
    if value not in kinds:
        raise InvalidEncoding(f"kind is one of {list(kinds)}")
    return str(value)


def _trustee(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidEncoding("trustee: a trustee's index")
    return value


@dataclass(frozen=True)
class Raising:
    """Trustee `trustee`'s raising of a column to its secret exponent z for tag kind `kind`:
    Z = z·G (`key`), every ciphertext (α, β) of the input as (z·α, z·β) at the same place
    (`outputs`, packed), the proof (§4.6) and the trustee's identity signature (kind
    `raising`), so that nobody but the trustees can post one."""

    kind: str
    trustee: int
    key: Point
    outputs: PackedRows
    proof: EqualityProof
    signature: bytes

    def signed_message(self, fingerprint: bytes) -> bytes:
        """`signed_message("raising", fp, body)` (§5.1) with the body the payload less
        `signature`, assembled from its canonical pieces (no object per ciphertext)."""
        return b"".join(
            [
                b'{"body":{"ciphertexts":',
                *self.outputs.canonical_json_pieces(),
                b',"key":"%b","kind":"%b","proof":' % (self.key.hex().encode(), self.kind.encode()),
                canonical_bytes(_proof_json(self.proof)),
                b',"trustee":%d},"election":"%b","type":"vecha/v2/raising"}'
                % (self.trustee, fingerprint.hex().encode()),
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ciphertexts": self.outputs.to_json(),
            "key": self.key.hex(),
            "kind": self.kind,
            "proof": _proof_json(self.proof),
            "signature": self.signature.hex(),
            "trustee": self.trustee,
        }

    @classmethod
    def from_json(cls, obj: Any, rows: int, width: int) -> Raising:
        if not isinstance(obj, dict) or set(obj) != {"ciphertexts", "key", "kind", "proof", "signature", "trustee"}:
            raise InvalidEncoding("a raising is {ciphertexts, key, kind, proof, signature, trustee}")
        outputs = obj["ciphertexts"]
        if not isinstance(outputs, PackedRows):
            outputs = PackedRows.from_json(outputs, rows, width)
        elif len(outputs) != rows or outputs.width != width:
            raise InvalidEncoding(f"a raising has {rows} rows of {width} ciphertexts")
        key = point_from_hex(obj["key"], "key", nonidentity=True)
        proof = _proof_from(obj["proof"])
        return cls(
            _kind(obj["kind"], TAG_KINDS),
            _trustee(obj["trustee"]),
            key,
            outputs,
            proof,
            hex_bytes(obj["signature"], 64, "signature"),
        )

    def verify(self, fingerprint: bytes, identities: Sequence[bytes], inputs: PackedRows) -> None:
        """The trustee's signature, then `InvalidProof` unless every output is its input
        raised to the one exponent of `key`."""
        if not 1 <= self.trustee <= len(identities):
            raise InvalidEncoding(f"trustee {self.trustee} is not a trustee")
        if len(self.outputs) != len(inputs) or self.outputs.width != inputs.width:
            raise InvalidEncoding(f"a raising has one ciphertext per input ({len(inputs)} rows of {inputs.width})")
        if self.key == IDENTITY:
            raise InvalidEncoding("a tag exponent is not zero")
        try:
            verify_signed_message(identities[self.trustee - 1], self.signature, self.signed_message(fingerprint))
        except InvalidSignature:
            raise InvalidSignature(f"the {self.kind} raising is not signed by trustee {self.trustee}") from None
        context = tag_context(fingerprint, self.trustee)
        try:
            verify_exponent_packed(self.proof, self.key, inputs.data, self.outputs.data, context, self.kind)
        except InvalidProof:
            raise InvalidProof(
                f"trustee {self.trustee}'s {self.kind} raising: not one exponent for every ciphertext"
            ) from None


def raise_column(
    fingerprint: bytes, identity: TrusteeIdentity, trustee: int, exponent: Scalar, kind: str, inputs: PackedRows
) -> Raising:
    """Trustee `trustee` raises `inputs` to `exponent` (secret, nonzero), proves and signs it."""
    if kind not in TAG_KINDS:
        raise InvalidEncoding(f"kind is one of {list(TAG_KINDS)}")
    key = Point.base_mul(exponent)
    outputs = PackedRows(raise_packed(exponent, inputs.data), inputs.width)
    proof = prove_exponent_packed(exponent, key, inputs.data, outputs.data, tag_context(fingerprint, trustee), kind)
    unsigned = Raising(kind, trustee, key, outputs, proof, b"")
    return replace(unsigned, signature=identity.sign_message(unsigned.signed_message(fingerprint)))


def _alphas(rows: PackedRows) -> bytes:
    d = rows.data
    return b"".join(d[k : k + 32] for k in range(0, len(d), 64))


@dataclass(frozen=True)
class TagShares:
    """Trustee `trustee`'s decryption shares D_j = x·α_j of every ciphertext of a raised
    column (row by row), packed (32 bytes each), with one proof (§4.6) against its
    verification key. Posted only by a trustee (it alone can prove with its key share)."""

    kind: str
    trustee: int
    shares: bytes
    proof: EqualityProof

    def share(self, j: int) -> Point:
        return Point.trusted(self.shares[32 * j : 32 * j + 32])

    def to_json(self) -> dict[str, Any]:
        d = self.shares
        return {
            "kind": self.kind,
            "proof": _proof_json(self.proof),
            "shares": [d[k : k + 32].hex() for k in range(0, len(d), 32)],
            "trustee": self.trustee,
        }

    @classmethod
    def from_json(cls, obj: Any, count: int) -> TagShares:
        if not isinstance(obj, dict) or set(obj) != {"kind", "proof", "shares", "trustee"}:
            raise InvalidEncoding("a tag decryption is {kind, proof, shares, trustee}")
        given = obj["shares"]
        if hasattr(given, "data") and not isinstance(given, list):  # read packed, points checked
            if len(given.data) != 32 * count:
                raise InvalidEncoding(f"a tag decryption has one share per raised ciphertext ({count})")
            shares = bytes(given.data)
        elif not isinstance(given, list) or len(given) != count:
            raise InvalidEncoding(f"a tag decryption has one share per raised ciphertext ({count})")
        else:
            shares = b"".join(point_from_hex(x, f"shares[{j}]").encoding for j, x in enumerate(given))
        return cls(_kind(obj["kind"], DECRYPTION_KINDS), _trustee(obj["trustee"]), shares, _proof_from(obj["proof"]))

    def verify(self, fingerprint: bytes, verification_key: Point, raised: PackedRows) -> None:
        count = len(raised) * raised.width
        if len(self.shares) != 32 * count:
            raise InvalidEncoding(f"tag shares: one per raised ciphertext ({count})")
        context = _decryption_context(fingerprint, self.trustee, self.kind)
        try:
            verify_exponent_packed(
                self.proof, verification_key, _alphas(raised), self.shares, context, "tag-decryption"
            )
        except InvalidProof:
            raise InvalidProof(f"trustee {self.trustee}'s {self.kind} decryption shares do not verify") from None


def tag_shares(fingerprint: bytes, kind: str, trustee: int, key_share: Scalar, raised: PackedRows) -> TagShares:
    if kind not in DECRYPTION_KINDS:
        raise InvalidEncoding(f"kind is one of {list(DECRYPTION_KINDS)}")
    alphas = _alphas(raised)
    shares = raise_packed(key_share, alphas)
    context = _decryption_context(fingerprint, trustee, kind)
    proof = prove_exponent_packed(key_share, Point.base_mul(key_share), alphas, shares, context, "tag-decryption")
    return TagShares(kind, trustee, shares, proof)


def combine_tags(raised: PackedRows, shares: Sequence[TagShares]) -> list[bytes]:
    """The plaintext of every raised ciphertext, row by row: β_j − Σ_i λ_i·D_{i,j} over the
    trustees that shared (Lagrange at 0), as 32-byte encodings (tags are compared for
    equality only; an own link names a tracking code)."""
    indices = [s.trustee for s in shares]
    if len(set(indices)) != len(indices):
        raise InvalidEncoding("tag shares: one set per trustee")
    weights = [lagrange_at_zero(i, indices) for i in indices]
    d, tags = raised.data, []
    for j in range(len(d) // 64):
        removed = weighted_sum(weights, [s.share(j) for s in shares])
        tags.append((Point.trusted(d[64 * j + 32 : 64 * j + 64]) - removed).encoding)
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
