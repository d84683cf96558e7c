"""Zero-knowledge proofs, all non-interactive by strong Fiat–Shamir (spec §4)."""

from vecha.crypto.proofs.chaum_pedersen import (
    EQUALITY_KEYS,
    EqualityProof,
    batch_equality,
    equality_from_json,
    equality_to_json,
    prove_equality,
    verify_equality,
)
from vecha.crypto.proofs.disjunctive import Branch, RangeProof, batch_range, prove_range, verify_range
from vecha.crypto.proofs.schnorr import (
    SchnorrProof,
    batch_knowledge,
    prove_knowledge,
    schnorr_from_json,
    schnorr_to_json,
    verify_knowledge,
)

__all__ = [
    "SchnorrProof",
    "prove_knowledge",
    "verify_knowledge",
    "batch_knowledge",
    "schnorr_to_json",
    "schnorr_from_json",
    "EqualityProof",
    "prove_equality",
    "verify_equality",
    "batch_equality",
    "EQUALITY_KEYS",
    "equality_to_json",
    "equality_from_json",
    "RangeProof",
    "Branch",
    "batch_range",
    "prove_range",
    "verify_range",
]
