"""Generate `vecha-v3.json`, the test vectors of docs/spec.md (§11).

Run from the repository root: `.venv/bin/python tests/vectors/generate.py`. Deterministic
values are recomputed by the tests; proofs (randomized) are verified by them; negative
vectors must be rejected.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from vecha.crypto import GENERATOR, ORDER, Point, Scalar, Transcript, encrypt
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.proofs import prove_equality, prove_knowledge, prove_range
from vecha.crypto.threshold import Polynomial, joint_key, lagrange_at_zero, verification_key
from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential, check_character, normalize_code
from vecha.election.definition import parse_definition
from vecha.election.identity import TrusteeIdentity
from vecha.election.preferential.ballots_file import parse_ballots_file
from vecha.election.seats import Lot, Method, SeatRules, allocate
from vecha.record.checkpoint import BoardKey, sign_checkpoint
from vecha.record.entries import GENESIS_PARENT, Entry, EntryType
from vecha.record.receipt import Receipt, receipt_message
from vecha.testing.records import trustees_of

OUT = Path(__file__).with_name("vecha-v3.json")


def s(n: int) -> Scalar:
    return Scalar.of(n)


def main() -> None:
    fp = Transcript("example").text("what", "a fingerprint").digest()[:32]
    v: dict[str, object] = {
        "source": "generated from docs/spec.md by tests/vectors/generate.py",
        "fingerprint": fp.hex(),
    }

    v["transcripts"] = [
        {"purpose": "example", "items": [], "digest": Transcript("example").digest().hex()},
        {
            "purpose": "example",
            "items": [["label", "00ff"], ["n", "0000000000000007"]],
            "digest": Transcript("example").raw("label", b"\x00\xff").number("n", 7).digest().hex(),
        },
    ]
    v["hash_to_scalar"] = {
        "purpose": "example",
        "items": [["x", "01"]],
        "scalar": Transcript("example").raw("x", b"\x01").challenge().hex(),
    }
    # keys above U+FFFF: code-point order (not RFC 8785's UTF-16 order, which puts 😀 before \uffff)
    plane1 = {"\uffff": 1, "\U0001f600": 2, "a": 3, "é": 4}
    v["canonical_json"] = [
        {
            "value": {"b": [1, -2, True, None], "a": 'é\n"\u0001', "c": {}},
            "canonical": canonical_bytes({"b": [1, -2, True, None], "a": 'é\n"\u0001', "c": {}}).decode(),
        },
        {"value": plane1, "canonical": canonical_bytes(plane1).decode()},
    ]
    codes = [normalize_code(d + check_character(d)) for d in ["7QKD2M9XG4TBHN0C", "0000000000000000"]]
    creds = []
    for code in codes:
        c = Credential.from_code(code, fp)
        creds.append(
            {
                "code": code,
                "typed": code.lower().replace("-", " ").replace("0", "o"),
                "secret": c.secret.hex(),
                "public": c.public.hex(),
            }
        )
    v["credentials"] = creds
    good = codes[0]
    wrong_check = good[:-1] + ("1" if good[-1] != "1" else "2")
    swapped = good[:15] + good[16] + good[15] + good[17:]  # "HN" → "NH" in the fourth group
    v["credential_typos"] = [wrong_check, swapped, good[:-2], good[:-1] + "U"]

    x = s(123456789)
    X = Point.base_mul(x)
    schnorr = prove_knowledge(x, X, fp + (1).to_bytes(4, "big"), purpose="trustee-key")
    v["schnorr"] = {
        "purpose": "trustee-key",
        "context": (fp + (1).to_bytes(4, "big")).hex(),
        "X": X.hex(),
        "commitment": schnorr.commitment.hex(),
        "response": schnorr.response.hex(),
    }
    H = Point.base_mul(s(987654321))
    cp = prove_equality(x, H, X, H * x, fp, purpose="decryption")
    v["chaum_pedersen"] = {
        "purpose": "decryption",
        "context": fp.hex(),
        "H": H.hex(),
        "X": X.hex(),
        "Y": (H * x).hex(),
        "a": cp.a.hex(),
        "b": cp.b.hex(),
        "response": cp.response.hex(),
    }
    K = Point.base_mul(s(42))
    ranges = []
    for m, lo, hi, r in [(0, 0, 1, 11), (1, 0, 1, 12), (2, 1, 3, 13)]:
        ct = encrypt(K, m, s(r))
        p = prove_range(K, ct, m, s(r), lo, hi, fp, purpose="ballot-overall")
        ranges.append(
            {
                "purpose": "ballot-overall",
                "context": fp.hex(),
                "K": K.hex(),
                "lo": lo,
                "hi": hi,
                "alpha": ct.alpha.hex(),
                "beta": ct.beta.hex(),
                "message": m,
                "randomness": s(r).hex(),
                "proof": [[b.a.hex(), b.b.hex(), b.challenge.hex(), b.response.hex()] for b in p.branches],
            }
        )
    v["range_proofs"] = ranges

    definition = {
        "id": "vectors",
        "title": "Vectors",
        "trustees": trustees_of(1, 1),
        "questions": [{"id": "q", "title": "Pick one", "options": ["A", "B"], "min": 1, "max": 1}],
    }
    definition = parse_definition(definition)
    ctx = ElectionContext(fp, definition, K)
    ballot = encrypt_ballot(ctx, Credential.from_code(codes[0], fp), selections_from_labels(definition, {"q": ["B"]}))
    v["ballot"] = {
        "definition": definition.model_dump(mode="json"),
        "K": K.hex(),
        "ballot": ballot.ballot.to_json(),
        "tracker": ballot.ballot.tracker(),
    }

    # a ranked and a graded question (spec §6.2): each value proven in 0…value_max
    whole = parse_definition(
        {
            "id": "vectors",
            "title": "Vectors",
            "trustees": trustees_of(1, 1),
            "mix": True,
            "questions": [
                {"id": "r", "title": "Rank", "kind": "ranked", "candidates": ["A", "B", "C"], "max": 2},
                {"id": "g", "title": "Grade", "kind": "graded", "candidates": ["A", "B"], "grades": ["x", "y", "z"]},
            ],
        }
    )
    whole_ctx = ElectionContext(fp, whole, K)
    whole_values = selections_from_labels(whole, {"r": ["B", "A"], "g": ["A=z", "B=y"]})
    whole_ballot = encrypt_ballot(whole_ctx, Credential.from_code(codes[0], fp), whole_values)
    v["whole_ballot"] = {
        "definition": whole.model_dump(mode="json"),
        "K": K.hex(),
        "values": [list(x) for x in whole_values],
        "ballot": whole_ballot.ballot.to_json(),
        "tracker": whole_ballot.ballot.tracker(),
    }

    v["counts"] = _count_vectors()

    entry = Entry("vectors", 0, GENESIS_PARENT, "2026-01-01T00:00:00Z", EntryType.OPEN, {})
    v["entry"] = {"entry": entry.to_json(), "canonical": entry.canonical().decode(), "hash": entry.hash().hex()}
    v["lot"] = {
        "seed": "00ff",
        "names": ["Alpha", "Beta", "Гамма"],
        "ranks": [hex(Lot(b"\x00\xff").rank(n)) for n in ["Alpha", "Beta", "Гамма"]],
    }
    v.update(_more_vectors(fp))
    v["registration"] = _registration_vectors(fp, Credential.from_code(codes[0], fp).public)
    v["shuffle"] = _shuffle_vectors(fp)
    v["coercion"] = _coercion_vectors(fp, codes, ctx)
    schnorr = dict(v["schnorr"])  # type: ignore[call-overload]
    schnorr["response"] = (Scalar.from_canonical_bytes(bytes.fromhex(schnorr["response"])) + s(1)).hex()
    ranged = dict(v["range_proofs"][0])  # type: ignore[index]
    ranged["proof"] = list(reversed(ranged["proof"]))
    second = Entry("vectors", 1, b"\x01" * 32, "2026-01-01T00:00:01Z", EntryType.CLOSE, {})
    tampered = {
        "schnorr": schnorr,
        "range_proof": ranged,
        # entry 1 names a parent that is not the hash of entry 0
        "broken_link": [entry.to_json(), second.to_json()],
    }
    v["negative"] = {
        "non_canonical_scalars": [ORDER.to_bytes(32, "little").hex(), (2**256 - 1).to_bytes(32, "little").hex()],
        "non_canonical_json": [
            '{"b":1, "a":2}',
            '{"a":1.0}',
            '{"a":1,"a":2}',
            '{"b":1,"a":2}',
            '{"a":"\\ud800"}',
            '{"\U0001f600":2,"\uffff":1}',
        ],
        "identity": "00" * 32,
        "tampered": tampered,
        # the generator and a small element with bit 255 set: ≥ p as 256-bit integers (§2.1)
        "non_canonical_points": [
            GENERATOR.encoding[:31].hex() + f"{GENERATOR.encoding[31] | 0x80:02x}",
            "00" * 31 + "bb",
        ],
    }
    OUT.write_text(json.dumps(v, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _more_vectors(fp: bytes) -> dict[str, object]:
    """Vectors that need no randomness (Ed25519 is deterministic; the rest uses fixed scalars)."""
    out: dict[str, object] = {}
    board = BoardKey(bytes(range(32)))
    head = Transcript("example").text("what", "a head").digest()[:32]
    cp = sign_checkpoint(board, "vectors", 5, head)
    out["checkpoint"] = {
        "board_seed": board.seed.hex(),
        "board_key": board.public.hex(),
        "message": canonical_bytes(
            {"type": "vecha/v1/checkpoint", "election": "vectors", "height": 5, "head": head.hex()}
        ).decode(),
        "checkpoint": cp.to_json(),
        # negative: the same signature does not sign another head at that height
        "forged": {**cp.to_json(), "head": ("1" if head.hex()[0] != "1" else "2") + head.hex()[1:]},
    }
    receipt = Receipt("vectors", "ab" * 32, 7, board.sign(receipt_message("vectors", "ab" * 32, 7)))
    out["receipt"] = {
        "message": receipt_message("vectors", "ab" * 32, 7).decode(),
        "receipt": receipt.to_json(),
        "forged": {**receipt.to_json(), "index": 8},
    }
    identity = TrusteeIdentity(bytes([7]) * 32)
    out["identity"] = {
        "seed": identity.seed.hex(),
        "public": identity.public.hex(),
        "fingerprint": identity.fingerprint,
    }
    # Two trustees, threshold 2, fixed polynomials: commitments, verification keys, joint key
    polys = [Polynomial((s(11), s(12))), Polynomial((s(21), s(22)))]
    commitments = [p.commitments() for p in polys]
    shares = {j: polys[0].at(j) + polys[1].at(j) for j in (1, 2)}
    K = joint_key(commitments)
    out["keys"] = {
        "commitments": [[c.hex() for c in cs] for cs in commitments],
        "verification_keys": [verification_key(commitments, j).hex() for j in (1, 2)],
        "joint_key": K.hex(),
        # negative: a verification key that does not match the commitments
        "wrong_verification_key": Point.base_mul(shares[1] + s(1)).hex(),
    }
    # Combination (§7.4): 3 encrypted as (r·G, 3·G + r·K) with r = 5, both trustees' shares
    ct = encrypt(K, 3, s(5))
    shares_d = {j: ct.alpha * shares[j] for j in (1, 2)}
    out["combination"] = {
        "ciphertext": {"alpha": ct.alpha.hex(), "beta": ct.beta.hex()},
        "shares": {str(j): d.hex() for j, d in shares_d.items()},
        "lagrange": {str(j): lagrange_at_zero(j, [1, 2]).hex() for j in (1, 2)},
        "count": 3,
        "bound": 10,
    }
    # Seats (§9): one set of votes under every method, and the normalized rules of the result
    votes = {"A": 4160, "B": 3380, "C": 2460}
    seats = {}
    for method in Method:
        divisors = (Fraction(1), Fraction(4), Fraction(7)) if method is Method.HIGHEST_AVERAGES else ()
        rules = SeatRules(method, 8, threshold=Fraction(3, 100), divisors=divisors)
        alloc = allocate(votes, rules, Lot(b"\x00\xff"))
        seats[method.value] = alloc.to_json()
    out["seats"] = {
        "votes": votes,
        "lot_seed": "00ff",
        "seats": 8,
        "threshold": "3%",
        "divisors": ["1", "4", "7"],
        "allocations": seats,
    }
    written = {
        "id": "normalize",
        "title": {"en": "As written", "be": "Як напісана"},
        "languages": ["be", "en"],
        "trustees": trustees_of(1, 1),
        "questions": [
            {"id": "q", "title": "Yes?", "options": ["Yes", "No"], "option_text": {"Yes": {"be": "Так", "en": "Yes"}}},
            {
                "id": "council",
                "kind": "list-pr",
                "title": "Lists",
                "lists": [
                    {
                        "name": "L1",
                        "text": {"be": "Спіс 1"},
                        "candidates": ["Ann"],
                        "candidate_text": {"Ann": {"be": "Ганна"}},
                    },
                    {"name": "L2"},
                ],
                "seats": {"method": "hare", "seats": 3, "threshold": "5%"},
            },
        ],
    }
    out["normalization"] = {"written": written, "normalized": parse_definition(written).model_dump(mode="json")}
    return out


def _registration_vectors(fp: bytes, credential: Point) -> dict[str, object]:
    """§6.8: the message a registrar signs, a signed credential (RSA key made here; the
    signature verifies), a signed count (Ed25519: deterministic), a duplicate hash, a puzzle."""
    import hashlib
    import hmac

    from vecha.crypto import blind_rsa
    from vecha.election.application import application_digest, normalize_key_value, puzzle_ok, solve_puzzle
    from vecha.election.eligibility import count_message, credential_message

    key = blind_rsa.generate_key(2048)
    message = credential_message(fp, credential)
    prepared = blind_rsa.prepare(message, bytes(range(32)))
    blinded = blind_rsa.blind(key.public, prepared)
    signature = blind_rsa.finalize(key.public, prepared, blind_rsa.blind_sign(key, blinded.message), blinded)
    seed = bytes(range(32, 64))
    from vecha.crypto import _sodium

    public, secret = _sodium.sign_seed_keypair(seed)
    count_text = count_message(fp, "bloc-a", 3)
    hmac_key = bytes(range(64, 96))
    values = {"document": "MP 123-4567", "born": "1990-04-01"}
    dup = Transcript("duplicate-key")
    for name in ("document", "born"):
        dup.text(name, normalize_key_value(values[name]))
    body = {"election": fp.hex(), "registrar": "bloc-a", "example": True}
    digest = application_digest(body)
    puzzle_seed = bytes(range(96, 128))
    nonce = solve_puzzle(puzzle_seed, digest, 12)
    bad = next(n for n in (i.to_bytes(8, "big") for i in range(1000)) if not puzzle_ok(puzzle_seed, digest, n, 12))
    return {
        "fingerprint": fp.hex(),
        "credential": credential.hex(),
        "message": message.hex(),
        "blind_key": key.public.to_json(),
        "signature": {"registrar": "bloc-a", "prefix": prepared[:32].hex(), "signature": signature.hex()},
        # negative: the same signature under another prefix does not verify
        "forged": {"registrar": "bloc-a", "prefix": "ff" * 32, "signature": signature.hex()},
        "count": {
            "signing_seed": seed.hex(),
            "signing_key": public.hex(),
            "message": count_text.decode(),
            "count": {"registrar": "bloc-a", "issued": 3, "signature": _sodium.sign_detached(count_text, secret).hex()},
        },
        "duplicate_key": {
            "hmac_key": hmac_key.hex(),
            "fields": ["document", "born"],
            "values": values,
            "normalized": {k: normalize_key_value(v) for k, v in values.items()},
            "hash": hmac.new(hmac_key, dup.digest(), hashlib.sha256).hexdigest(),
        },
        "puzzle": {
            "application": body,
            "digest": digest.hex(),
            "seed": puzzle_seed.hex(),
            "bits": 12,
            "nonce": nonce.hex(),
            "unsolved_nonce": bad.hex(),
        },
        "evidence_ad": Transcript("evidence").raw("election", fp).text("registrar", "bloc-a").digest().hex(),
    }


def _coercion_vectors(fp: bytes, codes: list[str], ctx: ElectionContext) -> dict[str, object]:
    """§6.10 and §4.6: credential and link points, the message a registrar signs for a roll
    entry, a coercion-resistant election's ballot (random: verified, not recomputed) and a
    raising of two ciphertexts with its proof."""
    from vecha.crypto.elgamal import Ciphertext
    from vecha.crypto.rows import PackedRows
    from vecha.election.coercion import credential_point, link_point, raise_column, tag_context
    from vecha.election.coercion_ballot import make_coercion_ballot
    from vecha.election.coercion_roll import roll_message

    tracker = Transcript("example").text("what", "a tracking code").digest()[:32]
    K = ctx.public_key
    R = Ciphertext(Point.base_mul(s(7)), credential_point(fp, codes[0]) + K * s(7))
    coercion_ctx = ElectionContext(fp, parse_definition({**ctx.definition.model_dump(mode="json")}), K)
    ballot = make_coercion_ballot(coercion_ctx, codes[1], [[0, 1]], replaces=tracker).ballot
    inputs = PackedRows.of([(R,), (Ciphertext(Point.base_mul(s(3)), Point.base_mul(s(5))),)], 1)
    identity = TrusteeIdentity(bytes(range(32)))
    raising = raise_column(fp, identity, 2, s(9), "tag-group", inputs)
    return {
        "credential_points": [{"code": c, "S": credential_point(fp, c).hex()} for c in codes],
        "link": {"tracker": tracker.hex(), "L": link_point(fp, tracker).hex()},
        "roll_message": {
            "alpha": R.alpha.hex(),
            "beta": R.beta.hex(),
            "message": roll_message(fp, R).hex(),
        },
        "ballot": {
            "K": K.hex(),
            "code": codes[1],
            "replaces": tracker.hex(),
            "ballot": ballot.to_json(),
            "tracker": ballot.tracker(),
        },
        "raising": {
            "identity": identity.public.hex(),
            "context": tag_context(fp, 2).hex(),
            "inputs": inputs.to_json(),
            "exponent": s(9).hex(),
            "payload": raising.to_json(),
        },
    }


def _count_vectors() -> list[dict[str, object]]:
    """Spec §9.7: ballots files (§9.7.6) and each method's object on them (--json)."""
    ranked = {
        "candidates": ["Orange", "Pear", "Choc", "Straw", "Bonbon"],
        "ballots": [
            {"ballot": ["Orange"], "count": 4},
            {"ballot": ["Pear", "Orange"], "count": 2},
            {"ballot": ["Choc", "Straw"], "count": 8},
            {"ballot": ["Choc", "Bonbon"], "count": 4},
            ["Straw"],
            ["Bonbon"],
            {"ballot": ["Straw", "Pear"], "count": 1},
        ],
    }
    truncating = {"candidates": ["A", "B", "C", "D"], "ballots": [{"ballot": ["A", "B"], "count": 7}, ["C"], ["D"]]}
    tied = {
        "candidates": ["A", "B", "C", "D", "E"],
        "ballots": [{"ballot": ["A"], "count": 4}, ["B", "A"], ["C"], ["D", "C"], ["E", "B"]],
    }
    graded = {
        "candidates": ["Ala", "Bo", "Cy"],
        "grades": ["reject", "poor", "good", "excellent"],
        "ballots": [
            {"Ala": "good", "Bo": "good", "Cy": "poor"},
            {"Ala": "excellent", "Bo": "poor"},
            {"ballot": {"Ala": "poor", "Bo": "good", "Cy": "excellent"}, "count": 2},
            {"Ala": "good", "Bo": "reject", "Cy": "good"},
        ],
    }
    cases = [
        (ranked, "stv", 3),
        (ranked, "irv", 1),
        (ranked, "schulze", 1),
        (truncating, "stv", 2),
        (tied, "irv", 1),
        (graded, "majority-judgment", 1),
    ]
    out = []
    for data, method, seats in cases:
        outcome = parse_ballots_file(data).count(method, seats, Lot(b"\x00\xff"))
        out.append({"file": data, "method": method, "seats": seats, "lot_seed": "00ff", "result": outcome.to_json()})
    return out


def _shuffle_vectors(fp: bytes) -> dict[str, object]:
    """§4.5: three ballots of two ciphertexts (fixed randomness), mixed, with the proof; the
    key's secret so that a test can decrypt both sides; the generators H_0…H_3; a changed proof."""
    from vecha.crypto.shuffle import generators, prove_shuffle, shuffle

    secret = s(987654321)
    key = Point.base_mul(secret)
    messages = [[1, 0], [0, 2], [3, 1]]
    inputs = [tuple(encrypt(key, m, s(100 + 10 * i + k)) for k, m in enumerate(row)) for i, row in enumerate(messages)]
    outputs, psi, randomness = shuffle(key, inputs)
    context = fp + (1).to_bytes(4, "big")
    proof = prove_shuffle(fp, key, context, inputs, outputs, psi, randomness).to_json()

    def rows(rs: list) -> list:
        return [[{"alpha": ct.alpha.hex(), "beta": ct.beta.hex()} for ct in row] for row in rs]

    changed = dict(proof, s_prime=[proof["s_prime"][1], proof["s_prime"][0], *proof["s_prime"][2:]])
    return {
        "secret": secret.hex(),
        "key": key.hex(),
        "context": context.hex(),
        "messages": messages,
        "generators": [h.hex() for h in generators(fp, 3)],
        "inputs": rows(inputs),
        "outputs": rows(outputs),
        "proof": proof,
        "changed_proof": changed,
    }


if __name__ == "__main__":
    main()
