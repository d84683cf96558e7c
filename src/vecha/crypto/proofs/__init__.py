"""Zero-knowledge proofs, all non-interactive by strong Fiat–Shamir (spec §4)."""

from vecha.crypto.proofs.chaum_pedersen import EqualityProof, prove_equality, verify_equality
from vecha.crypto.proofs.disjunctive import RangeProof, prove_range, verify_range
from vecha.crypto.proofs.schnorr import SchnorrProof, prove_knowledge, verify_knowledge

__all__ = [
    "SchnorrProof",
    "prove_knowledge",
    "verify_knowledge",
    "EqualityProof",
    "prove_equality",
    "verify_equality",
    "RangeProof",
    "prove_range",
    "verify_range",
]
