"""Generate `vecha-v1.json`, the test vectors of docs/spec.md (§11).

Run from the repository root: `.venv/bin/python tests/vectors/generate.py`. Deterministic
values are recomputed by the tests; proofs (randomized) are verified by them; negative
vectors must be rejected.
"""

from __future__ import annotations

import json
from pathlib import Path

from vecha.crypto import GENERATOR, ORDER, Point, Scalar, Transcript, encrypt
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.proofs import prove_equality, prove_knowledge, prove_range
from vecha.election.ballot import encrypt_ballot, selections_from_choices
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential, check_character, normalize_code
from vecha.election.manifest import parse_manifest
from vecha.election.seats import Lot
from vecha.record.entries import GENESIS_PARENT, Entry, EntryType
from vecha.testing.records import trustees_of

OUT = Path(__file__).with_name("vecha-v1.json")


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
    v["canonical_json"] = [
        {
            "value": {"b": [1, -2, True, None], "a": 'é\n"\u0001', "c": {}},
            "canonical": canonical_bytes({"b": [1, -2, True, None], "a": 'é\n"\u0001', "c": {}}).decode(),
        },
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
        "challenge": schnorr.challenge.hex(),
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
        "challenge": cp.challenge.hex(),
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
                "proof": [[c.hex(), rr.hex()] for c, rr in p.branches],
            }
        )
    v["range_proofs"] = ranges

    definition = {
        "id": "vectors",
        "title": "Vectors",
        "trustees": trustees_of(1, 1),
        "questions": [{"id": "q", "title": "Pick one", "options": ["A", "B"], "min": 1, "max": 1}],
    }
    manifest = parse_manifest(definition)
    ctx = ElectionContext(fp, manifest, K)
    ballot = encrypt_ballot(ctx, Credential.from_code(codes[0], fp), selections_from_choices(manifest, {"q": ["B"]}))
    v["ballot"] = {
        "definition": manifest.model_dump(mode="json"),
        "K": K.hex(),
        "ballot": ballot.ballot.to_json(),
        "tracker": ballot.ballot.tracker(),
    }

    entry = Entry("vectors", 0, GENESIS_PARENT, "2026-01-01T00:00:00Z", EntryType.OPEN, {})
    v["entry"] = {"entry": entry.to_json(), "canonical": entry.canonical().decode(), "hash": entry.hash().hex()}
    v["lot"] = {
        "seed": "00ff",
        "names": ["Alpha", "Beta", "Гамма"],
        "ranks": [hex(Lot(b"\x00\xff").rank(n)) for n in ["Alpha", "Beta", "Гамма"]],
    }
    v["negative"] = {
        "non_canonical_scalars": [ORDER.to_bytes(32, "little").hex(), (2**256 - 1).to_bytes(32, "little").hex()],
        "non_canonical_json": ['{"b":1, "a":2}', '{"a":1.0}', '{"a":1,"a":2}', '{"b":1,"a":2}'],
        "identity": "00" * 32,
        # the generator and a small element with bit 255 set: ≥ p as 256-bit integers (§2.1)
        "non_canonical_points": [
            GENERATOR.encoding[:31].hex() + f"{GENERATOR.encoding[31] | 0x80:02x}",
            "00" * 31 + "bb",
        ],
    }
    OUT.write_text(json.dumps(v, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
