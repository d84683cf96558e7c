"""Request and response bodies of the HTTP API, as pydantic models (they make the OpenAPI
schema). They check the *shape* of a request cheaply, before any curve operation: hex
lengths, list sizes, required fields. The meaning is checked afterwards by the core."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, with_config
from typing_extensions import TypedDict

__all__ = [
    "Hex32",
    "BallotBody",
    "CoercionBallotBody",
    "RollEntryBody",
    "Submission",
    "SignedCredentialBody",
    "RegistrarCountBody",
    "ReceiptBody",
    "ErrorBody",
    "TrackerStatus",
    "ElectionSummary",
    "ElectionInfo",
    "BoardPage",
    "CredentialList",
    "PartialDecryption",
    "Message",
]

Hex32 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{128}$")]
ElectionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# The ballot's parts are TypedDicts: validated just as strictly, but they come out as the plain
# JSON objects that the proof workers take, with no model to build and dump again per ballot.
_STRICT = ConfigDict(extra="forbid", strict=True)


@with_config(_STRICT)
class CiphertextBody(TypedDict):
    alpha: Hex32
    beta: Hex32


ProofBranch = Annotated[list[Hex32], Field(min_length=4, max_length=4)]  #: [A, B, challenge, response]
RangeProofBody = Annotated[list[ProofBranch], Field(min_length=1, max_length=1025)]


@with_config(_STRICT)
class AnswerBody(TypedDict):
    choices: Annotated[list[CiphertextBody], Field(min_length=1, max_length=4096)]
    proofs: Annotated[list[RangeProofBody], Field(min_length=1, max_length=4096)]
    overall: RangeProofBody


@with_config(_STRICT)
class SignatureBody(TypedDict):
    commitment: Hex32
    response: Hex32


@with_config(_STRICT)
class BallotBody(TypedDict):
    """An encrypted ballot (spec §6.4)."""

    election: Annotated[Hex32, Field(description="the election fingerprint")]
    credential: Annotated[Hex32, Field(description="the public credential that signs the ballot")]
    answers: Annotated[list[AnswerBody], Field(min_length=1, max_length=64)]
    signature: SignatureBody


@with_config(_STRICT)
class CoercionSignatureBody(TypedDict):
    credential: SignatureBody
    predecessor: SignatureBody


@with_config(_STRICT)
class CoercionBallotBody(TypedDict):
    """An encrypted ballot of a coercion-resistant election (spec §6.10): no credential in
    sight, only its encryption."""

    election: Annotated[Hex32, Field(description="the election fingerprint")]
    credential: Annotated[CiphertextBody, Field(description="the credential, encrypted: E(S)")]
    predecessor: Annotated[CiphertextBody, Field(description="the link of the ballot it replaces, encrypted")]
    answers: Annotated[list[AnswerBody], Field(min_length=1, max_length=64)]
    signature: CoercionSignatureBody


HexRsa = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{512,2048}$")]


@with_config(_STRICT)
class RegistrarSignatureBody(TypedDict):
    registrar: ElectionId
    prefix: Hex32
    signature: Annotated[HexRsa, Field(description="the unblinded RSA-PSS signature (spec §6.7)")]


@with_config(_STRICT)
class SignedCredentialBody(TypedDict):
    """A public credential with its registrars' blind signatures, unblinded (spec §6.8)."""

    credential: Hex32
    signatures: Annotated[list[RegistrarSignatureBody], Field(min_length=1, max_length=16)]


@with_config(_STRICT)
class RollEntryBody(TypedDict):
    """A registered credential, encrypted, with its registrars' blind signatures (spec §6.10)."""

    credential: CiphertextBody
    proof: SignatureBody
    signatures: Annotated[list[RegistrarSignatureBody], Field(min_length=1, max_length=16)]


class Submission(_Strict):
    ballot: BallotBody | CoercionBallotBody
    channel: Literal["web", "app"] = "app"
    registration: SignedCredentialBody | None = Field(
        default=None,
        description="the ballot's credential with its registrars' signatures, if it is not registered yet "
        "(register and vote in one request)",
    )


class RegistrarCountBody(_Strict):
    registrar: ElectionId
    issued: int = Field(ge=0, le=2**53 - 1)
    signature: Hex64


class ReceiptBody(BaseModel):
    """The board's signed acknowledgement (spec §6.5): the ballot is durably on the board."""

    election: str
    tracker: str
    index: int
    signature: str


class ErrorBody(BaseModel):
    error: str = Field(description="a stable code, such as unlisted-credential or invalid-proof")
    message: str = Field(description="what is wrong, in plain words")
    detail: list[dict[str, Any]] | None = None


class TrackerStatus(BaseModel):
    tracker: str
    index: int
    counts: bool | None = Field(
        description="whether it is its credential's last ballot (the one that counts); null in a "
        "coercion-resistant election, where no single ballot shows it"
    )


class ElectionSummary(BaseModel):
    id: str
    title: str | dict[str, str]
    phase: str
    ballots: int


class ElectionInfo(BaseModel):
    id: str
    fingerprint: str
    phase: str
    definition: dict[str, Any]
    board_key: str
    public_key: str | None
    height: int
    head: str
    credentials: int
    ballots: int
    voters: int


class BoardPage(BaseModel):
    start: int
    height: int
    entries: list[dict[str, Any]]


class CredentialList(_Strict):
    election: Hex32
    credentials: list[Hex32] = Field(max_length=10_000)


class PartialDecryption(_Strict):
    election: Hex32
    trustee: int = Field(ge=1, le=100)
    shares: list[list[dict[str, Any]]]


class Message(BaseModel):
    message: str
    phase: str | None = None
