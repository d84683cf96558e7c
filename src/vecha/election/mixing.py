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

from vecha.crypto.dlog import small_dlog
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.encoding import hex_bytes, point_from_hex
from vecha.crypto.group import Point
from vecha.crypto.shuffle import Row, ShuffleProof, prove_shuffle, shuffle, verify_shuffle
from vecha.crypto.threshold import lagrange_at_zero
from vecha.crypto.transcript import Transcript
from vecha.election.identity import TrusteeIdentity, verify_signed
from vecha.election.trustees import DecryptionShare, TrusteeSecret, partial_decrypt, verify_partial
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
    "verify_row_shares",
    "open_rows",
    "MAX_MIX_CIPHERTEXTS",
]

#: ciphertexts in one mix entry (ballots × ciphertexts per ballot): about 130 MB of JSON
MAX_MIX_CIPHERTEXTS = 1_000_000
MIX_DECRYPTION = "mix-decryption"


def mix_context(fingerprint: bytes, mixer: int) -> bytes:
    return fingerprint + mixer.to_bytes(4, "big")


def row_of_ballot_json(ballot: Mapping[str, Any]) -> bytes:
    """A ballot's row as 64-byte (α ‖ β) blocks, from its JSON: what the board keeps of a
    counted ballot until the first mix (the ballot itself was checked when accepted)."""
    return b"".join(
        hex_bytes(c["alpha"], 32, "alpha") + hex_bytes(c["beta"], 32, "beta")
        for answer in ballot["answers"]
        for c in answer["choices"]
    )


def row_from_bytes(data: bytes) -> Row:
    return tuple(Ciphertext(Point(data[k : k + 32]), Point(data[k + 32 : k + 64])) for k in range(0, len(data), 64))


def rows_to_json(rows: Sequence[Row]) -> list[list[dict[str, str]]]:
    return [[{"alpha": ct.alpha.hex(), "beta": ct.beta.hex()} for ct in row] for row in rows]


def rows_from_json(obj: Any, ballots: int, width: int) -> list[Row]:
    if not isinstance(obj, list) or len(obj) != ballots:
        raise InvalidEncoding(f"a mix has {ballots} ballots, one row each")
    out = []
    for b, row in enumerate(obj):
        if not isinstance(row, list) or len(row) != width:
            raise InvalidEncoding(f"mixed ballot {b}: {width} ciphertexts")
        cts = []
        for k, ct in enumerate(row):
            if not isinstance(ct, dict) or set(ct) != {"alpha", "beta"}:
                raise InvalidEncoding(f"mixed ballot {b}, ciphertext {k}: {{alpha, beta}}")
            cts.append(Ciphertext(point_from_hex(ct["alpha"], "alpha"), point_from_hex(ct["beta"], "beta")))
        out.append(tuple(cts))
    return out


def rows_digest(rows: Sequence[Row]) -> bytes:
    """What a trustee remembers of the mixed ballots it decrypted: 32 bytes of
    T("decrypted-mix", [N, every ciphertext])."""
    t = Transcript("decrypted-mix").number("ballots", len(rows))
    for row in rows:
        t.number("width", len(row))
        for ct in row:
            t.point("alpha", ct.alpha).point("beta", ct.beta)
    return t.digest()[:32]


@dataclass(frozen=True)
class Mix:
    """Mix `mixer` (a trustee's index): its output rows, the proof and the signature."""

    mixer: int
    ballots: tuple[Row, ...]
    proof: ShuffleProof
    signature: bytes

    def body(self) -> dict[str, Any]:
        return {"mixer": self.mixer, "ballots": rows_to_json(self.ballots), "proof": self.proof.to_json()}

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, obj: Any, ballots: int, width: int) -> Mix:
        if not isinstance(obj, dict) or set(obj) != {"mixer", "ballots", "proof", "signature"}:
            raise InvalidEncoding("a mix is {mixer, ballots, proof, signature}")
        mixer = obj["mixer"]
        if isinstance(mixer, bool) or not isinstance(mixer, int) or mixer < 1:
            raise InvalidEncoding("a mix names its mixer, a trustee index")
        return cls(
            mixer,
            tuple(rows_from_json(obj["ballots"], ballots, width)),
            ShuffleProof.from_json(obj["proof"], ballots, width),
            hex_bytes(obj["signature"], 64, "signature"),
        )

    def verify(self, fingerprint: bytes, key: Point, identities: Sequence[bytes], inputs: Sequence[Row]) -> None:
        """The mixer's identity signature, then the proof of shuffle from `inputs`."""
        if not 1 <= self.mixer <= len(identities):
            raise InvalidEncoding(f"mixer {self.mixer} is not a trustee")
        try:
            verify_signed(identities[self.mixer - 1], self.signature, "mix", fingerprint, self.body())
        except InvalidSignature:
            raise InvalidSignature(f"mix {self.mixer} is not signed by trustee {self.mixer}'s identity key") from None
        try:
            verify_shuffle(fingerprint, key, mix_context(fingerprint, self.mixer), inputs, self.ballots, self.proof)
        except InvalidProof as e:
            raise InvalidProof(f"mix {self.mixer}: {e}") from None


def make_mix(fingerprint: bytes, key: Point, identity: TrusteeIdentity, mixer: int, inputs: Sequence[Row]) -> Mix:
    """Shuffle `inputs`, prove it, sign it; the permutation and randomness are forgotten."""
    outputs, psi, randomness = shuffle(key, inputs)
    proof = prove_shuffle(fingerprint, key, mix_context(fingerprint, mixer), inputs, outputs, psi, randomness)
    unsigned = Mix(mixer, tuple(outputs), proof, b"")
    return Mix(mixer, tuple(outputs), proof, identity.sign("mix", fingerprint, unsigned.body()))


# ---- decrypting the mixed ballots ---------------------------------------------------------


def decrypt_rows(fingerprint: bytes, secret: TrusteeSecret, rows: Sequence[Row]) -> list[list[DecryptionShare]]:
    """Trustee shares for every ciphertext of the last mix (context fp ‖ u32be(j) ‖ u32be(b)
    ‖ u32be(k) for ballot b, ciphertext k)."""
    return partial_decrypt(fingerprint, secret, rows, purpose=MIX_DECRYPTION)


def verify_row_shares(
    fingerprint: bytes,
    trustee: int,
    verification_key: Point,
    rows: Sequence[Row],
    shares: Sequence[Sequence[DecryptionShare]],
) -> None:
    verify_partial(fingerprint, trustee, verification_key, rows, shares, purpose=MIX_DECRYPTION)


def open_rows(
    rows: Sequence[Row], shares: Mapping[int, Sequence[Sequence[DecryptionShare]]], bound: int
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
                m = m - shares[j][b][k].share * lambdas[j]
            try:
                plain.append(small_dlog(m, bound))
            except InvalidEncoding:
                plain.append(None)
        out.append(plain)
    return out
