"""Registration without a roll, as the definition fixes it (spec §6.8).

The definition's `registration` names the registrars (each with its blind-signature key,
the Ed25519 key that signs its count, and its reviewers' sealing keys), what an applicant
provides, which of those fields make the duplicate key, how many reviewers must approve,
the attachment size limit, the window and the spam puzzle's difficulty. It is part of
entry 0, so every key an applicant's device uses is fixed by the fingerprint: a registrar
server cannot hand a device a reviewer key of its own to read the evidence with.

Also here: the values that travel from registration to the board — the message a
registrar signs blindly for a public credential, a credential's signatures, a
registrar's signed count — and their checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from vecha.crypto import blind_rsa
from vecha.crypto.encoding import hex_bytes, point_from_hex
from vecha.crypto.group import Point
from vecha.crypto.transcript import Transcript
from vecha.election.identity import signed_message, verify_signed
from vecha.errors import InvalidEncoding, InvalidSignature

__all__ = [
    "FieldKind",
    "ApplicantField",
    "RegistrarSpec",
    "RegistrationRules",
    "credential_message",
    "RegistrarSignature",
    "SignedCredential",
    "RegistrarCount",
    "count_body",
    "MAX_ATTACHMENT_BYTES",
]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_KEY = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
MAX_ATTACHMENT_BYTES = 20_000_000

#: what each kind of field holds; `file` is an attachment, `free-text` a paragraph, the rest one line
FieldKind = Literal["text", "date", "country", "document", "free-text", "file"]
_KEYABLE = ("text", "date", "country", "document")  #: kinds that can be part of the duplicate key


def _text(v: str | dict[str, str]) -> str | dict[str, str]:
    texts = [v] if isinstance(v, str) else list(v.values())
    if not texts or not all(1 <= len(t) <= 2000 for t in texts):
        raise ValueError("a text is 1 to 2000 characters (in each language it names)")
    return v


_Text = Annotated[str | dict[str, str], AfterValidator(_text)]


def _an_id(v: str) -> str:
    if not _ID.match(v):
        raise ValueError(f"{v!r}: an id is 1-64 lowercase letters, digits and hyphens")
    return v


_Id = Annotated[str, AfterValidator(_an_id)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ApplicantField(_Frozen):
    """One thing an applicant provides: its id, kind, the label the forms show, whether it
    is required, and for text how long it may be (`file`: the attachment's media types)."""

    id: _Id
    kind: FieldKind
    label: _Text
    required: bool = True
    max_length: int = Field(default=200, ge=1, le=10_000)
    accept: tuple[Annotated[str, Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$")], ...] = ()

    @model_validator(mode="after")
    def _accept_only_for_files(self) -> ApplicantField:
        if self.accept and self.kind != "file":
            raise ValueError(f"field {self.id}: only a file field has media types (accept)")
        if self.kind == "file" and not self.accept:
            return self.model_copy(update={"accept": ("image/jpeg", "image/png", "application/pdf")})
        return self


class RegistrarSpec(_Frozen):
    """A registrar: its id and name, the RSA key that blind-signs credentials (spec §6.7),
    the Ed25519 key that signs its count, and its reviewers' X25519 sealing keys (in order:
    reviewer 1, 2, …)."""

    id: _Id
    name: _Text
    blind_key: dict[str, str]
    signing_key: str
    reviewers: tuple[str, ...] = Field(min_length=1, max_length=100)

    @field_validator("blind_key")
    @classmethod
    def _blind_key(cls, v: dict[str, str]) -> dict[str, str]:
        try:
            blind_rsa.BlindPublicKey.from_json(v)
        except InvalidEncoding as e:
            raise ValueError(str(e)) from None
        return v

    @field_validator("signing_key")
    @classmethod
    def _signing_key(cls, v: str) -> str:
        if not _KEY.match(v):
            raise ValueError("a registrar's signing key is 64 lowercase hex digits (Ed25519)")
        return v

    @field_validator("reviewers")
    @classmethod
    def _reviewers(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not all(_KEY.match(k) for k in v):
            raise ValueError("a reviewer's key is 64 lowercase hex digits (X25519)")
        if len(set(v)) != len(v):
            raise ValueError("every reviewer needs a key of their own")
        return v

    @cached_property
    def public_key(self) -> blind_rsa.BlindPublicKey:
        return blind_rsa.BlindPublicKey.from_json(self.blind_key)

    def reviewer_keys(self) -> tuple[bytes, ...]:
        return tuple(bytes.fromhex(k) for k in self.reviewers)


class RegistrationRules(_Frozen):
    registrars: tuple[RegistrarSpec, ...] = Field(min_length=1, max_length=16)
    #: how many registrars' signatures a credential needs (k of m)
    required: int = Field(default=1, ge=1)
    fields: tuple[ApplicantField, ...] = Field(min_length=1, max_length=50)
    duplicate_key: tuple[str, ...] = Field(min_length=1)
    #: distinct reviewers who must approve an application (2: a two-person rule)
    approvals: Literal[1, 2] = 1
    attachment_max_bytes: int = Field(default=5_000_000, ge=1, le=MAX_ATTACHMENT_BYTES)
    #: when registrars stop taking applications (UTC), or null: when each closes by hand
    closes: str | None = None
    #: whether registration may go on while voting is open (a timing risk: threat model §2.4)
    overlap: bool = False
    #: leading zero bits of the application puzzle's hash (§6.8); 0 turns it off
    puzzle_bits: int = Field(default=16, ge=0, le=28)

    @field_validator("closes")
    @classmethod
    def _closes(cls, v: str | None) -> str | None:
        if v is not None and not _TIME.match(v):
            raise ValueError("closes is a UTC time, YYYY-MM-DDTHH:MM:SSZ")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RegistrationRules:
        ids = [r.id for r in self.registrars]
        if len(set(ids)) != len(ids):
            raise ValueError("registrar ids must be unique")
        keys = [r.blind_key["n"] for r in self.registrars] + [r.signing_key for r in self.registrars]
        if len(set(keys)) != len(keys):
            raise ValueError("every registrar needs keys of its own")
        if self.required > len(self.registrars):
            raise ValueError(f"a credential cannot need {self.required} of {len(self.registrars)} registrars")
        names = [f.id for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("applicant field ids must be unique")
        kinds = {f.id: f for f in self.fields}
        for name in self.duplicate_key:
            if name not in kinds:
                raise ValueError(f"the duplicate key names {name!r}, which is not a field")
            if kinds[name].kind not in _KEYABLE or not kinds[name].required:
                raise ValueError(f"the duplicate key's field {name!r} must be a required one-line field")
        if len(set(self.duplicate_key)) != len(self.duplicate_key):
            raise ValueError("the duplicate key names a field twice")
        for r in self.registrars:
            if len(r.reviewers) < self.approvals:
                raise ValueError(f"registrar {r.id} has fewer reviewers than the {self.approvals} approvals needed")
        return self

    def registrar(self, registrar_id: str) -> RegistrarSpec:
        for r in self.registrars:
            if r.id == registrar_id:
                return r
        raise InvalidEncoding(f"no registrar {registrar_id!r} in this election")

    def texts(self) -> list[str | dict[str, str]]:
        return [r.name for r in self.registrars] + [f.label for f in self.fields]


def credential_message(fingerprint: bytes, credential: Point) -> bytes:
    """What a registrar signs blindly for a public credential S (spec §6.8): the 64-byte
    T("registered-credential", [("election", fp), ("credential", S)]). The device prepares it
    (a random prefix) and blinds it once per registrar."""
    return Transcript("registered-credential").raw("election", fingerprint).point("credential", credential).digest()


@dataclass(frozen=True)
class RegistrarSignature:
    registrar: str
    prefix: bytes
    signature: bytes

    def to_json(self) -> dict[str, str]:
        return {"registrar": self.registrar, "prefix": self.prefix.hex(), "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, obj: Any, rules: RegistrationRules) -> RegistrarSignature:
        if not isinstance(obj, dict) or set(obj) != {"registrar", "prefix", "signature"}:
            raise InvalidEncoding("a registrar signature is {registrar, prefix, signature}")
        registrar = obj["registrar"]
        if not isinstance(registrar, str):
            raise InvalidEncoding("a registrar signature names its registrar")
        key = rules.registrar(registrar).public_key
        prefix = hex_bytes(obj["prefix"], blind_rsa.PREFIX_LENGTH, "prefix")
        return cls(registrar, prefix, hex_bytes(obj["signature"], key.modulus_length, "signature"))


@dataclass(frozen=True)
class SignedCredential:
    """A public credential with its registrars' signatures: the payload of a
    `signed-credential` entry, and what a first ballot may carry (spec §6.8)."""

    credential: Point
    signatures: tuple[RegistrarSignature, ...]

    def to_json(self) -> dict[str, Any]:
        return {"credential": self.credential.hex(), "signatures": [s.to_json() for s in self.signatures]}

    @classmethod
    def from_json(cls, obj: Any, rules: RegistrationRules) -> SignedCredential:
        if not isinstance(obj, dict) or set(obj) != {"credential", "signatures"}:
            raise InvalidEncoding("a signed credential is {credential, signatures}")
        credential = point_from_hex(obj["credential"], "credential", nonidentity=True)
        return cls(credential, registrar_signatures_from_json(obj["signatures"], rules, "a signed credential"))

    @property
    def registrars(self) -> tuple[str, ...]:
        return tuple(s.registrar for s in self.signatures)

    def verify(self, fingerprint: bytes, rules: RegistrationRules) -> None:
        """Every signature verifies (RSA-PSS, `cryptography`'s verifier), and there are at
        least `required` of them; raises `InvalidSignature`."""
        verify_registrar_signatures(
            self.signatures, credential_message(fingerprint, self.credential), rules, "the credential"
        )


def registrar_signatures_from_json(sigs: Any, rules: RegistrationRules, what: str) -> tuple[RegistrarSignature, ...]:
    """1 to m registrar signatures by distinct registrars, sorted by id (their proofs unchecked)."""
    if not isinstance(sigs, list) or not 1 <= len(sigs) <= len(rules.registrars):
        raise InvalidEncoding(f"{what} carries 1 to {len(rules.registrars)} registrar signatures")
    signatures = tuple(RegistrarSignature.from_json(s, rules) for s in sigs)
    names = [s.registrar for s in signatures]
    if names != sorted(set(names)):
        raise InvalidEncoding(f"{what}'s signatures are by distinct registrars, sorted by id")
    return signatures


def verify_registrar_signatures(
    signatures: tuple[RegistrarSignature, ...], message: bytes, rules: RegistrationRules, what: str
) -> None:
    """At least `required` signatures, each RSA-PSS on prefix ‖ message (`cryptography`'s
    verifier); raises `InvalidSignature`."""
    if len(signatures) < rules.required:
        raise InvalidSignature(f"{what} carries {len(signatures)} registrar signatures; {rules.required} are needed")
    for s in signatures:
        try:
            blind_rsa.verify(rules.registrar(s.registrar).public_key, s.prefix + message, s.signature)
        except InvalidSignature:
            raise InvalidSignature(f"registrar {s.registrar}'s signature on {what} does not verify") from None


def count_body(registrar: str, issued: int) -> dict[str, Any]:
    return {"registrar": registrar, "issued": issued}


@dataclass(frozen=True)
class RegistrarCount:
    """A registrar's signed count of the blind signatures it issued: the payload of a
    `registrar-count` entry, signed with its Ed25519 key (spec §6.8)."""

    registrar: str
    issued: int
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        return {**count_body(self.registrar, self.issued), "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, obj: Any) -> RegistrarCount:
        if not isinstance(obj, dict) or set(obj) != {"registrar", "issued", "signature"}:
            raise InvalidEncoding("a registrar count is {registrar, issued, signature}")
        issued = obj["issued"]
        if isinstance(issued, bool) or not isinstance(issued, int) or not 0 <= issued < 2**53:
            raise InvalidEncoding("a registrar count's issued is a non-negative integer")
        if not isinstance(obj["registrar"], str):
            raise InvalidEncoding("a registrar count names its registrar")
        return cls(obj["registrar"], issued, hex_bytes(obj["signature"], 64, "signature"))

    def verify(self, fingerprint: bytes, rules: RegistrationRules) -> None:
        spec = rules.registrar(self.registrar)
        try:
            verify_signed(
                bytes.fromhex(spec.signing_key),
                self.signature,
                "registrar-count",
                fingerprint,
                count_body(self.registrar, self.issued),
            )
        except InvalidSignature:
            raise InvalidSignature(f"registrar {self.registrar}'s count is not signed by its key") from None


def count_message(fingerprint: bytes, registrar: str, issued: int) -> bytes:
    return signed_message("registrar-count", fingerprint, count_body(registrar, issued))
