"""The trustees' key ceremony and their partial decryptions (spec §5, §7.3).

Round 1 — every trustee i publishes a `TrusteeAnnouncement`: its transport key (X25519,
for receiving shares), the Feldman commitments C_{i,0..t−1} and a Schnorr proof of
knowledge of a_{i,0} bound to the election and to i.
Round 2 — every trustee seals f_i(j) for every other trustee j (`deal_shares`).
Round 3 — every trustee j opens what it received, checks each share against the sender's
commitments (naming any sender whose share is wrong) and publishes a `TrusteeConfirmation`:
its verification key X_j and a proof that it knows x_j.
The organizer then checks everything (`check_ceremony`) and derives the joint key.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vecha.crypto import _sodium
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.encoding import hex_bytes, point_from_hex, scalar_from_hex
from vecha.crypto.errors import ElectionError, InvalidEncoding, InvalidProof
from vecha.crypto.group import Point, Scalar
from vecha.crypto.proofs import (
    EqualityProof,
    SchnorrProof,
    prove_equality,
    prove_knowledge,
    verify_equality,
    verify_knowledge,
)
from vecha.crypto.threshold import Polynomial, joint_key, share_matches_commitments, verification_key

__all__ = [
    "TrusteeSecret",
    "TrusteeAnnouncement",
    "SealedShare",
    "TrusteeConfirmation",
    "DecryptionShare",
    "new_trustee",
    "deal_shares",
    "receive_shares",
    "check_ceremony",
    "local_ceremony",
    "partial_decrypt",
    "verify_partial",
    "trustee_context",
    "decryption_context",
]


def trustee_context(fingerprint: bytes, index: int) -> bytes:
    return fingerprint + index.to_bytes(4, "big")


def decryption_context(fingerprint: bytes, index: int, question: int, option: int) -> bytes:
    return fingerprint + index.to_bytes(4, "big") + question.to_bytes(4, "big") + option.to_bytes(4, "big")


def _schnorr_json(p: SchnorrProof | EqualityProof) -> dict[str, str]:
    return {"challenge": p.challenge.hex(), "response": p.response.hex()}


def _schnorr_from(obj: Any, what: str) -> tuple[Scalar, Scalar]:
    if not isinstance(obj, dict) or set(obj) != {"challenge", "response"}:
        raise InvalidEncoding(f"{what}: expected challenge and response")
    return scalar_from_hex(obj["challenge"], f"{what}.challenge"), scalar_from_hex(obj["response"], f"{what}.response")


def _fields(obj: Any, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or set(obj) != keys:
        raise InvalidEncoding(f"{what}: expected the fields {sorted(keys)}")
    return obj


def _index(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1000:
        raise InvalidEncoding(f"{what}: a trustee index is an integer from 1")
    return v


@dataclass(frozen=True)
class TrusteeAnnouncement:
    index: int
    transport_key: bytes  #: X25519 public key for sealed shares
    commitments: tuple[Point, ...]  #: C_{i,k} = a_{i,k}·G
    proof: SchnorrProof  #: knowledge of a_{i,0}

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "transport_key": self.transport_key.hex(),
            "commitments": [c.hex() for c in self.commitments],
            "proof": _schnorr_json(self.proof),
        }

    @classmethod
    def from_json(cls, obj: Any) -> TrusteeAnnouncement:
        o = _fields(obj, {"index", "transport_key", "commitments", "proof"}, "trustee announcement")
        if not isinstance(o["commitments"], list) or not 1 <= len(o["commitments"]) <= 100:
            raise InvalidEncoding("trustee announcement: commitments must be a list")
        return cls(
            _index(o["index"], "trustee.index"),
            hex_bytes(o["transport_key"], 32, "trustee.transport_key"),
            tuple(
                point_from_hex(c, f"trustee.commitments[{k}]", nonidentity=True) for k, c in enumerate(o["commitments"])
            ),
            SchnorrProof(*_schnorr_from(o["proof"], "trustee.proof")),
        )

    def verify(self, fingerprint: bytes, threshold: int) -> None:
        if len(self.commitments) != threshold:
            raise ElectionError(f"trustee {self.index}: {len(self.commitments)} commitments, expected {threshold}")
        try:
            verify_knowledge(
                self.proof, self.commitments[0], trustee_context(fingerprint, self.index), purpose="trustee-key"
            )
        except InvalidProof:
            raise InvalidProof(f"trustee {self.index}: the proof of knowledge of its key does not verify") from None


@dataclass(frozen=True)
class TrusteeSecret:
    """What a trustee keeps on its own machine, never in the record."""

    index: int
    polynomial: Polynomial
    transport_secret: bytes
    transport_public: bytes
    key_share: Scalar | None = None  #: x_j, once the shares are received

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "coefficients": [a.hex() for a in self.polynomial.coefficients],
            "transport_secret": self.transport_secret.hex(),
            "transport_public": self.transport_public.hex(),
            "key_share": None if self.key_share is None else self.key_share.hex(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> TrusteeSecret:
        o = _fields(
            obj, {"index", "coefficients", "transport_secret", "transport_public", "key_share"}, "trustee secret"
        )
        return cls(
            _index(o["index"], "index"),
            Polynomial(tuple(scalar_from_hex(a, "coefficient") for a in o["coefficients"])),
            hex_bytes(o["transport_secret"], 32, "transport_secret"),
            hex_bytes(o["transport_public"], 32, "transport_public"),
            None if o["key_share"] is None else scalar_from_hex(o["key_share"], "key_share"),
        )


def new_trustee(fingerprint: bytes, index: int, threshold: int) -> tuple[TrusteeSecret, TrusteeAnnouncement]:
    poly = Polynomial.random(threshold)
    pk, sk = _sodium.box_seed_keypair(secrets.token_bytes(32))
    commitments = poly.commitments()
    proof = prove_knowledge(
        poly.coefficients[0], commitments[0], trustee_context(fingerprint, index), purpose="trustee-key"
    )
    return TrusteeSecret(index, poly, sk, pk), TrusteeAnnouncement(index, pk, commitments, proof)


@dataclass(frozen=True)
class SealedShare:
    sender: int
    recipient: int
    sealed: bytes  #: crypto_box_seal(f_sender(recipient) as 32 bytes, recipient's transport key)

    def to_json(self) -> dict[str, Any]:
        return {"from": self.sender, "to": self.recipient, "sealed": self.sealed.hex()}

    @classmethod
    def from_json(cls, obj: Any) -> SealedShare:
        o = _fields(obj, {"from", "to", "sealed"}, "sealed share")
        return cls(
            _index(o["from"], "from"),
            _index(o["to"], "to"),
            hex_bytes(o["sealed"], 32 + _sodium.BOX_SEAL_OVERHEAD, "sealed"),
        )


def deal_shares(secret: TrusteeSecret, announcements: Sequence[TrusteeAnnouncement]) -> list[SealedShare]:
    return [
        SealedShare(secret.index, a.index, _sodium.box_seal(bytes(secret.polynomial.at(a.index)), a.transport_key))
        for a in announcements
    ]


@dataclass(frozen=True)
class TrusteeConfirmation:
    index: int
    verification_key: Point  #: X_j = x_j·G
    proof: SchnorrProof  #: knowledge of x_j

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "verification_key": self.verification_key.hex(),
            "proof": _schnorr_json(self.proof),
        }

    @classmethod
    def from_json(cls, obj: Any) -> TrusteeConfirmation:
        o = _fields(obj, {"index", "verification_key", "proof"}, "trustee confirmation")
        return cls(
            _index(o["index"], "index"),
            point_from_hex(o["verification_key"], "verification_key", nonidentity=True),
            SchnorrProof(*_schnorr_from(o["proof"], "confirmation.proof")),
        )


def receive_shares(
    fingerprint: bytes,
    secret: TrusteeSecret,
    announcements: Sequence[TrusteeAnnouncement],
    shares: Sequence[SealedShare],
) -> tuple[TrusteeSecret, TrusteeConfirmation]:
    """Open and check the shares sent to this trustee; raise naming any trustee who cheated."""
    mine = {s.sender: s for s in shares if s.recipient == secret.index}
    total = Scalar(0)
    problems = []  # every cheating trustee is named, not only the first
    for a in announcements:
        sealed = mine.get(a.index)
        if sealed is None:
            problems.append(f"trustee {a.index} sent no share to trustee {secret.index}")
            continue
        try:
            value = Scalar.from_canonical_bytes(
                _sodium.box_seal_open(sealed.sealed, secret.transport_public, secret.transport_secret)
            )
        except (ValueError, InvalidEncoding):
            problems.append(f"trustee {a.index} sent a share that does not open")
            continue
        if not share_matches_commitments(value, a.commitments, secret.index):
            problems.append(f"trustee {a.index} sent an invalid share (it does not match its commitments)")
            continue
        total = total + value
    if problems:
        raise ElectionError("; ".join(problems))
    x = Point.base_mul(total)
    proof = prove_knowledge(total, x, trustee_context(fingerprint, secret.index), purpose="trustee-share")
    updated = TrusteeSecret(secret.index, secret.polynomial, secret.transport_secret, secret.transport_public, total)
    return updated, TrusteeConfirmation(secret.index, x, proof)


def check_ceremony(
    fingerprint: bytes,
    count: int,
    threshold: int,
    announcements: Sequence[TrusteeAnnouncement],
    confirmations: Sequence[TrusteeConfirmation],
) -> Point:
    """Check every announcement and confirmation; return the joint key K. Names a cheater."""
    indices = sorted(a.index for a in announcements)
    if indices != list(range(1, count + 1)):
        raise ElectionError(f"expected announcements from trustees 1..{count}, got {indices}")
    for a in announcements:
        a.verify(fingerprint, threshold)
    ordered = sorted(announcements, key=lambda a: a.index)
    all_commitments = [a.commitments for a in ordered]
    if sorted(c.index for c in confirmations) != list(range(1, count + 1)):
        raise ElectionError("every trustee must confirm the shares it received")
    for c in confirmations:
        if verification_key(all_commitments, c.index) != c.verification_key:
            raise ElectionError(f"trustee {c.index}: its verification key does not match the commitments")
        try:
            verify_knowledge(
                c.proof, c.verification_key, trustee_context(fingerprint, c.index), purpose="trustee-share"
            )
        except InvalidProof:
            raise InvalidProof(f"trustee {c.index}: the proof of knowledge of its key share fails") from None
    return joint_key(all_commitments)


def local_ceremony(
    fingerprint: bytes, count: int, threshold: int
) -> tuple[list[TrusteeSecret], list[TrusteeAnnouncement], list[TrusteeConfirmation]]:
    """All three rounds for `count` trustees simulated in one process (demos and tests)."""
    pairs = [new_trustee(fingerprint, i, threshold) for i in range(1, count + 1)]
    announcements = [a for _, a in pairs]
    sealed = [s for secret, _ in pairs for s in deal_shares(secret, announcements)]
    received = [receive_shares(fingerprint, secret, announcements, sealed) for secret, _ in pairs]
    return [s for s, _ in received], announcements, [c for _, c in received]


@dataclass(frozen=True)
class DecryptionShare:
    """Trustee j's share D = x_j·α of one aggregate ciphertext, with a Chaum–Pedersen proof."""

    share: Point
    proof: EqualityProof

    def to_json(self) -> dict[str, Any]:
        return {"share": self.share.hex(), **_schnorr_json(self.proof)}

    @classmethod
    def from_json(cls, obj: Any, what: str) -> DecryptionShare:
        o = _fields(obj, {"share", "challenge", "response"}, what)
        c, r = _schnorr_from({"challenge": o["challenge"], "response": o["response"]}, what)
        return cls(point_from_hex(o["share"], f"{what}.share"), EqualityProof(c, r))


def partial_decrypt(
    fingerprint: bytes, secret: TrusteeSecret, aggregate: Sequence[Sequence[Ciphertext]]
) -> list[list[DecryptionShare]]:
    if secret.key_share is None:
        raise ElectionError("this trustee has not received its key shares yet")
    x = secret.key_share
    X = Point.base_mul(x)
    out = []
    for qi, row in enumerate(aggregate):
        shares = []
        for oi, ct in enumerate(row):
            d = ct.alpha * x
            proof = prove_equality(
                x, ct.alpha, X, d, decryption_context(fingerprint, secret.index, qi, oi), purpose="decryption"
            )
            shares.append(DecryptionShare(d, proof))
        out.append(shares)
    return out


def verify_partial(
    fingerprint: bytes,
    index: int,
    verification_key_j: Point,
    aggregate: Sequence[Sequence[Ciphertext]],
    shares: Sequence[Sequence[DecryptionShare]],
) -> None:
    if len(shares) != len(aggregate) or any(len(a) != len(s) for a, s in zip(aggregate, shares, strict=True)):
        raise ElectionError(f"trustee {index}: decryption shares do not match the tally's shape")
    for qi, (row, srow) in enumerate(zip(aggregate, shares, strict=True)):
        for oi, (ct, s) in enumerate(zip(row, srow, strict=True)):
            try:
                verify_equality(
                    s.proof,
                    ct.alpha,
                    verification_key_j,
                    s.share,
                    decryption_context(fingerprint, index, qi, oi),
                    purpose="decryption",
                )
            except InvalidProof:
                raise InvalidProof(
                    f"trustee {index}: decryption share for question {qi}, option {oi} has an invalid proof"
                ) from None
