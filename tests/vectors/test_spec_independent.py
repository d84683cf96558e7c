"""A second, minimal verifier written from docs/spec.md alone (hashlib, integers, raw libsodium).

It re-derives, for a real record: the hash chain (§8.1), the fingerprint (§8.2), a voter's
public credential (§6.3), every ballot's tracking code (§6.5), signature (§4.1, §6.4) and
0-or-1 proofs (§4.3), each on its own and all as one batch (§4.7). If the code drifts from the spec, this test notices.
"""

from __future__ import annotations

import hashlib
import json
import secrets

import pytest

from vecha.crypto import _sodium
from vecha.testing.records import BuiltElection, build_election

L = 2**252 + 27742317777372353535851937790883648493
B = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")


def frame(x: bytes) -> bytes:
    return len(x).to_bytes(8, "big") + x


def T(purpose: str, items: list[tuple[str, bytes]]) -> bytes:  # noqa: N802 — the spec's name
    data = frame(b"vecha/v1/" + purpose.encode())
    for label, value in items:
        data += frame(label.encode()) + frame(value)
    return hashlib.sha512(data).digest()


def hs(purpose: str, items: list[tuple[str, bytes]]) -> int:
    return int.from_bytes(T(purpose, items), "little") % L


def enc(n: int) -> bytes:
    return (n % L).to_bytes(32, "little")


def mul(n: int, p: bytes) -> bytes:
    return _sodium.scalarmult(enc(n), p) if n % L else bytes(32)


def base(n: int) -> bytes:
    return _sodium.scalarmult_base(enc(n)) if n % L else bytes(32)


def add(p: bytes, q: bytes) -> bytes:
    return _sodium.point_add(p, q)


def sub(p: bytes, q: bytes) -> bytes:
    return _sodium.point_sub(p, q)


def canonical(v: object) -> bytes:
    return json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltElection:
    return build_election(tmp_path_factory.mktemp("independent"))


def test_independent_checks(built: BuiltElection) -> None:
    lines = (built.record / "board.jsonl").read_bytes().splitlines()
    parent = bytes(32)
    hashes = []
    for line in lines:
        entry = json.loads(line)
        assert canonical(entry) == line and entry["parent"] == parent.hex()
        parent = T("board-entry", [("parent", parent), ("entry", line)])[:32]
        hashes.append(parent)
    header = json.loads((built.record / "record.json").read_text())
    fp = hashes[0]
    assert header["fingerprint"] == fp.hex() and header["head"] == hashes[-1].hex()

    entries = [json.loads(line) for line in lines]
    K = bytes.fromhex(next(e for e in entries if e["type"] == "joint-key")["payload"]["public_key"])
    listed = {c for e in entries if e["type"] == "credentials" for c in e["payload"]["credentials"]}
    code = built.codes[0]
    s = hs("credential", [("election", fp), ("code", code.encode())])
    assert base(s).hex() in listed

    ballots = [e["payload"]["ballot"] for e in entries if e["type"] == "ballot"]
    assert ballots
    equations: list[list[tuple[int, bytes]]] = []  # Σ s·P = 0 each, for the batch below (§4.7)
    for ballot in ballots:
        S = bytes.fromhex(ballot["credential"])
        assert ballot["credential"] in listed and ballot["election"] == fp.hex()
        body = {k: v for k, v in ballot.items() if k != "signature"}
        ctx = T("ballot-body", [("body", canonical(body))])
        A = bytes.fromhex(ballot["signature"]["commitment"])
        r = int.from_bytes(bytes.fromhex(ballot["signature"]["response"]), "little")
        c = hs("ballot-signature", [("context", ctx), ("X", S), ("A", A)])
        assert base(r) == add(A, mul(c, S))
        equations.append([(1, A), (c, S), (-r, B)])
        tracker = T("tracker", [("ballot", canonical(ballot))])[:32].hex()
        assert len(tracker) == 64
        for q, answer in enumerate(ballot["answers"]):
            for o, (ct, proof) in enumerate(zip(answer["choices"], answer["proofs"], strict=True)):
                alpha, beta = bytes.fromhex(ct["alpha"]), bytes.fromhex(ct["beta"])
                context = fp + S + q.to_bytes(4, "big") + o.to_bytes(4, "big")
                commitments: list[bytes] = []
                total = 0
                for v, (a_hex, b_hex, cv_hex, rv_hex) in enumerate(proof):
                    a_v, b_v = bytes.fromhex(a_hex), bytes.fromhex(b_hex)
                    cv, rv = (int.from_bytes(bytes.fromhex(x), "little") for x in (cv_hex, rv_hex))
                    shifted = sub(beta, base(v))
                    assert a_v == sub(base(rv), mul(cv, alpha)) and b_v == sub(mul(rv, K), mul(cv, shifted))
                    equations += [[(1, a_v), (cv, alpha), (-rv, B)], [(1, b_v), (cv, beta), (-cv * v, B), (-rv, K)]]
                    commitments += [a_v, b_v]
                    total += cv
                items = [
                    ("context", context),
                    ("K", K),
                    ("alpha", alpha),
                    ("beta", beta),
                    ("lo", (0).to_bytes(8, "big")),
                    ("hi", (1).to_bytes(8, "big")),
                    ("commitments#", len(commitments).to_bytes(8, "big")),
                ]
                items += [("commitments", p) for p in commitments]
                assert hs("ballot-choice", items) == total % L

    def weighted(weights: list[int]) -> bytes:
        total = bytes(32)
        for z, equation in zip(weights, equations, strict=True):
            for k, p in equation:
                total = add(total, mul(z * k, p))
        return total

    # the batch of §4.7: random 128-bit weights, the sum is the identity; one term off breaks it
    weights = [secrets.randbits(128) | 1 for _ in equations]
    assert weighted(weights) == bytes(32)
    equations[len(equations) // 2][-1] = (equations[len(equations) // 2][-1][0] + 1, K)
    assert weighted(weights) != bytes(32)
    assert base(1) == B


def test_independent_checkpoints(built: BuiltElection) -> None:
    lines = (built.record / "board.jsonl").read_bytes().splitlines()
    board_key = bytes.fromhex(json.loads(lines[0])["payload"]["board_key"])
    for cp in json.loads((built.record / "checkpoints.json").read_text()):
        message = canonical(
            {"type": "vecha/v1/checkpoint", "election": cp["election"], "height": cp["height"], "head": cp["head"]}
        )
        assert _sodium.verify_detached(bytes.fromhex(cp["signature"]), message, board_key)


def test_registration_from_the_spec_alone() -> None:
    """§6.8 from the spec's words: the signed message is T("registered-credential"), the
    signature a standard RSA-PSS one (SHA-384, MGF1-SHA-384, 48-byte salt) over prefix ‖
    message, the count an Ed25519 signature over its canonical message, the duplicate hash
    an HMAC-SHA-256 over the normalized fields, the puzzle the first bits of a transcript."""
    import hmac
    import unicodedata
    from pathlib import Path

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    r = json.loads((Path(__file__).parent / "vecha-v3.json").read_text(encoding="utf-8"))["registration"]
    fp, S = bytes.fromhex(r["fingerprint"]), bytes.fromhex(r["credential"])
    message = T("registered-credential", [("election", fp), ("credential", S)])
    assert message.hex() == r["message"]
    key = rsa.RSAPublicNumbers(int(r["blind_key"]["e"], 16), int(r["blind_key"]["n"], 16)).public_key()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48)
    sig = r["signature"]
    key.verify(bytes.fromhex(sig["signature"]), bytes.fromhex(sig["prefix"]) + message, pss, hashes.SHA384())
    count = r["count"]
    text = canonical(
        {"type": "vecha/v2/registrar-count", "election": fp.hex(), "body": {"registrar": "bloc-a", "issued": 3}}
    )
    assert text.decode() == count["message"]
    assert _sodium.verify_detached(
        bytes.fromhex(count["count"]["signature"]), text, bytes.fromhex(count["signing_key"])
    )

    def norm(v: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKC", v).casefold() if not c.isspace() and c not in "-./_")

    dup = r["duplicate_key"]
    items = [(f, norm(dup["values"][f]).encode()) for f in dup["fields"]]
    assert hmac.new(bytes.fromhex(dup["hmac_key"]), T("duplicate-key", items), "sha256").hexdigest() == dup["hash"]
    p = r["puzzle"]
    digest = T("application", [("body", canonical(p["application"]))])
    assert digest.hex() == p["digest"]
    h = T(
        "application-puzzle",
        [("seed", bytes.fromhex(p["seed"])), ("application", digest), ("nonce", bytes.fromhex(p["nonce"]))],
    )
    assert int.from_bytes(h[:4], "big") >> (32 - p["bits"]) == 0
    assert r["evidence_ad"] == T("evidence", [("election", fp), ("registrar", b"bloc-a")]).hex()


def test_shuffle_from_the_spec_alone() -> None:
    """§4.5 from the spec's words, on the vector's mix: the generators by hash-to-point, the
    seed, the challenges and every verification equation, with raw libsodium arithmetic;
    the changed proof fails."""
    from pathlib import Path

    V = json.loads((Path(__file__).parent / "vecha-v3.json").read_text(encoding="utf-8"))  # noqa: N806
    x, fp = V["shuffle"], bytes.fromhex(V["fingerprint"])
    K, ctx = bytes.fromhex(x["key"]), bytes.fromhex(x["context"])  # noqa: N806
    ins = [[(bytes.fromhex(c["alpha"]), bytes.fromhex(c["beta"])) for c in row] for row in x["inputs"]]
    outs = [[(bytes.fromhex(c["alpha"]), bytes.fromhex(c["beta"])) for c in row] for row in x["outputs"]]
    n, w = len(ins), len(ins[0])
    H = [
        _sodium.point_from_hash(T("shuffle-generator", [("election", fp), ("index", i.to_bytes(8, "big"))]))
        for i in range(n + 1)
    ]  # noqa: N806, E501
    assert [h.hex() for h in H] == x["generators"]

    def listed(name: str, points: list[bytes]) -> list[tuple[str, bytes]]:
        return [(name + "#", len(points).to_bytes(8, "big"))] + [(name, p) for p in points]

    def msum(pairs: list[tuple[int, bytes]]) -> bytes:
        total = bytes(32)
        for k, p in pairs:
            total = add(total, mul(k, p))
        return total

    def verifies(proof: dict) -> bool:
        P = lambda name: [bytes.fromhex(v) for v in proof[name]]  # noqa: E731, N806
        S = lambda name: [int.from_bytes(bytes.fromhex(v), "little") for v in proof[name]]  # noqa: E731, N806
        one = lambda name: int.from_bytes(bytes.fromhex(proof[name]), "little")  # noqa: E731
        c_j, chain, t_hat, s_hat, s_p, s4 = P("commitments"), P("chain"), P("t_hat"), S("s_hat"), S("s_prime"), S("s4")
        t1, t2, t3 = (bytes.fromhex(proof[k]) for k in ("t1", "t2", "t3"))
        t4 = [(bytes.fromhex(t["beta"]), bytes.fromhex(t["alpha"])) for t in proof["t4"]]
        flat = lambda rows: [p for row in rows for ct in row for p in ct]  # noqa: E731
        sigma = T(
            "shuffle",
            [
                ("election", fp),
                ("key", K),
                ("context", ctx),
                ("ballots", n.to_bytes(8, "big")),
                ("width", w.to_bytes(8, "big")),
            ]
            + listed("input", flat(ins))
            + listed("output", flat(outs))
            + listed("commitments", c_j),
        )
        u = [hs("shuffle-u", [("seed", sigma), ("index", j.to_bytes(8, "big"))]) for j in range(1, n + 1)]
        c = hs(
            "shuffle-challenge",
            [("seed", sigma)]
            + listed("chain", chain)
            + [("t1", t1), ("t2", t2), ("t3", t3)]
            + listed("t4", [p for pair in t4 for p in pair])
            + listed("t_hat", t_hat),
        )
        u_hat = 1
        for k in u:
            u_hat = u_hat * k % L
        c_bar = sub(msum([(1, p) for p in c_j]), msum([(1, h) for h in H[1:]]))
        c_hat = sub(chain[-1], mul(u_hat, H[0]))
        c_tilde = msum(list(zip(u, c_j, strict=True)))
        ok = t1 == add(base(one("s1")), mul(c, c_bar))
        ok &= t2 == add(base(one("s2")), mul(c, c_hat))
        ok &= t3 == add(add(base(one("s3")), mul(c, c_tilde)), msum(list(zip(s_p, H[1:], strict=True))))
        for k in range(w):
            a_beta = msum([(u[j], ins[j][k][1]) for j in range(n)])
            a_alpha = msum([(u[j], ins[j][k][0]) for j in range(n)])
            beta = add(sub(mul(c, a_beta), mul(s4[k], K)), msum([(s_p[i], outs[i][k][1]) for i in range(n)]))
            alpha = add(sub(mul(c, a_alpha), base(s4[k])), msum([(s_p[i], outs[i][k][0]) for i in range(n)]))
            ok &= t4[k] == (beta, alpha)
        previous = H[0]
        for i in range(n):
            ok &= t_hat[i] == add(add(base(s_hat[i]), mul(c, chain[i])), mul(s_p[i], previous))
            previous = chain[i]
        return ok and not {a for row in ins for a, _ in row} & {a for row in outs for a, _ in row}

    assert verifies(x["proof"])
    assert not verifies(x["changed_proof"])
