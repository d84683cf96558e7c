"""The vectors of docs/spec.md §11: recomputed, verified, and (negative ones) rejected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto import Ciphertext, Point, Scalar, Transcript, small_dlog
from vecha.crypto.batch import Batch
from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.crypto.encoding import point_from_hex, scalar_from_hex
from vecha.crypto.proofs import (
    Branch,
    EqualityProof,
    RangeProof,
    SchnorrProof,
    batch_knowledge,
    batch_range,
    verify_equality,
    verify_knowledge,
    verify_range,
)
from vecha.crypto.threshold import joint_key, lagrange_at_zero, verification_key
from vecha.election.ballot import Ballot, verify_ballot, verify_ballot_proofs
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential, normalize_code
from vecha.election.definition import parse_definition
from vecha.election.identity import TrusteeIdentity, identity_fingerprint
from vecha.election.seats import Lot, Method, SeatRules, allocate, parse_fraction
from vecha.errors import InvalidEncoding, InvalidProof
from vecha.record.checkpoint import BoardKey, Checkpoint
from vecha.record.entries import Entry, entry_hash
from vecha.record.receipt import Receipt, receipt_message

V: dict[str, Any] = json.loads((Path(__file__).parent / "vecha-v3.json").read_text(encoding="utf-8"))
FP = bytes.fromhex(V["fingerprint"])


def test_transcripts() -> None:
    for t in V["transcripts"]:
        tr = Transcript(t["purpose"])
        for label, value in t["items"]:
            tr.raw(label, bytes.fromhex(value))
        assert tr.digest().hex() == t["digest"]
    h = V["hash_to_scalar"]
    tr = Transcript(h["purpose"])
    for label, value in h["items"]:
        tr.raw(label, bytes.fromhex(value))
    assert tr.challenge().hex() == h["scalar"]


def test_canonical_json() -> None:
    for c in V["canonical_json"]:
        assert canonical_bytes(c["value"]).decode() == c["canonical"]
        assert parse_canonical(c["canonical"]) == c["value"]
    for bad in V["negative"]["non_canonical_json"]:
        with pytest.raises(InvalidEncoding):
            parse_canonical(bad)


def test_credentials() -> None:
    for c in V["credentials"]:
        assert normalize_code(c["typed"]) == c["code"]
        cred = Credential.from_code(c["typed"], FP)
        assert cred.secret.hex() == c["secret"] and cred.public.hex() == c["public"]
    for typo in V["credential_typos"]:
        with pytest.raises(InvalidEncoding):
            normalize_code(typo)


def _schnorr(obj: dict[str, str]) -> SchnorrProof:
    return SchnorrProof(point_from_hex(obj["commitment"], "A"), scalar_from_hex(obj["response"], "r"))


def _range(branches: list[list[str]]) -> RangeProof:
    return RangeProof(
        tuple(
            Branch(point_from_hex(a, "A"), point_from_hex(b, "B"), scalar_from_hex(c, "c"), scalar_from_hex(r, "r"))
            for a, b, c, r in branches
        )
    )


def test_schnorr_and_chaum_pedersen() -> None:
    s = V["schnorr"]
    proof = _schnorr(s)
    X = point_from_hex(s["X"], "X")
    verify_knowledge(proof, X, bytes.fromhex(s["context"]), purpose=s["purpose"])
    with pytest.raises(InvalidProof):
        verify_knowledge(
            SchnorrProof(proof.commitment, proof.response + Scalar(1)),
            X,
            bytes.fromhex(s["context"]),
            purpose=s["purpose"],
        )
    cp = V["chaum_pedersen"]
    pts = [point_from_hex(cp[k], k) for k in ("H", "X", "Y")]
    eq = EqualityProof(point_from_hex(cp["a"], "A"), point_from_hex(cp["b"], "B"), scalar_from_hex(cp["response"], "r"))
    verify_equality(eq, *pts, bytes.fromhex(cp["context"]), purpose=cp["purpose"])
    with pytest.raises(InvalidProof):
        verify_equality(eq, pts[0], pts[1], pts[0], bytes.fromhex(cp["context"]), purpose=cp["purpose"])


def test_range_proofs() -> None:
    for r in V["range_proofs"]:
        K = point_from_hex(r["K"], "K")
        ct = Ciphertext(point_from_hex(r["alpha"], "a"), point_from_hex(r["beta"], "b"))
        assert Point.base_mul(scalar_from_hex(r["randomness"], "r")) == ct.alpha
        proof = _range(r["proof"])
        verify_range(proof, K, ct, r["lo"], r["hi"], bytes.fromhex(r["context"]), purpose=r["purpose"])
        with pytest.raises(InvalidProof):
            verify_range(proof, K, ct, r["lo"], r["hi"], bytes.fromhex(r["context"]), purpose="ballot-choice")


def _vector_batch(tampered: bool) -> Batch:
    """The Schnorr vector and every range vector as one batch (§4.7); `tampered`: the
    negative Schnorr vector (response + 1) in place of the Schnorr one."""
    batch = Batch()
    s = V["negative"]["tampered"]["schnorr"] if tampered else V["schnorr"]
    batch_knowledge(batch, _schnorr(s), point_from_hex(s["X"], "X"), bytes.fromhex(s["context"]), s["purpose"])
    for r in V["range_proofs"]:
        ct = Ciphertext(point_from_hex(r["alpha"], "a"), point_from_hex(r["beta"], "b"))
        K = point_from_hex(r["K"], "K")
        batch_range(batch, _range(r["proof"]), K, ct, r["lo"], r["hi"], bytes.fromhex(r["context"]), r["purpose"])
    return batch


def test_the_vectors_hold_as_one_batch_and_a_tampered_one_breaks_it() -> None:
    # 1 + (2 + 2 + 3) branches × 2: fifteen equations, each weighted at random
    good = _vector_batch(tampered=False)
    assert good.equations == 15 and good.holds()
    bad = _vector_batch(tampered=True)  # its hash still matches: only the equation fails
    assert bad.equations == 15 and not bad.holds()


def test_ballot_and_tracker() -> None:
    b = V["ballot"]
    ctx = ElectionContext(FP, parse_definition(b["definition"]), point_from_hex(b["K"], "K"))
    ballot = Ballot.from_json(b["ballot"])
    verify_ballot(ballot, ctx)
    assert ballot.tracker() == b["tracker"]
    assert ballot.to_json() == b["ballot"]


def test_a_ranked_and_graded_ballot() -> None:
    """Spec §6.2, §6.4: a rank proven in 0…max (3 branches), a grade in 0…2, the sums in
    [0, 3] and [0, 4]; a changed rank does not verify."""
    b = V["whole_ballot"]
    ctx = ElectionContext(FP, parse_definition(b["definition"]), point_from_hex(b["K"], "K"))
    ballot = Ballot.from_json(b["ballot"])
    verify_ballot(ballot, ctx)
    assert ballot.tracker() == b["tracker"] and b["values"] == [[2, 1, 0], [2, 1]]
    ranked, graded = ballot.answers
    assert [len(p.branches) for p in ranked.proofs] == [3, 3, 3] and len(ranked.overall.branches) == 4
    assert [len(p.branches) for p in graded.proofs] == [3, 3] and len(graded.overall.branches) == 5
    swapped = b["ballot"] | {"answers": [dict(b["ballot"]["answers"][0]), b["ballot"]["answers"][1]]}
    swapped["answers"][0]["choices"] = list(reversed(swapped["answers"][0]["choices"]))
    with pytest.raises(InvalidProof):
        verify_ballot_proofs(Ballot.from_json(swapped), ctx)


def test_entry_hash_and_broken_link() -> None:
    e = V["entry"]
    entry = Entry.from_json(e["entry"])
    assert entry.canonical().decode() == e["canonical"]
    assert entry.hash().hex() == e["hash"]
    assert entry_hash(b"\x01" * 32, entry.canonical()).hex() != e["hash"]


def test_lot_ranks() -> None:
    lot = V["lot"]
    assert [hex(Lot(bytes.fromhex(lot["seed"])).rank(n)) for n in lot["names"]] == lot["ranks"]


def test_negative_encodings() -> None:
    for s in V["negative"]["non_canonical_scalars"]:
        with pytest.raises(InvalidEncoding):
            scalar_from_hex(s, "scalar")
    with pytest.raises(InvalidEncoding):
        point_from_hex(V["negative"]["identity"], "credential", nonidentity=True)
    for p in V["negative"]["non_canonical_points"]:
        with pytest.raises(InvalidEncoding):
            point_from_hex(p, "point")
    with pytest.raises(InvalidEncoding):
        point_from_hex(V["schnorr"]["X"].upper(), "upper-case hex")


def test_tampered_proofs_and_broken_link_are_rejected() -> None:
    t = V["negative"]["tampered"]
    s = t["schnorr"]
    with pytest.raises(InvalidProof):
        verify_knowledge(_schnorr(s), point_from_hex(s["X"], "X"), bytes.fromhex(s["context"]), purpose=s["purpose"])
    r = t["range_proof"]
    proof = _range(r["proof"])
    ct = Ciphertext(point_from_hex(r["alpha"], "a"), point_from_hex(r["beta"], "b"))
    with pytest.raises(InvalidProof):
        verify_range(
            proof, point_from_hex(r["K"], "K"), ct, r["lo"], r["hi"], bytes.fromhex(r["context"]), purpose=r["purpose"]
        )
    first, second = (Entry.from_json(e) for e in t["broken_link"])
    assert second.parent != first.hash()  # a verifier applying the chain rule of §8.1 stops here


def test_checkpoint_and_receipt_signatures() -> None:
    c = V["checkpoint"]
    key = bytes.fromhex(c["board_key"])
    assert BoardKey(bytes.fromhex(c["board_seed"])).public == key
    cp = Checkpoint.from_json(c["checkpoint"])
    cp.verify(key)
    assert cp.to_json() == c["checkpoint"]
    with pytest.raises(InvalidProof):
        Checkpoint.from_json(c["forged"]).verify(key)
    r = V["receipt"]
    assert receipt_message("vectors", r["receipt"]["tracker"], r["receipt"]["index"]).decode() == r["message"]
    Receipt.from_json(r["receipt"]).verify(key)
    with pytest.raises(InvalidProof):
        Receipt.from_json(r["forged"]).verify(key)


def test_identity_fingerprint() -> None:
    i = V["identity"]
    assert TrusteeIdentity(bytes.fromhex(i["seed"])).public.hex() == i["public"]
    assert identity_fingerprint(bytes.fromhex(i["public"])) == i["fingerprint"]


def test_verification_keys_joint_key_and_combination() -> None:
    k = V["keys"]
    commitments = [[point_from_hex(c, "C") for c in cs] for cs in k["commitments"]]
    assert [verification_key(commitments, j).hex() for j in (1, 2)] == k["verification_keys"]
    assert joint_key(commitments).hex() == k["joint_key"]
    assert verification_key(commitments, 1).hex() != k["wrong_verification_key"]
    c = V["combination"]
    ct = Ciphertext(point_from_hex(c["ciphertext"]["alpha"], "a"), point_from_hex(c["ciphertext"]["beta"], "b"))
    lambdas = {int(j): scalar_from_hex(x, "lambda") for j, x in c["lagrange"].items()}
    assert lambdas == {j: lagrange_at_zero(j, [1, 2]) for j in (1, 2)}
    m = ct.beta
    for j, d in c["shares"].items():
        m = m - point_from_hex(d, "D") * lambdas[int(j)]
    assert small_dlog(m, c["bound"]) == c["count"]


def test_seat_allocations_and_normalization() -> None:
    v = V["seats"]
    for method, expected in v["allocations"].items():
        divisors = tuple(parse_fraction(d, "d") for d in v["divisors"]) if method == "highest-averages" else ()
        threshold = parse_fraction(v["threshold"], "t")
        rules = SeatRules(Method(method), v["seats"], threshold=threshold, divisors=divisors)
        assert allocate(v["votes"], rules, Lot(bytes.fromhex(v["lot_seed"]))).to_json() == expected, method
    n = V["normalization"]
    assert parse_definition(n["written"]).model_dump(mode="json") == n["normalized"]
    assert parse_definition(n["normalized"]).model_dump(mode="json") == n["normalized"]


def test_registration_vectors() -> None:
    """§6.8 through Vecha's code: the signed message, the signature (and its forgery), the
    registrar's count, the duplicate hash and the puzzle."""
    from vecha.crypto import _sodium
    from vecha.election.application import application_digest, duplicate_hash, puzzle_ok
    from vecha.election.eligibility import RegistrarCount, RegistrationRules, SignedCredential, credential_message
    from vecha.errors import InvalidSignature

    r = V["registration"]
    fp = bytes.fromhex(r["fingerprint"])
    credential = point_from_hex(r["credential"], "credential")
    assert credential_message(fp, credential).hex() == r["message"]
    count = r["count"]
    rules = RegistrationRules.model_validate(
        {
            "registrars": [
                {
                    "id": "bloc-a",
                    "name": "A",
                    "blind_key": r["blind_key"],
                    "signing_key": count["signing_key"],
                    "reviewers": ["11" * 32],
                }
            ],
            "fields": [
                {"id": "document", "kind": "document", "label": "Document"},
                {"id": "born", "kind": "date", "label": "Born"},
            ],
            "duplicate_key": r["duplicate_key"]["fields"],
        }
    )
    SignedCredential.from_json({"credential": r["credential"], "signatures": [r["signature"]]}, rules).verify(fp, rules)
    with pytest.raises(InvalidSignature):
        SignedCredential.from_json({"credential": r["credential"], "signatures": [r["forged"]]}, rules).verify(
            fp, rules
        )
    assert _sodium.sign_seed_keypair(bytes.fromhex(count["signing_seed"]))[0].hex() == count["signing_key"]
    RegistrarCount.from_json(count["count"]).verify(fp, rules)
    with pytest.raises(InvalidSignature):
        RegistrarCount.from_json({**count["count"], "issued": 4}).verify(fp, rules)
    dup = r["duplicate_key"]
    assert duplicate_hash(bytes.fromhex(dup["hmac_key"]), rules, dup["values"]).hex() == dup["hash"]
    p = r["puzzle"]
    assert application_digest(p["application"]).hex() == p["digest"]
    digest, seed = bytes.fromhex(p["digest"]), bytes.fromhex(p["seed"])
    assert puzzle_ok(seed, digest, bytes.fromhex(p["nonce"]), p["bits"])
    assert not puzzle_ok(seed, digest, bytes.fromhex(p["unsolved_nonce"]), p["bits"])


def test_shuffle_vectors() -> None:
    """§4.5 through Vecha's code: the generators, the proof (and a changed one), and that the
    outputs decrypt to the inputs' messages, permuted."""
    from vecha.crypto.elgamal import Ciphertext, decrypt_to_point
    from vecha.crypto.shuffle import ShuffleProof, generators, verify_shuffle
    from vecha.errors import InvalidProof

    x = V["shuffle"]
    fp = bytes.fromhex(V["fingerprint"])
    key = point_from_hex(x["key"], "key")

    def rows(rs: list) -> list[tuple[Ciphertext, ...]]:
        return [
            tuple(Ciphertext(point_from_hex(c["alpha"], "a"), point_from_hex(c["beta"], "b")) for c in r) for r in rs
        ]

    inputs, outputs = rows(x["inputs"]), rows(x["outputs"])
    assert [h.hex() for h in generators(fp, 3)] == x["generators"]
    context = bytes.fromhex(x["context"])
    verify_shuffle(fp, key, context, inputs, outputs, ShuffleProof.from_json(x["proof"], 3, 2))
    with pytest.raises(InvalidProof):
        verify_shuffle(fp, key, context, inputs, outputs, ShuffleProof.from_json(x["changed_proof"], 3, 2))
    secret = Scalar.from_canonical_bytes(bytes.fromhex(x["secret"]))
    plain = sorted(tuple(decrypt_to_point(secret, ct).hex() for ct in r) for r in outputs)
    assert plain == sorted(tuple(Point.small_multiple(m).hex() for m in row) for row in x["messages"])


def test_counts_of_ranked_and_graded_ballots() -> None:
    """Spec §9.7: every method's object, round by round, on the vector ballots files; among
    them a transfer value truncated to 5 places and a tie the lot breaks."""
    from vecha.election.preferential.ballots_file import parse_ballots_file

    cases = V["counts"]
    for case in cases:
        outcome = parse_ballots_file(case["file"]).count(
            case["method"], case["seats"], Lot(bytes.fromhex(case["lot_seed"]))
        )
        assert outcome.to_json() == case["result"], case["method"]
    assert {c["method"] for c in cases} == {"stv", "irv", "schulze", "majority-judgment"}
    assert any(r.get("tie") == "lot" for c in cases for r in c["result"]["rounds"])
    # 7 ballots move at ⌊3/7 · 10⁵⌋ / 10⁵ = 0.42857 each: 2.99999, not 3
    assert any(r["totals"].get("B") == "2.99999" for c in cases for r in c["result"]["rounds"])


def test_coercion_vectors() -> None:
    """§6.10 and §4.6: credential and link points and the roll entry's message recomputed; a
    coercion-resistant election's ballot verifies (and, changed, does not); a raising's
    outputs are its inputs times the exponent, and its signature and proof verify."""
    from vecha.crypto.elgamal import Ciphertext
    from vecha.crypto.rows import PackedRows
    from vecha.election.coercion import Raising, credential_point, link_point
    from vecha.election.coercion_ballot import CoercionBallot, verify_coercion_ballot
    from vecha.election.coercion_roll import roll_message
    from vecha.errors import InvalidSignature

    x = V["coercion"]
    for c in x["credential_points"]:
        assert credential_point(FP, c["code"]).hex() == c["S"]
    assert link_point(FP, bytes.fromhex(x["link"]["tracker"])).hex() == x["link"]["L"]
    r = x["roll_message"]
    R = Ciphertext(point_from_hex(r["alpha"], "a"), point_from_hex(r["beta"], "b"))
    assert roll_message(FP, R).hex() == r["message"]
    b = x["ballot"]
    ctx = ElectionContext(FP, parse_definition(V["ballot"]["definition"]), point_from_hex(b["K"], "K"))
    ballot = CoercionBallot.from_json(b["ballot"])
    verify_coercion_ballot(ballot, ctx)
    assert ballot.tracker() == b["tracker"]
    changed = json.loads(json.dumps(b["ballot"]))
    changed["predecessor"], changed["credential"] = changed["credential"], changed["predecessor"]
    with pytest.raises(InvalidSignature):
        verify_coercion_ballot(CoercionBallot.from_json(changed), ctx)
    g = x["raising"]
    inputs = PackedRows.from_json(g["inputs"], 2, 1)
    raising = Raising.from_json(g["payload"], 2, 1)
    z = Scalar.from_canonical_bytes(bytes.fromhex(g["exponent"]))
    assert raising.outputs.data == b"".join(
        (Point.trusted(inputs.data[k : k + 32]) * z).encoding for k in range(0, 128, 32)
    )
    raising.verify(FP, [bytes(32), bytes.fromhex(g["identity"])], inputs)
    with pytest.raises(InvalidProof):
        raising.verify(
            FP, [bytes(32), bytes.fromhex(g["identity"])], PackedRows(inputs.data[64:] + inputs.data[:64], 1)
        )
