"""Schnorr proof of knowledge of a discrete logarithm (spec §4.1).

Statement: the prover knows x with X = x·G.
Proof (A, r): the prover picks w, computes the commitment A = w·G, the challenge
c = H_purpose(context, X, A) and the response r = w + c·x.
Check: c = H_purpose(context, X, A), and r·G = A + c·X: one linear equation, which a batch
checks together with others (`batch_knowledge`, §4.7).

The same construction, with the message to sign in `context`, is the credential's
signature on a ballot (§6.4).
"""

from __future__ import annotations

from dataclasses import dataclass

from vecha.crypto.batch import Batch
from vecha.crypto.encoding import point_from_hex, scalar_from_hex
from vecha.crypto.group import Point, Scalar
from vecha.crypto.transcript import Transcript, frame
from vecha.errors import InvalidEncoding, InvalidProof

__all__ = [
    "SchnorrProof",
    "prove_knowledge",
    "verify_knowledge",
    "batch_knowledge",
    "knowledge_challenge",
    "schnorr_to_json",
    "schnorr_from_json",
]


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    commitment: Point  #: A
    response: Scalar  #: r


def _challenge(purpose: str, context: bytes, public: Point, commitment: Point) -> Scalar:
    return knowledge_challenge(purpose, context, public.encoding, commitment.encoding)


def knowledge_challenge(purpose: str, context: bytes, public: bytes, commitment: bytes) -> Scalar:
    """The challenge c (§4.1) from the encodings of X and A (for a reader that holds no
    `Point` for them)."""
    return Transcript.challenge_of(purpose, frame("context", context), frame("X", public), frame("A", commitment))


def prove_knowledge(secret: Scalar, public: Point, context: bytes, purpose: str = "schnorr") -> SchnorrProof:
    w = Scalar.random()
    a = Point.base_mul(w)
    return SchnorrProof(a, w + _challenge(purpose, context, public, a) * secret)


def verify_knowledge(proof: SchnorrProof, public: Point, context: bytes, purpose: str = "schnorr") -> None:
    """Raise `InvalidProof` unless `proof` shows knowledge of log_G(public)."""
    c = _challenge(purpose, context, public, proof.commitment)
    if Point.base_double_mul(proof.response, -c, public) != proof.commitment:  # r·G − c·X
        raise InvalidProof(f"{purpose} proof does not verify")


def batch_knowledge(batch: Batch, proof: SchnorrProof, public: Point, context: bytes, purpose: str = "schnorr") -> None:
    """Add the proof's equation z·(A + c·X − r·G) = 0 to `batch`; the challenge is hashed
    here, and nothing else is checked until the batch is."""
    c = _challenge(purpose, context, public, proof.commitment).value
    z = batch.weight()
    batch.term(proof.commitment, z)
    batch.term(public, z * c)
    batch.base(-z * proof.response.value)
    batch.count()


def schnorr_to_json(proof: SchnorrProof) -> dict[str, str]:
    return {"commitment": proof.commitment.hex(), "response": proof.response.hex()}


def schnorr_from_json(obj: object, what: str) -> SchnorrProof:
    """`{"commitment", "response"}`: a valid point and a canonical scalar."""
    if not isinstance(obj, dict) or set(obj) != {"commitment", "response"}:
        raise InvalidEncoding(f"{what}: expected the fields ['commitment', 'response']")
    return SchnorrProof(
        point_from_hex(obj["commitment"], f"{what}.commitment"), scalar_from_hex(obj["response"], f"{what}.response")
    )
