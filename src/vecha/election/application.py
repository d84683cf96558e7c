"""An application for a credential, as the applicant's device makes it (spec §6.8).

The device makes the credential code itself, so the credential never leaves it; for each
registrar it prepares and blinds the message of the public credential (§6.7) and seals
the evidence (the fields and files the definition asks for) to that registrar's
reviewers: a random key encrypts the evidence (XChaCha20-Poly1305), and the key is sealed
(libsodium's sealed box) to each reviewer's X25519 key. The registrar's server gets the
ciphertext, the blinded message, and the duplicate-key fields in the clear, which it turns
into a keyed hash and does not keep. A small puzzle, bound to the application, makes a
flood of fake applications cost the sender more than the server.

Pure: no I/O, randomness from `secrets`, no clock (the caller passes times).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import Any

from vecha.crypto import _sodium, blind_rsa
from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.encoding import hex_bytes, scalar_from_hex
from vecha.crypto.group import Point, Scalar
from vecha.crypto.transcript import Transcript
from vecha.election.ballot import ciphertext_from_json
from vecha.election.coercion import credential_point
from vecha.election.coercion_roll import RollEntry, encrypt_credential, make_roll_entry, roll_message
from vecha.election.credentials import Credential, new_code
from vecha.election.eligibility import (
    RegistrarSignature,
    RegistrationRules,
    SignedCredential,
    credential_message,
)
from vecha.errors import InvalidEncoding, InvalidSignature

__all__ = [
    "Evidence",
    "SealedEvidence",
    "Application",
    "PendingCredential",
    "ReviewerKey",
    "normalize_key_value",
    "duplicate_hash",
    "puzzle_ok",
    "solve_puzzle",
    "application_digest",
    "application_code",
    "MAX_FIELD_BYTES",
]

MAX_FIELD_BYTES = 40_000
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def application_code() -> str:
    """A pseudonymous application code, 60 random bits in Crockford base 32: `A7QK-D2M9-XG4T`."""
    n = secrets.randbits(60)
    chars = "".join(_ALPHABET[(n >> (5 * (11 - k))) & 31] for k in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


# ---- evidence ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What the applicant provides, checked against the definition's fields: text values
    by field id, and files as (media type, file name, bytes)."""

    fields: dict[str, str]
    files: dict[str, tuple[str, str, bytes]]

    @classmethod
    def make(
        cls, rules: RegistrationRules, fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]
    ) -> Evidence:
        """Raises `InvalidEncoding` naming the first field that is missing, unknown or too long."""
        spec = {f.id: f for f in rules.fields}
        for name in [*fields, *files]:
            if name not in spec:
                raise InvalidEncoding(f"the application has a field {name!r} that the election does not ask for")
        for f in rules.fields:
            given = files.get(f.id) if f.kind == "file" else fields.get(f.id)
            if f.kind == "file" and f.id in fields or f.kind != "file" and f.id in files:
                raise InvalidEncoding(f"field {f.id} is {'a file' if f.kind == 'file' else 'text, not a file'}")
            if given is None:
                if f.required:
                    raise InvalidEncoding(f"field {f.id} is required")
                continue
            if isinstance(given, str):
                if not given.strip() or len(given) > f.max_length or "\n" in given and f.kind != "free-text":
                    raise InvalidEncoding(f"field {f.id}: 1 to {f.max_length} characters on one line")
                if f.kind == "date":
                    _check_date(f.id, given)
            else:
                media, name, data = given
                if media not in f.accept:
                    raise InvalidEncoding(f"field {f.id}: a file of type {', '.join(f.accept)}, not {media}")
                if len(data) > rules.attachment_max_bytes:
                    raise InvalidEncoding(
                        f"field {f.id}: the file is {len(data)} bytes; at most {rules.attachment_max_bytes}"
                    )
                if not 1 <= len(name) <= 200:
                    raise InvalidEncoding(f"field {f.id}: a file name of 1 to 200 characters")
        return cls(dict(fields), dict(files))

    def to_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "fields": self.fields,
                "files": {
                    k: {"type": t, "name": n, "data": base64.b64encode(d).decode()}
                    for k, (t, n, d) in self.files.items()
                },
            }
        )

    @classmethod
    def from_bytes(cls, raw: bytes, rules: RegistrationRules) -> Evidence:
        obj = parse_canonical(raw)
        if not isinstance(obj, dict) or set(obj) != {"fields", "files"}:
            raise InvalidEncoding("evidence is {fields, files}")
        fields, files = obj["fields"], obj["files"]
        if not isinstance(fields, dict) or not isinstance(files, dict):
            raise InvalidEncoding("evidence is {fields, files}")
        decoded: dict[str, tuple[str, str, bytes]] = {}
        for k, v in files.items():
            if not isinstance(v, dict) or set(v) != {"type", "name", "data"}:
                raise InvalidEncoding("an evidence file is {type, name, data}")
            try:
                data = base64.b64decode(v["data"], validate=True)
            except (binascii.Error, TypeError):
                raise InvalidEncoding(f"evidence file {k}: data is not base64") from None
            decoded[k] = (v["type"], v["name"], data)
        return cls.make(rules, fields, decoded)

    def duplicate_values(self, rules: RegistrationRules) -> dict[str, str]:
        return {name: self.fields[name] for name in rules.duplicate_key}


def _check_date(name: str, value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise InvalidEncoding(f"field {name}: a date as YYYY-MM-DD") from None
    if len(value) != 10:
        raise InvalidEncoding(f"field {name}: a date as YYYY-MM-DD")


def _evidence_ad(fingerprint: bytes, registrar: str) -> bytes:
    return Transcript("evidence").raw("election", fingerprint).text("registrar", registrar).digest()


@dataclass(frozen=True)
class SealedEvidence:
    """The evidence encrypted under a fresh key, and that key sealed to each reviewer."""

    keys: tuple[bytes, ...]
    nonce: bytes
    ciphertext: bytes

    @classmethod
    def seal(
        cls, evidence: Evidence, fingerprint: bytes, registrar: str, reviewers: tuple[bytes, ...]
    ) -> SealedEvidence:
        key, nonce = secrets.token_bytes(32), secrets.token_bytes(24)
        ciphertext = _sodium.aead_encrypt(evidence.to_bytes(), _evidence_ad(fingerprint, registrar), nonce, key)
        return cls(tuple(_sodium.box_seal(key, r) for r in reviewers), nonce, ciphertext)

    def open(
        self, fingerprint: bytes, registrar: str, reviewer: int, key: ReviewerKey, rules: RegistrationRules
    ) -> Evidence:
        """Reviewer `reviewer` (1-based) opens the evidence on their own machine."""
        if not 1 <= reviewer <= len(self.keys):
            raise InvalidEncoding(f"no sealed key for reviewer {reviewer}")
        try:
            secret = _sodium.box_seal_open(self.keys[reviewer - 1], key.public, key.secret)
            plain = _sodium.aead_decrypt(self.ciphertext, _evidence_ad(fingerprint, registrar), self.nonce, secret)
        except ValueError:
            raise InvalidSignature("the evidence does not open with this reviewer key") from None
        return Evidence.from_bytes(plain, rules)

    def to_json(self) -> dict[str, Any]:
        return {
            "keys": [k.hex() for k in self.keys],
            "nonce": self.nonce.hex(),
            "ciphertext": base64.b64encode(self.ciphertext).decode(),
        }

    @classmethod
    def from_json(cls, obj: Any, reviewers: int, max_bytes: int) -> SealedEvidence:
        if not isinstance(obj, dict) or set(obj) != {"keys", "nonce", "ciphertext"}:
            raise InvalidEncoding("sealed evidence is {keys, nonce, ciphertext}")
        keys = obj["keys"]
        if not isinstance(keys, list) or len(keys) != reviewers:
            raise InvalidEncoding(f"sealed evidence has one sealed key per reviewer ({reviewers})")
        sealed = tuple(hex_bytes(k, 32 + _sodium.BOX_SEAL_OVERHEAD, "sealed key") for k in keys)
        text = obj["ciphertext"]
        if not isinstance(text, str) or len(text) > (max_bytes * 4) // 3 + 8:
            raise InvalidEncoding(f"the sealed evidence is larger than {max_bytes} bytes")
        try:
            ciphertext = base64.b64decode(text, validate=True)
        except binascii.Error:
            raise InvalidEncoding("the sealed evidence is not base64") from None
        if len(ciphertext) < _sodium.AEAD_TAG_BYTES:
            raise InvalidEncoding("the sealed evidence is too short")
        return cls(sealed, hex_bytes(obj["nonce"], 24, "nonce"), ciphertext)


def evidence_limit(rules: RegistrationRules) -> int:
    """The most bytes sealed evidence may take: every file at the limit, base64, and the fields."""
    files = sum(1 for f in rules.fields if f.kind == "file")
    return files * ((rules.attachment_max_bytes * 4) // 3 + 400) + len(rules.fields) * MAX_FIELD_BYTES + 1024


@dataclass(frozen=True, repr=False)
class ReviewerKey:
    """A reviewer's X25519 key pair (from its seed), which opens sealed evidence."""

    seed: bytes

    @classmethod
    def new(cls) -> ReviewerKey:
        return cls(secrets.token_bytes(32))

    @cached_property
    def _keypair(self) -> tuple[bytes, bytes]:
        return _sodium.box_seed_keypair(self.seed)

    @property
    def public(self) -> bytes:
        return self._keypair[0]

    @property
    def secret(self) -> bytes:
        return self._keypair[1]

    def to_json(self) -> dict[str, Any]:
        return {"version": 2, "reviewer_seed": self.seed.hex(), "public": self.public.hex()}

    @classmethod
    def from_json(cls, obj: Any) -> ReviewerKey:
        if not isinstance(obj, dict) or set(obj) != {"version", "reviewer_seed", "public"} or obj["version"] != 2:
            raise InvalidEncoding("not a reviewer key file")
        key = cls(hex_bytes(obj["reviewer_seed"], 32, "reviewer_seed"))
        if key.public.hex() != obj["public"]:
            raise InvalidEncoding("the reviewer key file's public key does not match its seed")
        return key


# ---- the duplicate key --------------------------------------------------------------------


def normalize_key_value(value: str) -> str:
    """One spelling for one value: NFKC, case folded, without spaces, hyphens, dots or
    slashes (`AB 123-456` and `ab123456` are the same document number)."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-./_")


def duplicate_hash(key: bytes, rules: RegistrationRules, values: dict[str, str]) -> bytes:
    """HMAC-SHA-256 under the registrar's key over the normalized duplicate-key fields, each
    framed with its id (spec §6.8). Raises `InvalidEncoding` if a field is missing."""
    if set(values) != set(rules.duplicate_key):
        raise InvalidEncoding(f"the duplicate key is exactly the fields {list(rules.duplicate_key)}")
    message = Transcript("duplicate-key")
    for name in rules.duplicate_key:
        if not isinstance(values[name], str) or not normalize_key_value(values[name]):
            raise InvalidEncoding(f"duplicate-key field {name} is empty")
        message.text(name, normalize_key_value(values[name]))
    return hmac.new(key, message.digest(), hashlib.sha256).digest()


# ---- the puzzle -------------------------------------------------------------------------


def application_digest(body: dict[str, Any]) -> bytes:
    """T("application", [("body", canonical(the application without its puzzle))])."""
    return Transcript("application").raw("body", canonical_bytes(body)).digest()


def _puzzle_hash(seed: bytes, digest: bytes, nonce: bytes) -> bytes:
    return Transcript("application-puzzle").raw("seed", seed).raw("application", digest).raw("nonce", nonce).digest()


def _leading_zero_bits(h: bytes, bits: int) -> bool:
    return int.from_bytes(h[:4], "big") >> (32 - bits) == 0 if bits else True


def puzzle_ok(seed: bytes, digest: bytes, nonce: bytes, bits: int) -> bool:
    return _leading_zero_bits(_puzzle_hash(seed, digest, nonce), bits)


def solve_puzzle(seed: bytes, digest: bytes, bits: int) -> bytes:
    """An 8-byte nonce whose puzzle hash starts with `bits` zero bits (about 2^bits tries)."""
    counter = secrets.randbits(32) << 32
    while True:
        nonce = counter.to_bytes(8, "big")
        if puzzle_ok(seed, digest, nonce, bits):
            return nonce
        counter += 1


# ---- the applicant's device -------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class PendingCredential:
    """What the device keeps while its applications are decided: the credential code and,
    per registrar, the prepared message and the blinding's inverse (with them the device
    unblinds; with the inverse, anyone could link the signature to the application)."""

    code: str
    fingerprint: bytes
    prepared: dict[str, bytes]
    inverses: dict[str, int]
    blinded: dict[str, bytes]
    #: a coercion-resistant election (spec §6.10): the roll entry's R = E(S) that the
    #: registrars sign, and its randomness r, kept only until the roll entry is posted
    roll: Ciphertext | None = None
    roll_randomness: Scalar | None = None

    @classmethod
    def new(
        cls, fingerprint: bytes, rules: RegistrationRules, registrars: list[str], election_key: Point | None = None
    ) -> PendingCredential:
        """`election_key`: given for a coercion-resistant election, whose registrars sign a
        roll entry (the credential encrypted under it) instead of a public credential."""
        code = new_code()
        roll: Ciphertext | None = None
        randomness: Scalar | None = None
        if election_key is None:
            message = credential_message(fingerprint, Credential.from_code(code, fingerprint).public)
        else:
            roll, randomness = encrypt_credential(election_key, credential_point(fingerprint, code))
            message = roll_message(fingerprint, roll)
        prepared, inverses, blinded = {}, {}, {}
        for r in registrars:
            key = rules.registrar(r).public_key
            prepared[r] = blind_rsa.prepare(message)
            b = blind_rsa.blind(key, prepared[r])
            inverses[r], blinded[r] = b.inverse, b.message
        return cls(code, fingerprint, prepared, inverses, blinded, roll, randomness)

    @property
    def credential(self) -> Credential:
        return Credential.from_code(self.code, self.fingerprint)

    def finalize(self, rules: RegistrationRules, registrar: str, blind_signature: bytes) -> RegistrarSignature:
        """Unblind a registrar's answer (refusing one that does not verify)."""
        key = rules.registrar(registrar).public_key
        blinded = blind_rsa.Blinded(self.blinded[registrar], self.inverses[registrar])
        signature = blind_rsa.finalize(key, self.prepared[registrar], blind_signature, blinded)
        prefix = self.prepared[registrar][: blind_rsa.PREFIX_LENGTH]
        return RegistrarSignature(registrar, prefix, signature)

    def signed(self, signatures: list[RegistrarSignature]) -> SignedCredential:
        return SignedCredential(self.credential.public, tuple(sorted(signatures, key=lambda s: s.registrar)))

    def roll_entry(self, signatures: list[RegistrarSignature]) -> RollEntry:
        """A coercion-resistant election: the roll entry to post (then `forget_randomness`)."""
        if self.roll is None or self.roll_randomness is None:
            raise InvalidEncoding("this registration is not for a coercion-resistant election, or its entry was posted")
        return make_roll_entry(self.fingerprint, self.roll, self.roll_randomness, signatures)

    def forget_randomness(self) -> PendingCredential:
        """The same registration without r: once the roll entry is on the board nobody, the
        voter included, can show which entry is theirs (docs/coercion.md §3)."""
        return replace(self, roll_randomness=None)

    def to_json(self) -> dict[str, Any]:
        roll = {}
        if self.roll is not None:
            roll["roll"] = {"alpha": self.roll.alpha.hex(), "beta": self.roll.beta.hex()}
            if self.roll_randomness is not None:
                roll["roll"]["randomness"] = self.roll_randomness.hex()
        return roll | {
            "code": self.code,
            "fingerprint": self.fingerprint.hex(),
            "registrars": {
                r: {
                    "prepared": self.prepared[r].hex(),
                    "inverse": format(self.inverses[r], "x"),
                    "blinded": self.blinded[r].hex(),
                }
                for r in sorted(self.prepared)
            },
        }

    @classmethod
    def from_json(cls, obj: Any) -> PendingCredential:
        try:
            regs = obj["registrars"]
            roll = obj.get("roll")
            return cls(
                obj["code"],
                bytes.fromhex(obj["fingerprint"]),
                {r: bytes.fromhex(v["prepared"]) for r, v in regs.items()},
                {r: int(v["inverse"], 16) for r, v in regs.items()},
                {r: bytes.fromhex(v["blinded"]) for r, v in regs.items()},
                None if roll is None else ciphertext_from_json({"alpha": roll["alpha"], "beta": roll["beta"]}, "roll"),
                None if roll is None or "randomness" not in roll else scalar_from_hex(roll["randomness"], "randomness"),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidEncoding("not a registration file (pending credential)") from None


@dataclass(frozen=True)
class Application:
    """What the device sends one registrar (spec §6.8)."""

    fingerprint: bytes
    registrar: str
    blinded: bytes
    duplicate_key: dict[str, str]
    evidence: SealedEvidence

    def body(self) -> dict[str, Any]:
        return {
            "election": self.fingerprint.hex(),
            "registrar": self.registrar,
            "blinded": self.blinded.hex(),
            "duplicate_key": self.duplicate_key,
            "evidence": self.evidence.to_json(),
        }

    def to_json(self, seed: bytes, bits: int) -> dict[str, Any]:
        """The body with a solved puzzle for the server's `seed` (about 2^bits hashes)."""
        body = self.body()
        nonce = solve_puzzle(seed, application_digest(body), bits)
        return {**body, "puzzle": {"seed": seed.hex(), "nonce": nonce.hex()}}

    @classmethod
    def make(
        cls, pending: PendingCredential, rules: RegistrationRules, registrar: str, evidence: Evidence
    ) -> Application:
        spec = rules.registrar(registrar)
        sealed = SealedEvidence.seal(evidence, pending.fingerprint, registrar, spec.reviewer_keys())
        return cls(pending.fingerprint, registrar, pending.blinded[registrar], evidence.duplicate_values(rules), sealed)
