"""The booth's JavaScript and the Python core agree: a ballot made in JavaScript is accepted
by the Python ballot box, and the JavaScript audit check accepts the Python core's ballots
(and refuses a wrong claim about them). Both sides are independent implementations of
docs/spec.md; the spec's own vectors are checked in booth/test/ by `node --test`."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vecha.crypto.encoding import scalar_from_hex
from vecha.election.ballot import (
    Ballot,
    audit_ballot,
    check_audit,
    encrypt_ballot,
    selections_from_labels,
    verify_ballot,
)
from vecha.election.credentials import Credential
from vecha.record.entries import EntryType
from vecha.record.package import make_package
from vecha.testing.records import WHOLE_BALLOT_DEFINITION, BuiltElection, build_election


def booth_info(e: BuiltElection) -> dict[str, Any]:
    """What the booth reads from GET /api/v1/elections/{id}."""
    ledger = e.board.ledger
    ctx = ledger.context()
    return {
        "id": ctx.definition.id,
        "definition": ctx.definition.model_dump(mode="json"),
        "fingerprint": ledger.fingerprint.hex(),
        "public_key": ctx.public_key.hex(),
        "board_key": ledger.defined().board_key.hex(),
    }


def test_node_runs_the_spec_vectors(node: str, booth_dir: Path) -> None:
    done = subprocess.run([node, "--test", "test/"], cwd=booth_dir, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout


def test_a_javascript_ballot_is_accepted_by_the_python_ballot_box(
    run_js: Callable[[dict[str, Any]], dict[str, Any]], tmp_path: Path
) -> None:
    e = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    definition = e.context.definition
    choice = {"council": ["North / Bob"], "yesno": ["No"]}
    selections = [list(s) for s in selections_from_labels(definition, choice)]
    # the code as a voter might type it: lower case, spaces instead of hyphens
    typed = e.codes[0].lower().replace("-", " ")
    made = run_js({"op": "encrypt", "info": booth_info(e), "code": typed, "selections": selections})

    ballot = Ballot.from_json(made["ballot"])
    verify_ballot(ballot, e.context)
    assert ballot.credential == Credential.from_code(e.codes[0], e.context.fingerprint).public
    assert ballot.tracker() == made["tracker"]
    receipt = e.board.cast(made["ballot"])
    assert receipt.tracker == made["tracker"]
    # the audit data the booth would reveal re-encrypts to the ballot, checked by the core too
    randomness = [[scalar_from_hex(r, "randomness") for r in row] for row in made["randomness"]]
    audit_ballot(e.context, ballot, tuple(tuple(s) for s in selections), randomness)
    # and the booth's audit data, as the booth shows it, passes the core's independent check
    body, marks = check_audit(e.context, made["audit"])
    assert body.tracker() == made["tracker"] and [list(m) for m in marks] == selections
    assert "signature" not in made["audit"]["ballot"]


def test_the_javascript_audit_checks_python_ballots(
    run_js: Callable[[dict[str, Any]], dict[str, Any]], tmp_path: Path
) -> None:
    e = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    definition = e.context.definition
    cred = Credential.from_code(e.codes[1], e.context.fingerprint)
    sels = selections_from_labels(definition, {"council": ["South"], "yesno": ["Yes"]})
    enc = encrypt_ballot(e.context, cred, sels)
    request = {
        "op": "audit",
        "info": booth_info(e),
        "ballot": enc.ballot.to_json(),
        "selections": [list(s) for s in enc.selections],
        "randomness": [[bytes(r).hex() for r in row] for row in enc.randomness],
    }
    assert run_js(request) == {"ok": True}
    # a device that claims another choice than the one it encrypted is caught
    lying = dict(
        request,
        selections=[list(s) for s in selections_from_labels(definition, {"council": ["North"], "yesno": ["Yes"]})],
    )
    answer = run_js(lying)
    assert answer["ok"] is False and "does not encrypt the claimed choice" in answer["error"]
    # and the JavaScript verifier accepts the core's ballot, but not one with a choice swapped
    assert run_js({"op": "verify", "info": booth_info(e), "ballot": enc.ballot.to_json()}) == {"ok": True}
    swapped = enc.ballot.to_json()
    swapped["answers"][1]["choices"].reverse()
    assert run_js({"op": "verify", "info": booth_info(e), "ballot": swapped})["ok"] is False


def test_the_booth_replays_the_election_package(
    run_js: Callable[[dict[str, Any]], dict[str, Any]], tmp_path: Path
) -> None:
    """Finding 11: the booth takes the key from the package it replays (spec §8.7), with the
    trustees' proofs and identity signatures, not from what a box or a mirror says."""
    e = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    package = make_package(e.board.entries())
    replayed = run_js({"op": "replay", "package": package})
    assert replayed == {
        "ok": True,
        "fingerprint": e.context.fingerprint.hex(),
        "key": e.context.public_key.hex(),
        "id": e.context.definition.id,
        "pins": None,
    }
    # an election that pins its booth (as `vecha election create` and the server make one)
    pinned = build_election(tmp_path / "pinned", votes=[], stop_after=EntryType.OPEN, booth_pinned=True)
    pinned_package = make_package(pinned.board.entries())
    answer = run_js({"op": "replay", "package": pinned_package})
    assert answer["ok"] is True and answer["fingerprint"] == pinned.context.fingerprint.hex(), answer
    assert answer["pins"] == pinned_package["entries"][0]["payload"]["booth"]["files"] and answer["pins"]
    first = {"version": 3, "entries": pinned_package["entries"][:1]}
    assert run_js({"op": "replay", "package": first, "definitionOnly": True})["pins"] == answer["pins"]
    for path, pin in (("../etc/passwd", "00" * 32), ("js/x.js", "AB" * 32)):
        unsafe = json.loads(json.dumps(first))
        unsafe["entries"][0]["payload"]["booth"]["files"][path] = pin
        refused = run_js({"op": "replay", "package": unsafe, "definitionOnly": True})
        assert refused["ok"] is False and re.search("not allowed|pin of", refused["error"]), refused
    # a relay's transport key in an announcement, a changed joint key, a cut-off package
    swapped = json.loads(json.dumps(package))
    swapped["entries"][1]["payload"]["transport_key"] = "11" * 32
    rekeyed = json.loads(json.dumps(package))
    rekeyed["entries"][-1]["payload"]["public_key"] = package["entries"][1]["payload"]["commitments"][0]
    short = {"version": 3, "entries": package["entries"][:4]}
    for bad, why in ((swapped, "trustee-key"), (rekeyed, "broken hash link|joint key"), (short, "stops before")):
        answer = run_js({"op": "replay", "package": bad})
        assert answer["ok"] is False and re.search(why, answer["error"]), (why, answer)


def _jwk_of(key: Any) -> dict[str, Any]:
    """A registrar's private key as a JWK, for the JavaScript side's test-only signer."""
    import base64

    def b64(x: int) -> str:
        return base64.urlsafe_b64encode(x.to_bytes((x.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()

    p, q, e = key.p, key.q, key.e
    d = pow(e, -1, (p - 1) * (q - 1))
    return {
        "kty": "RSA",
        "alg": "PS384",
        "ext": True,
        "n": b64(p * q),
        "e": b64(e),
        "d": b64(d),
        "p": b64(p),
        "q": b64(q),
        "dp": b64(d % (p - 1)),
        "dq": b64(d % (q - 1)),
        "qi": b64(pow(q, -1, p)),
    }


def test_blind_signatures_agree_between_the_booth_and_the_registrar(
    run_js: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """RFC 9474 both ways: the booth (@cloudflare/blindrsa-ts) blinds a public credential,
    the Python registrar signs, the booth finalizes, and Python verifies; then Python blinds,
    the JavaScript signer signs, Python finalizes. A blind signature of another message is
    refused by the booth's finalize."""
    from vecha.crypto import blind_rsa as b

    key = b.generate_key(2048)
    public = key.public.to_json()
    credential = bytes(range(32))

    made = run_js({"op": "blind", "key": public, "message": credential.hex()})
    prepared = bytes.fromhex(made["prepared"])
    assert prepared[32:] == credential and len(bytes.fromhex(made["blinded"])) == 256
    answer = b.blind_sign(key, bytes.fromhex(made["blinded"]))
    done = run_js(
        {
            "op": "finalize",
            "key": public,
            "prepared": made["prepared"],
            "blind_signature": answer.hex(),
            "inverse": made["inverse"],
        }
    )
    assert done["ok"], done
    b.verify(key.public, prepared, bytes.fromhex(done["signature"]))

    other = b.blind(key.public, b.prepare(b"someone else"))
    wrong = b.blind_sign(key, other.message)
    refused = run_js(
        {
            "op": "finalize",
            "key": public,
            "prepared": made["prepared"],
            "blind_signature": wrong.hex(),
            "inverse": made["inverse"],
        }
    )
    assert refused["ok"] is False

    mine = b.prepare(credential)
    blinded = b.blind(key.public, mine)
    signed = run_js({"op": "blind-sign", "jwk": _jwk_of(key), "blinded": blinded.message.hex()})
    signature = b.finalize(key.public, mine, bytes.fromhex(signed["blind_signature"]), blinded)
    b.verify(key.public, mine, signature)


def test_ranked_graded_and_open_list_ballots_agree_between_javascript_and_python(
    run_js: Callable[[dict[str, Any]], dict[str, Any]], tmp_path: Path
) -> None:
    """A JavaScript ballot with ranks, grades and two preferences in one list is accepted by
    the Python ballot box; a Python one passes the JavaScript check, and one with its ranks
    moved to other candidates does not. (The booth's refusal to encrypt a bad ranking is in
    booth/test/.)"""
    e = build_election(tmp_path, definition=WHOLE_BALLOT_DEFINITION, votes=[], stop_after=EntryType.OPEN)
    labels = {
        "board": ["Cy", "Ala", "Dan"],
        "chair": ["Bo"],
        "judge": ["Ala=excellent", "Bo=poor"],
        "council": ["North / Ann", "North / Bob"],
    }
    values = [list(s) for s in selections_from_labels(e.context.definition, labels)]
    assert values[0] == [2, 0, 1, 3] and values[2] == [3, 1]
    made = run_js({"op": "encrypt", "info": booth_info(e), "code": e.codes[0], "selections": values})
    assert e.board.cast(made["ballot"]).tracker == made["tracker"]
    body, marks = check_audit(e.context, made["audit"])
    assert [list(m) for m in marks] == values
    enc = encrypt_ballot(e.context, Credential.from_code(e.codes[1], e.context.fingerprint), values)
    assert run_js({"op": "verify", "info": booth_info(e), "ballot": enc.ballot.to_json()}) == {"ok": True}
    moved = enc.ballot.to_json()
    moved["answers"][0]["choices"].reverse()
    assert run_js({"op": "verify", "info": booth_info(e), "ballot": moved})["ok"] is False


def test_hand_off_frames_agree_between_javascript_and_python(
    run_js: Callable[[dict[str, Any]], dict[str, Any]], tmp_path: Path
) -> None:
    """Spec §6.9: frames the booth makes are read by the Python reader, and the other way
    round; the booth's reader says which part is missing."""
    from vecha.election.handoff import frames_of, submission_of

    e = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    sels = selections_from_labels(e.context.definition, {"council": ["North / Ann"], "yesno": ["No"]})
    ballot = encrypt_ballot(e.context, Credential.from_code(e.codes[0], e.context.fingerprint), sels).ballot.to_json()
    submission = {"ballot": ballot, "channel": "web"}
    js_frames = [bytes.fromhex(f) for f in run_js({"op": "handoff-frames", "submission": submission})["frames"]]
    assert len(js_frames) >= 2 and submission_of(reversed(js_frames)) == submission
    py_frames = [f.hex() for f in frames_of(submission)]
    assert run_js({"op": "handoff-read", "frames": py_frames[::-1]}) == {"ok": True, "submission": submission}
    short = run_js({"op": "handoff-read", "frames": py_frames[1:]})
    assert short["ok"] is False and short["code"] == "missing" and "part 1" in short["error"]


def test_javascript_coercion_ballots_are_taken_and_counted_by_the_python_core(
    run_js: Callable[[dict[str, Any]], dict[str, Any]], tmp_path: Path
) -> None:
    """A coercion-resistant election (§6.10): ballots made in JavaScript — a real code's,
    its re-vote naming the first by its tracking code, a fake code's — are taken by the
    Python box, and the Python count keeps exactly the re-vote; a Python-made ballot
    verifies in JavaScript, and one with its credential and predecessor swapped does not."""
    from vecha.election.coercion_ballot import make_coercion_ballot
    from vecha.testing.coercion import coercion_election, fresh_code, run_count

    e = coercion_election(tmp_path, voters=1)
    ledger = e.board.ledger
    info = {
        "id": e.ctx.definition.id,
        "definition": e.ctx.definition.model_dump(mode="json"),
        "fingerprint": ledger.fingerprint.hex(),
        "public_key": e.ctx.public_key.hex(),
        "board_key": ledger.defined().board_key.hex(),
    }
    real = e.voters[0].code.lower().replace("-", " ")  # as a voter might type it
    first = run_js({"op": "coercion-encrypt", "info": info, "code": real, "selections": [[1, 0]]})
    assert e.board.cast(first["ballot"]).tracker == first["tracker"]
    again = run_js(
        {"op": "coercion-encrypt", "info": info, "code": real, "selections": [[0, 1]], "replaces": first["tracker"]}
    )
    fake = run_js({"op": "coercion-encrypt", "info": info, "code": fresh_code(), "selections": [[1, 0]]})
    for made in (again, fake):
        e.board.cast(made["ballot"])
    run_count(e)
    assert ledger.result is not None and ledger.result["questions"][0]["counts"] == {"Yes": 0, "No": 1}
    python_made = make_coercion_ballot(e.ctx, fresh_code(), [[0, 1]]).ballot.to_json()
    assert run_js({"op": "coercion-verify", "info": info, "ballot": python_made}) == {"ok": True}
    swapped = {**python_made, "credential": python_made["predecessor"], "predecessor": python_made["credential"]}
    assert run_js({"op": "coercion-verify", "info": info, "ballot": swapped})["ok"] is False
