"""The mix phase (spec §7.5): the counted ballots shuffled by every trustee in turn, then
decrypted one by one.

A ballot's *row* is its choice ciphertexts, question by question and option by option
(the order of §6.2). The first mix takes the rows of the counted ballots (the last ballot
of each credential, §7.1) in board order; mix m takes mix m−1's output. Each mix is a
re-encryption shuffle with its proof (§4.5, context fp ‖ u32be(m)), signed by the mixer's
identity key (§5.1, kind `mix`), so that nobody but the trustees can post one: the box, had
it posted every mix, would know every permutation. After the last mix, trustees decrypt
every ciphertext of its output (Chaum–Pedersen, purpose `mix-decryption`), and the rows
are opened: a decrypted ballot for each voter who counts, with no link to the voter.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vecha.crypto.batch import Batch
from vecha.crypto.canonical import CanonicalText, canonical_bytes
from vecha.crypto.dlog import small_dlog
from vecha.crypto.encoding import hex_bytes
from vecha.crypto.group import Point, Scalar
from vecha.crypto.proofs import EqualityProof, batch_equality
from vecha.crypto.rows import PackedRows, Row, packed
from vecha.crypto.shuffle import ShuffleProof, proof_from_canonical, prove_shuffle, shuffle, verify_shuffle
from vecha.crypto.threshold import lagrange_at_zero
from vecha.crypto.transcript import Transcript
from vecha.election.identity import TrusteeIdentity, verify_signed_message
from vecha.election.trustees import (
    DecryptionShare,
    TrusteeSecret,
    decryption_context,
    partial_decrypt,
    partial_decrypt_canonical,
    verify_partial,
)
from vecha.errors import InvalidEncoding, InvalidProof, InvalidSignature

__all__ = [
    "Mix",
    "make_mix",
    "mix_context",
    "row_of_ballot_json",
    "rows_to_json",
    "rows_from_json",
    "rows_digest",
    "decrypt_rows",
    "decrypt_rows_canonical",
    "verify_row_shares",
    "open_rows",
    "mix_rows",
    "verify_mix_parts",
    "MixedShares",
    "read_row_shares",
    "shares_digest",
    "MAX_MIX_CIPHERTEXTS",
]

#: ciphertexts in one mix entry (ballots × ciphertexts per ballot): about 130 MB of JSON
MAX_MIX_CIPHERTEXTS = 1_000_000
MIX_DECRYPTION = "mix-decryption"
_BATCH_ROWS = 256  #: rows of a trustee's shares checked as one batch (§4.7)


def mix_context(fingerprint: bytes, mixer: int, stage: int = 0) -> bytes:
    """fp ‖ u32be(mixer); in a coercion-resistant election (§7.6) ‖ u32be(stage) too, the
    stage being 1 (the board's ballots), 2 (the kept rows) or 3 (the roll)."""
    context = fingerprint + mixer.to_bytes(4, "big")
    return context + stage.to_bytes(4, "big") if stage else context


def row_of_ballot_json(ballot: Mapping[str, Any]) -> bytes:
    """A ballot's row as 64-byte (α ‖ β) blocks, from its JSON: what the board keeps of a
    counted ballot until the first mix (the ballot itself was checked when accepted)."""
    return b"".join(
        hex_bytes(c["alpha"], 32, "alpha") + hex_bytes(c["beta"], 32, "beta")
        for answer in ballot["answers"]
        for c in answer["choices"]
    )


def rows_to_json(rows: Sequence[Row]) -> list[list[dict[str, str]]]:
    if isinstance(rows, PackedRows):
        return rows.to_json()
    return [[{"alpha": ct.alpha.hex(), "beta": ct.beta.hex()} for ct in row] for row in rows]


def rows_from_json(obj: Any, ballots: int, width: int) -> PackedRows:
    """Rows as a mix holds them; every point checked, kept packed (`vecha.crypto.rows`).
    Rows the board read packed already (their points checked there) are taken as they are."""
    if isinstance(obj, PackedRows):
        if len(obj) != ballots or obj.width != width:
            raise InvalidEncoding(f"a mix has {ballots} ballots of {width} ciphertexts")
        return obj
    try:
        return PackedRows.from_json(obj, ballots, width)
    except InvalidEncoding as e:
        raise InvalidEncoding(f"a mix: {e}") from None


def rows_digest(rows: Sequence[Row]) -> bytes:
    """What a trustee remembers of the mixed ballots it decrypted: 32 bytes of
    T("decrypted-mix", [N, every ciphertext])."""
    t = Transcript("decrypted-mix").number("ballots", len(rows))
    if isinstance(rows, PackedRows):
        for i in range(len(rows)):
            t.number("width", rows.width)
            data = rows.row_bytes(i)
            for k in range(0, len(data), 64):
                t.raw("alpha", data[k : k + 32]).raw("beta", data[k + 32 : k + 64])
        return t.digest()[:32]
    for row in rows:
        t.number("width", len(row))
        for ct in row:
            t.point("alpha", ct.alpha).point("beta", ct.beta)
    return t.digest()[:32]


def _proof(json: Any, ballots: int, width: int) -> ShuffleProof:
    """A shuffle proof from JSON, or from its canonical bytes as the board holds it (read
    packed, `proof_from_canonical`)."""
    if isinstance(json, CanonicalText):
        return proof_from_canonical(json.data, ballots, width)
    return ShuffleProof.from_json(json, ballots, width)


@dataclass(frozen=True)
class Mix:
    """Mix `mixer` (a trustee's index): its output rows, the proof and the signature."""

    mixer: int
    ballots: PackedRows
    proof: ShuffleProof
    signature: bytes

    def body(self) -> dict[str, Any]:
        return {"mixer": self.mixer, "ballots": rows_to_json(self.ballots), "proof": self.proof.to_json()}

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature.hex()}

    def canonical_json(self) -> bytes:
        """`canonical_bytes(self.to_json())`, the rows written from their packed bytes: what a
        trustee posts (a 100k-ballot mix as objects would be some 300 MB more)."""
        return b"".join(
            [
                b'{"ballots":',
                *self.ballots.canonical_json_pieces(),
                b',"mixer":%d,"proof":' % self.mixer,
                canonical_bytes(self.proof.to_json()),
                b',"signature":"%b"}' % self.signature.hex().encode(),
            ]
        )

    def signed_message(self, fingerprint: bytes, proof_json: bytes | None = None) -> bytearray:
        """`signed_message("mix", fp, self.body())` (§5.1); `proof_json`: the proof's
        canonical JSON where it is at hand already (a verifier's worker has it)."""
        proof = canonical_bytes(self.proof.to_json()) if proof_json is None else proof_json
        return mix_signed_message(fingerprint, self.mixer, self.ballots, proof)

    @classmethod
    def from_json(cls, obj: Any, ballots: int, width: int) -> Mix:
        if not isinstance(obj, dict) or set(obj) != {"mixer", "ballots", "proof", "signature"}:
            raise InvalidEncoding("a mix is {mixer, ballots, proof, signature}")
        mixer = obj["mixer"]
        if isinstance(mixer, bool) or not isinstance(mixer, int) or mixer < 1:
            raise InvalidEncoding("a mix names its mixer, a trustee index")
        return cls(
            mixer,
            rows_from_json(obj["ballots"], ballots, width),
            _proof(obj["proof"], ballots, width),
            hex_bytes(obj["signature"], 64, "signature"),
        )

    def verify(
        self,
        fingerprint: bytes,
        key: Point,
        identities: Sequence[bytes],
        inputs: Sequence[Row],
        stage: int = 0,
        proof_json: bytes | None = None,
    ) -> None:
        """The mixer's identity signature, then the proof of shuffle from `inputs`
        (`proof_json`: the proof's canonical JSON, if at hand: see `signed_message`)."""
        if not 1 <= self.mixer <= len(identities):
            raise InvalidEncoding(f"mixer {self.mixer} is not a trustee")
        try:
            message = self.signed_message(fingerprint, proof_json)
            verify_signed_message(identities[self.mixer - 1], self.signature, message)
            del message  # as large as the mix's line: not held while the proof is checked
        except InvalidSignature:
            raise InvalidSignature(f"mix {self.mixer} is not signed by trustee {self.mixer}'s identity key") from None
        try:
            verify_shuffle(
                fingerprint, key, mix_context(fingerprint, self.mixer, stage), inputs, self.ballots, self.proof
            )
        except InvalidProof as e:
            raise InvalidProof(f"mix {self.mixer}: {e}") from None


def mix_signed_message(fingerprint: bytes, mixer: int, ballots: PackedRows, proof_json: bytes) -> bytearray:
    """`signed_message("mix", fp, body)` (§5.1) for a mix's body, written into one buffer of
    its exact size from the packed rows and the proof's canonical JSON: a 100k-ballot mix's
    message is about 100 MB, and it is made once, without objects per ciphertext or copies."""
    head = b'{"body":{"ballots":'
    middle = b',"mixer":%d,"proof":' % mixer
    tail = b'},"election":"' + fingerprint.hex().encode("ascii") + b'","type":"vecha/v2/mix"}'
    size = len(head) + ballots.canonical_json_length() + len(middle) + len(proof_json) + len(tail)
    out = bytearray(size)
    out[: len(head)] = head
    at = ballots.write_canonical_json(out, len(head))
    for part in (middle, proof_json, tail):
        out[at : at + len(part)] = part
        at += len(part)
    if at != size:  # the rows' length formula and their writing disagree: a defect here
        raise AssertionError("a mix's signed message is not the length computed")
    return out


def mix_rows(obj: Any, ballots: int, width: int) -> tuple[int, PackedRows]:
    """A mix's mixer and output rows, its other members only checked to be there: what the
    board needs of a mix whose proof a worker checks (`verify_mix_parts`)."""
    if not isinstance(obj, dict) or set(obj) != {"mixer", "ballots", "proof", "signature"}:
        raise InvalidEncoding("a mix is {mixer, ballots, proof, signature}")
    mixer = obj["mixer"]
    if isinstance(mixer, bool) or not isinstance(mixer, int) or mixer < 1:
        raise InvalidEncoding("a mix names its mixer, a trustee index")
    return mixer, rows_from_json(obj["ballots"], ballots, width)


def verify_mix_parts(
    fingerprint: bytes,
    key: Point,
    identities: Sequence[bytes],
    inputs: PackedRows,
    mixer: int,
    ballots: PackedRows,
    proof_json: bytes,
    signature: Any,
    stage: int = 0,
) -> None:
    """Parse a mix's proof (its canonical JSON) and check the mix's signature and proof: on a
    verifier's worker process, which is sent only compact pieces (the packed rows, the
    proof's bytes) and reads the proof packed, never an object per ciphertext."""
    proof = proof_from_canonical(proof_json, len(inputs), inputs.width)
    Mix(mixer, ballots, proof, hex_bytes(signature, 64, "signature")).verify(
        fingerprint, key, identities, inputs, stage, proof_json
    )


def make_mix(
    fingerprint: bytes, key: Point, identity: TrusteeIdentity, mixer: int, inputs: Sequence[Row], stage: int = 0
) -> Mix:
    """Shuffle `inputs`, prove it, sign it; the permutation and randomness are forgotten."""
    outputs, psi, randomness = shuffle(key, inputs)
    context = mix_context(fingerprint, mixer, stage)
    proof = prove_shuffle(fingerprint, key, context, inputs, outputs, psi, randomness)
    rows = packed(outputs)
    unsigned = Mix(mixer, rows, proof, b"")
    return Mix(mixer, rows, proof, identity.sign_message(unsigned.signed_message(fingerprint)))


# ---- decrypting the mixed ballots ---------------------------------------------------------


def decrypt_rows(fingerprint: bytes, secret: TrusteeSecret, rows: Sequence[Row]) -> list[list[DecryptionShare]]:
    """Trustee shares for every ciphertext of the last mix (context fp ‖ u32be(j) ‖ u32be(b)
    ‖ u32be(k) for ballot b, ciphertext k)."""
    return partial_decrypt(fingerprint, secret, rows, purpose=MIX_DECRYPTION)


def decrypt_rows_canonical(fingerprint: bytes, secret: TrusteeSecret, rows: Sequence[Row]) -> bytes:
    """`decrypt_rows`' shares as their canonical JSON, written share by share (no object per
    share): what `vecha trustee decrypt` sends for a mixed election."""
    return partial_decrypt_canonical(fingerprint, secret, rows, purpose=MIX_DECRYPTION)


def verify_row_shares(
    fingerprint: bytes,
    trustee: int,
    verification_key: Point,
    rows: Sequence[Row],
    shares: Sequence[Sequence[DecryptionShare]],
) -> None:
    verify_partial(fingerprint, trustee, verification_key, rows, shares, purpose=MIX_DECRYPTION)


@dataclass(frozen=True)
class MixedShares:
    """Trustee j's checked shares of every mixed ciphertext, as the board keeps them: the
    share points D packed (32 bytes each, row by row) and a digest of the shares as posted
    (to tell the same decryption posted again from another one)."""

    trustee: int
    points: bytes
    digest: bytes

    def share(self, b: int, k: int, width: int) -> Point:
        at = (b * width + k) * 32
        return Point.trusted(self.points[at : at + 32])


def read_row_shares(
    fingerprint: bytes,
    trustee: int,
    verification_key: Point | None,
    rows: Sequence[Row],
    obj: Any,
    batched: bool = True,
) -> MixedShares:
    """Parse trustee `trustee`'s shares of the mixed `rows` (§7.5 step 3) row by row,
    checking each share's proof unless `verification_key` is None (a trusted replay): with
    `batched`, `_BATCH_ROWS` rows at a time as one batch (§4.7), and those rows share by
    share only if it fails, to name the first wrong share; one by one otherwise. At most one
    batch of rows of parsed shares is held at a time."""
    width = rows.width if isinstance(rows, PackedRows) else (len(rows[0]) if rows else 0)
    packed_in = obj if hasattr(obj, "data") and hasattr(obj, "width") and hasattr(obj, "rows") else None
    count = packed_in.rows if packed_in is not None else (len(obj) if isinstance(obj, list) else -1)
    if count != len(rows):
        raise InvalidEncoding(f"mix decryption: one row of shares per mixed ballot ({len(rows)})")
    if packed_in is not None and packed_in.width != width:
        raise InvalidEncoding(f"mix decryption: {width} shares per mixed ballot")
    points = bytearray()
    t = Transcript("mix-shares").number("trustee", trustee)
    batch = Batch()
    held: list[tuple[int, list[DecryptionShare]]] = []

    def settle() -> None:
        nonlocal batch
        if held and verification_key is not None and not batch.holds():
            for at, row_shares in held:
                verify_partial(
                    fingerprint, trustee, verification_key, [rows[at]], [row_shares], MIX_DECRYPTION, at, False
                )
        batch = Batch()
        held.clear()

    for b in range(count):
        if packed_in is not None:
            shares = [_share_of(packed_in.data, (b * width + k) * 128, f"shares[{b}][{k}]") for k in range(width)]
        else:
            raw = obj[b]
            if not isinstance(raw, list) or len(raw) != width:
                raise InvalidEncoding(f"mix decryption: {width} shares per mixed ballot")
            shares = [DecryptionShare.from_json(x, f"shares[{b}][{k}]") for k, x in enumerate(raw)]
        if verification_key is not None and not batched:
            verify_partial(fingerprint, trustee, verification_key, [rows[b]], [shares], MIX_DECRYPTION, b, False)
        elif verification_key is not None:
            for k, (ct, x) in enumerate(zip(rows[b], shares, strict=True)):
                context = decryption_context(fingerprint, trustee, b, k)
                batch_equality(batch, x.proof, ct.alpha, verification_key, x.share, context, MIX_DECRYPTION)
            held.append((b, shares))
            if len(held) >= _BATCH_ROWS:
                settle()
        for x in shares:
            points += x.share.encoding
            _digest_share(t, x)
    settle()
    return MixedShares(trustee, bytes(points), t.digest()[:32])


def _digest_share(t: Transcript, x: DecryptionShare) -> None:
    t.point("share", x.share).point("a", x.proof.a).point("b", x.proof.b).scalar("response", x.proof.response)


def _share_of(data: bytes, at: int, what: str) -> DecryptionShare:
    """One share of packed shares (A ‖ B ‖ response ‖ D): three points, a canonical scalar."""
    try:
        r = Scalar.from_canonical_bytes(data[at + 64 : at + 96])
    except InvalidEncoding as e:
        raise InvalidEncoding(f"{what}.response: {e}") from None
    points = Point.many_from_bytes(data[at : at + 64] + data[at + 96 : at + 128])
    if points is None:
        raise InvalidEncoding(f"{what}: invalid ristretto255 point encoding")
    a, b, d = points
    return DecryptionShare(d, EqualityProof(a, b, r))


def shares_digest(trustee: int, obj: Any) -> bytes:
    """The digest `read_row_shares` gives for these shares (their points are checked, their
    proofs not)."""
    if not isinstance(obj, list):
        raise InvalidEncoding("mix decryption: a list of rows of shares")
    t = Transcript("mix-shares").number("trustee", trustee)
    for b, raw in enumerate(obj):
        if not isinstance(raw, list):
            raise InvalidEncoding("mix decryption: a row of shares is a list")
        for k, x in enumerate(raw):
            _digest_share(t, DecryptionShare.from_json(x, f"shares[{b}][{k}]"))
    return t.digest()[:32]


def open_rows(
    rows: Sequence[Row], shares: Mapping[int, MixedShares | Sequence[Sequence[DecryptionShare]]], bound: int
) -> list[list[int | None]]:
    """Each mixed ballot's messages: m = log_G(β − Σ_j λ_j·D_j), or None where it is not
    in 0…bound (such a ballot is invalid: counted as such, visibly)."""
    indices = sorted(shares)
    lambdas = {j: lagrange_at_zero(j, indices) for j in indices}
    out: list[list[int | None]] = []
    for b, row in enumerate(rows):
        plain: list[int | None] = []
        for k, ct in enumerate(row):
            m = ct.beta
            for j in indices:
                given = shares[j]
                d = given.share(b, k, len(row)) if isinstance(given, MixedShares) else given[b][k].share
                m = m - d * lambdas[j]
            try:
                plain.append(small_dlog(m, bound))
            except InvalidEncoding:
                plain.append(None)
        out.append(plain)
    return out
