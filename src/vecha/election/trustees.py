"""The trustees' key ceremony and their partial decryptions (spec §5, §7.3).

Every trustee has a long-term Ed25519 identity key fixed in the election definition
(`vecha.election.identity`), and signs every ceremony message with it, so that no one who
carries the messages can read or replace a share unnoticed.

Round 1 — every trustee i publishes a signed `TrusteeAnnouncement`: its transport key
(X25519, for receiving shares), the Feldman commitments C_{i,0..t−1} and a Schnorr proof of
knowledge of a_{i,0} bound to the election, to i and to the transport key.
Round 2 — every trustee seals f_i(j) for every trustee j (`deal_shares`), and signs each
sealed share together with the digest of the announcements it dealt to.
Round 3 — every trustee j checks each share's signature, that its sender dealt to the same
announcements j sees, and the share against the sender's commitments (naming any sender
whose share is wrong), then publishes a signed `TrusteeConfirmation`: its verification key
X_j, the same digest, and a proof that it knows x_j.
The organizer, and every verifier, checks everything (`check_ceremony`) and derives the
joint key.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vecha.crypto import _sodium
from vecha.crypto.batch import Batch
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.encoding import hex_bytes, point_from_hex, scalar_from_hex
from vecha.crypto.group import Point, Scalar
from vecha.crypto.proofs import (
    EQUALITY_KEYS,
    EqualityProof,
    SchnorrProof,
    batch_equality,
    equality_from_json,
    equality_to_json,
    prove_equality,
    prove_knowledge,
    schnorr_from_json,
    schnorr_to_json,
    verify_equality,
    verify_knowledge,
)
from vecha.crypto.threshold import Polynomial, joint_key, share_matches_commitments, verification_key
from vecha.crypto.transcript import Transcript
from vecha.election.identity import TrusteeIdentity, verify_signed
from vecha.errors import ElectionError, InvalidEncoding, InvalidProof

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
    "partial_decrypt_canonical",
    "verify_partial",
    "announcements_digest",
    "tally_digest",
    "trustee_context",
    "decryption_context",
]


def trustee_context(fingerprint: bytes, index: int) -> bytes:
    return fingerprint + index.to_bytes(4, "big")


def decryption_context(fingerprint: bytes, index: int, question: int, option: int) -> bytes:
    return fingerprint + index.to_bytes(4, "big") + question.to_bytes(4, "big") + option.to_bytes(4, "big")


def _fields(obj: Any, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or set(obj) != keys:
        raise InvalidEncoding(f"{what}: expected the fields {sorted(keys)}")
    return obj


def _index(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1000:
        raise InvalidEncoding(f"{what}: a trustee index is an integer from 1")
    return v


def _identity_of(identities: Sequence[bytes], index: int) -> bytes:
    if not 1 <= index <= len(identities):
        raise ElectionError(f"there is no trustee {index} in this election")
    return identities[index - 1]


@dataclass(frozen=True)
class TrusteeAnnouncement:
    index: int
    transport_key: bytes  #: X25519 public key for sealed shares
    commitments: tuple[Point, ...]  #: C_{i,k} = a_{i,k}·G
    proof: SchnorrProof  #: knowledge of a_{i,0}, bound to the transport key
    signature: bytes  #: the trustee's identity signature over the rest

    def body_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "transport_key": self.transport_key.hex(),
            "commitments": [c.hex() for c in self.commitments],
            "proof": schnorr_to_json(self.proof),
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.body_json(), "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, obj: Any) -> TrusteeAnnouncement:
        o = _fields(obj, {"index", "transport_key", "commitments", "proof", "signature"}, "trustee announcement")
        if not isinstance(o["commitments"], list) or not 1 <= len(o["commitments"]) <= 100:
            raise InvalidEncoding("trustee announcement: commitments must be a list")
        transport = hex_bytes(o["transport_key"], 32, "trustee.transport_key")
        if transport == bytes(32):
            raise InvalidEncoding("trustee.transport_key: the all-zero key is refused")
        return cls(
            _index(o["index"], "trustee.index"),
            transport,
            tuple(
                point_from_hex(c, f"trustee.commitments[{k}]", nonidentity=True) for k, c in enumerate(o["commitments"])
            ),
            schnorr_from_json(o["proof"], "trustee.proof"),
            hex_bytes(o["signature"], 64, "trustee.signature"),
        )

    def verify(self, fingerprint: bytes, threshold: int, identities: Sequence[bytes]) -> None:
        """The commitments' number, the proof (bound to the transport key), and the signature
        of the identity key that the definition gives this trustee."""
        if len(self.commitments) != threshold:
            raise ElectionError(f"trustee {self.index}: {len(self.commitments)} commitments, expected {threshold}")
        context = trustee_context(fingerprint, self.index) + self.transport_key
        try:
            verify_knowledge(self.proof, self.commitments[0], context, purpose="trustee-key")
        except InvalidProof:
            raise InvalidProof(f"trustee {self.index}: the proof of knowledge of its key does not verify") from None
        try:
            verify_signed(
                _identity_of(identities, self.index),
                self.signature,
                "trustee-announcement",
                fingerprint,
                self.body_json(),
            )
        except InvalidProof:
            raise InvalidProof(
                f"trustee {self.index}: the announcement is not signed by trustee {self.index}'s identity key "
                "(someone between the trustees changed it, or it was never the trustee's)"
            ) from None


def announcements_digest(announcements: Sequence[TrusteeAnnouncement]) -> bytes:
    """The 32-byte digest of every announcement, in trustee order (spec §5.2): what each
    dealer and each confirmer signs it saw, so that all of them are seen to have seen the same."""
    ordered = sorted(announcements, key=lambda a: a.index)
    t = Transcript("ceremony-announcements").number("announcements#", len(ordered))
    for a in ordered:
        t.raw("announcement", canonical_bytes(a.to_json()))
    return t.digest()[:32]


@dataclass(frozen=True)
class TrusteeSecret:
    """What a trustee keeps on its own machine, never in the record."""

    index: int
    polynomial: Polynomial
    transport_secret: bytes
    transport_public: bytes
    identity: TrusteeIdentity
    key_share: Scalar | None = None  #: x_j, once the shares are received
    decrypted: bytes | None = None  #: the digest of the only tally this trustee ever decrypted (§7.3)
    #: a coercion-resistant election (§7.6): per kind, the digest of the only raised column
    #: this trustee decrypted (a second one would come from a forked board)
    tag_decrypted: tuple[tuple[str, bytes], ...] = ()

    def to_json(self) -> dict[str, Any]:
        tags = {"tag_decrypted": {k: d.hex() for k, d in self.tag_decrypted}} if self.tag_decrypted else {}
        return tags | {
            "version": 2,
            "index": self.index,
            "coefficients": [a.hex() for a in self.polynomial.coefficients],
            "transport_secret": self.transport_secret.hex(),
            "transport_public": self.transport_public.hex(),
            "identity_seed": self.identity.seed.hex(),
            "key_share": None if self.key_share is None else self.key_share.hex(),
            "decrypted": None if self.decrypted is None else self.decrypted.hex(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> TrusteeSecret:
        keys = {"version", "index", "coefficients", "transport_secret", "transport_public", "identity_seed"}
        keys |= {"key_share", "decrypted"} | (
            {"tag_decrypted"} if isinstance(obj, dict) and "tag_decrypted" in obj else set()
        )
        o = _fields(obj, keys, "trustee secret")
        tags = o.get("tag_decrypted", {})
        if not isinstance(tags, dict) or not all(isinstance(k, str) for k in tags):
            raise InvalidEncoding("trustee secret: tag_decrypted maps a kind to a digest")
        if o["version"] != 2:
            raise InvalidEncoding("trustee secret: made by another version of Vecha")
        if not isinstance(o["coefficients"], list) or not 1 <= len(o["coefficients"]) <= 100:
            raise InvalidEncoding("trustee secret: coefficients must be a list")
        return cls(
            _index(o["index"], "index"),
            Polynomial(tuple(scalar_from_hex(a, "coefficient") for a in o["coefficients"])),
            hex_bytes(o["transport_secret"], 32, "transport_secret"),
            hex_bytes(o["transport_public"], 32, "transport_public"),
            TrusteeIdentity(hex_bytes(o["identity_seed"], 32, "identity_seed")),
            None if o["key_share"] is None else scalar_from_hex(o["key_share"], "key_share"),
            None if o["decrypted"] is None else hex_bytes(o["decrypted"], 32, "decrypted"),
            tuple(sorted((k, hex_bytes(d, 32, "tag_decrypted")) for k, d in tags.items())),
        )

    def with_key_share(self, x: Scalar) -> TrusteeSecret:
        return dataclasses.replace(self, key_share=x)

    def with_decrypted(self, digest: bytes) -> TrusteeSecret:
        return dataclasses.replace(self, decrypted=digest)

    def with_tag_decrypted(self, kind: str, digest: bytes) -> TrusteeSecret:
        kept = dict(self.tag_decrypted) | {kind: digest}
        return dataclasses.replace(self, tag_decrypted=tuple(sorted(kept.items())))


def new_trustee(
    fingerprint: bytes, index: int, threshold: int, identity: TrusteeIdentity
) -> tuple[TrusteeSecret, TrusteeAnnouncement]:
    poly = Polynomial.random(threshold)
    pk, sk = _sodium.box_seed_keypair(secrets.token_bytes(32))
    commitments = poly.commitments()
    proof = prove_knowledge(
        poly.coefficients[0], commitments[0], trustee_context(fingerprint, index) + pk, purpose="trustee-key"
    )
    unsigned = TrusteeAnnouncement(index, pk, commitments, proof, bytes(64))
    signature = identity.sign("trustee-announcement", fingerprint, unsigned.body_json())
    announcement = TrusteeAnnouncement(index, pk, commitments, proof, signature)
    return TrusteeSecret(index, poly, sk, pk, identity), announcement


@dataclass(frozen=True)
class SealedShare:
    sender: int
    recipient: int
    announcements: bytes  #: the digest of the announcements the sender dealt to
    sealed: bytes  #: crypto_box_seal(f_sender(recipient) as 32 bytes, recipient's transport key)
    signature: bytes  #: the sender's identity signature over the rest

    def body_json(self) -> dict[str, Any]:
        return {
            "from": self.sender,
            "to": self.recipient,
            "announcements": self.announcements.hex(),
            "sealed": self.sealed.hex(),
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.body_json(), "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, obj: Any) -> SealedShare:
        o = _fields(obj, {"from", "to", "announcements", "sealed", "signature"}, "sealed share")
        return cls(
            _index(o["from"], "from"),
            _index(o["to"], "to"),
            hex_bytes(o["announcements"], 32, "announcements"),
            hex_bytes(o["sealed"], 32 + _sodium.BOX_SEAL_OVERHEAD, "sealed"),
            hex_bytes(o["signature"], 64, "signature"),
        )

    def verify(self, fingerprint: bytes, identities: Sequence[bytes]) -> None:
        try:
            verify_signed(
                _identity_of(identities, self.sender), self.signature, "trustee-share", fingerprint, self.body_json()
            )
        except InvalidProof:
            raise InvalidProof(
                f"the share from trustee {self.sender} to trustee {self.recipient} is not signed by trustee "
                f"{self.sender}'s identity key (someone between the trustees changed or made it)"
            ) from None


def deal_shares(
    fingerprint: bytes, secret: TrusteeSecret, announcements: Sequence[TrusteeAnnouncement]
) -> list[SealedShare]:
    """Seal f_i(j) to every trustee j's transport key, each signed with the digest of
    `announcements` (which the caller has checked: `TrusteeAnnouncement.verify`)."""
    digest = announcements_digest(announcements)
    out = []
    for a in sorted(announcements, key=lambda a: a.index):
        sealed = _sodium.box_seal(bytes(secret.polynomial.at(a.index)), a.transport_key)
        unsigned = SealedShare(secret.index, a.index, digest, sealed, bytes(64))
        signature = secret.identity.sign("trustee-share", fingerprint, unsigned.body_json())
        out.append(SealedShare(secret.index, a.index, digest, sealed, signature))
    return out


@dataclass(frozen=True)
class TrusteeConfirmation:
    index: int
    verification_key: Point  #: X_j = x_j·G
    announcements: bytes  #: the digest of the announcements whose shares this trustee took
    proof: SchnorrProof  #: knowledge of x_j
    signature: bytes  #: the trustee's identity signature over the rest

    def body_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "verification_key": self.verification_key.hex(),
            "announcements": self.announcements.hex(),
            "proof": schnorr_to_json(self.proof),
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.body_json(), "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, obj: Any) -> TrusteeConfirmation:
        keys = {"index", "verification_key", "announcements", "proof", "signature"}
        o = _fields(obj, keys, "trustee confirmation")
        return cls(
            _index(o["index"], "index"),
            point_from_hex(o["verification_key"], "verification_key", nonidentity=True),
            hex_bytes(o["announcements"], 32, "announcements"),
            schnorr_from_json(o["proof"], "confirmation.proof"),
            hex_bytes(o["signature"], 64, "signature"),
        )

    def verify(self, fingerprint: bytes, identities: Sequence[bytes]) -> None:
        try:
            verify_knowledge(
                self.proof,
                self.verification_key,
                trustee_context(fingerprint, self.index) + self.announcements,
                purpose="trustee-share",
            )
        except InvalidProof:
            raise InvalidProof(f"trustee {self.index}: the proof of knowledge of its key share fails") from None
        try:
            verify_signed(
                _identity_of(identities, self.index),
                self.signature,
                "trustee-confirmation",
                fingerprint,
                self.body_json(),
            )
        except InvalidProof:
            raise InvalidProof(
                f"trustee {self.index}: the confirmation is not signed by trustee {self.index}'s identity key"
            ) from None


def receive_shares(
    fingerprint: bytes,
    secret: TrusteeSecret,
    announcements: Sequence[TrusteeAnnouncement],
    shares: Sequence[SealedShare],
    identities: Sequence[bytes],
) -> tuple[TrusteeSecret, TrusteeConfirmation]:
    """Open and check the shares sent to this trustee; raise naming any trustee who cheated,
    and any share that someone between the trustees changed.

    `announcements` are the ones this trustee checked (`TrusteeAnnouncement.verify`); every
    share must be signed by its sender's identity key and name the same digest of them."""
    digest = announcements_digest(announcements)
    mine: dict[int, SealedShare] = {}
    problems = []  # every cheating trustee is named, not only the first
    for s in shares:
        if s.recipient != secret.index:
            continue
        s.verify(fingerprint, identities)
        if s.announcements != digest:
            problems.append(
                f"trustee {s.sender} dealt its shares to other announcements than the ones trustee "
                f"{secret.index} sees: someone between the trustees showed them different announcements"
            )
            continue
        mine[s.sender] = s
    total = Scalar(0)
    for a in announcements:
        sealed = mine.get(a.index)
        if sealed is None:
            if not any(p.startswith(f"trustee {a.index} ") for p in problems):
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
    proof = prove_knowledge(total, x, trustee_context(fingerprint, secret.index) + digest, purpose="trustee-share")
    unsigned = TrusteeConfirmation(secret.index, x, digest, proof, bytes(64))
    signature = secret.identity.sign("trustee-confirmation", fingerprint, unsigned.body_json())
    return secret.with_key_share(total), TrusteeConfirmation(secret.index, x, digest, proof, signature)


def check_ceremony(
    fingerprint: bytes,
    threshold: int,
    identities: Sequence[bytes],
    announcements: Sequence[TrusteeAnnouncement],
    confirmations: Sequence[TrusteeConfirmation],
) -> Point:
    """Check every announcement and confirmation; return the joint key K. Names a cheater.

    Every confirmation must name the digest of exactly these announcements: a trustee that
    took its shares under other announcements was shown a different ceremony."""
    count = len(identities)
    indices = sorted(a.index for a in announcements)
    if indices != list(range(1, count + 1)):
        raise ElectionError(f"expected announcements from trustees 1..{count}, got {indices}")
    for a in announcements:
        a.verify(fingerprint, threshold, identities)
    ordered = sorted(announcements, key=lambda a: a.index)
    digest = announcements_digest(ordered)
    all_commitments = [a.commitments for a in ordered]
    if sorted(c.index for c in confirmations) != list(range(1, count + 1)):
        raise ElectionError("every trustee must confirm the shares it received")
    for c in confirmations:
        c.verify(fingerprint, identities)
        if c.announcements != digest:
            raise ElectionError(
                f"trustee {c.index} confirmed shares dealt under other announcements than these: "
                "it was shown a different ceremony"
            )
        if verification_key(all_commitments, c.index) != c.verification_key:
            raise ElectionError(f"trustee {c.index}: its verification key does not match the commitments")
    return joint_key(all_commitments)


def local_ceremony(
    fingerprint: bytes, threshold: int, identities: Sequence[TrusteeIdentity]
) -> tuple[list[TrusteeSecret], list[TrusteeAnnouncement], list[TrusteeConfirmation]]:
    """All three rounds for the trustees with these identities, simulated in one process
    (demos and tests)."""
    publics = [i.public for i in identities]
    pairs = [new_trustee(fingerprint, k, threshold, ident) for k, ident in enumerate(identities, start=1)]
    announcements = [a for _, a in pairs]
    sealed = [s for secret, _ in pairs for s in deal_shares(fingerprint, secret, announcements)]
    received = [receive_shares(fingerprint, secret, announcements, sealed, publics) for secret, _ in pairs]
    return [s for s, _ in received], announcements, [c for _, c in received]


@dataclass(frozen=True)
class DecryptionShare:
    """Trustee j's share D = x_j·α of one aggregate ciphertext, with a Chaum–Pedersen proof."""

    share: Point
    proof: EqualityProof

    def to_json(self) -> dict[str, Any]:
        return {"share": self.share.hex(), **equality_to_json(self.proof)}

    @classmethod
    def from_json(cls, obj: Any, what: str) -> DecryptionShare:
        """`{"a", "b", "response", "share"}`: the proof's members beside the share (§7.3)."""
        o = _fields(obj, {"share", *EQUALITY_KEYS}, what)
        return cls(point_from_hex(o["share"], f"{what}.share"), equality_from_json(o, what))


def tally_digest(counted: int, aggregate: Sequence[Sequence[Ciphertext]]) -> bytes:
    """What a trustee remembers of the one tally it decrypted (spec §7.3): 32 bytes of
    T("decrypted-tally", counted, every aggregate ciphertext)."""
    t = Transcript("decrypted-tally").number("counted", counted)
    for row in aggregate:
        t.number("options", len(row))
        for ct in row:
            t.point("alpha", ct.alpha).point("beta", ct.beta)
    return t.digest()[:32]


def partial_decrypt(
    fingerprint: bytes,
    secret: TrusteeSecret,
    aggregate: Sequence[Sequence[Ciphertext]],
    purpose: str = "decryption",
) -> list[list[DecryptionShare]]:
    """Shares of every ciphertext of `aggregate` (rows of ciphertexts: the tally's questions
    and options, or the mixed ballots with purpose `mix-decryption`)."""
    if secret.key_share is None:
        raise ElectionError("this trustee has not received its key shares yet")
    x = secret.key_share
    X = Point.base_mul(x)
    out = []
    for qi, row in enumerate(aggregate):
        out.append([_share(fingerprint, secret.index, x, X, ct, qi, oi, purpose) for oi, ct in enumerate(row)])
    return out


def _share(
    fingerprint: bytes, index: int, x: Scalar, X: Point, ct: Ciphertext, qi: int, oi: int, purpose: str
) -> DecryptionShare:
    d = ct.alpha * x
    return DecryptionShare(
        d, prove_equality(x, ct.alpha, X, d, decryption_context(fingerprint, index, qi, oi), purpose)
    )


def partial_decrypt_canonical(
    fingerprint: bytes, secret: TrusteeSecret, rows: Sequence[Sequence[Ciphertext]], purpose: str
) -> bytes:
    """`canonical_bytes` of `partial_decrypt(…)`'s shares as JSON, written share by share: the
    mixed ballots of a large election (100k ballots of 5: half a million shares, some 1 GB as
    objects; 117 MB as this text)."""
    if secret.key_share is None:
        raise ElectionError("this trustee has not received its key shares yet")
    x = secret.key_share
    X = Point.base_mul(x)
    out = bytearray(b"[")
    for qi, row in enumerate(rows):
        out += b"[" if qi == 0 else b",["
        for oi, ct in enumerate(row):
            s = _share(fingerprint, secret.index, x, X, ct, qi, oi, purpose)
            out += b"," if oi else b""
            out += b'{"a":"%b","b":"%b","response":"%b","share":"%b"}' % (
                s.proof.a.hex().encode(),
                s.proof.b.hex().encode(),
                s.proof.response.hex().encode(),
                s.share.hex().encode(),
            )
        out += b"]"
    out += b"]"
    return bytes(out)


def verify_partial(
    fingerprint: bytes,
    index: int,
    verification_key_j: Point,
    aggregate: Sequence[Sequence[Ciphertext]],
    shares: Sequence[Sequence[DecryptionShare]],
    purpose: str = "decryption",
    first: int = 0,
    batched: bool = True,
) -> None:
    """Every share's proof; `first`: the index of `aggregate`'s first row (a part of the
    mixed ballots checked on its own). `batched`: all of them as one batch (§4.7), and one
    by one only if it fails, to name the first share that does; else one by one."""
    what = "the tally's" if purpose == "decryption" else "the mixed ballots'"
    if len(shares) != len(aggregate) or any(len(a) != len(s) for a, s in zip(aggregate, shares, strict=True)):
        raise ElectionError(f"trustee {index}: decryption shares do not match {what} shape")
    if batched:
        batch = Batch()
        for qi, (row, srow) in enumerate(zip(aggregate, shares, strict=True), start=first):
            for oi, (ct, s) in enumerate(zip(row, srow, strict=True)):
                context = decryption_context(fingerprint, index, qi, oi)
                batch_equality(batch, s.proof, ct.alpha, verification_key_j, s.share, context, purpose)
        if batch.holds():
            return
    for qi, (row, srow) in enumerate(zip(aggregate, shares, strict=True), start=first):
        for oi, (ct, s) in enumerate(zip(row, srow, strict=True)):
            try:
                verify_equality(
                    s.proof,
                    ct.alpha,
                    verification_key_j,
                    s.share,
                    decryption_context(fingerprint, index, qi, oi),
                    purpose=purpose,
                )
            except InvalidProof:
                where = (
                    f"question {qi}, option {oi}" if purpose == "decryption" else f"mixed ballot {qi}, ciphertext {oi}"
                )
                raise InvalidProof(f"trustee {index}: decryption share for {where} has an invalid proof") from None
