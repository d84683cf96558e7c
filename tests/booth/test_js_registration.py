"""The registration page's JavaScript and the Python core agree (spec §6.8): an application
made in JavaScript — its credential, blinded messages, sealed evidence and puzzle — is taken
by the Python registrar, opened by a Python reviewer, signed; the JavaScript unblinds it, and
the Python ballot box registers and counts the credential with a JavaScript ballot. The other
way, evidence sealed by Python opens with the review page's JavaScript, a reviewer's key pair
is the same from its seed, and a wrong key or a changed ciphertext does not open."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto.group import Point
from vecha.election.application import Evidence, PendingCredential, ReviewerKey, SealedEvidence
from vecha.election.ballot import selections_from_labels
from vecha.election.coercion import credential_point
from vecha.election.credentials import Credential
from vecha.election.eligibility import SignedCredential
from vecha.election.trustees import local_ceremony
from vecha.errors import ElectionError, RecordError, RegistrationRefused
from vecha.record.package import make_package
from vecha.registrar.service import PUZZLE_EPOCH_S
from vecha.store.board import Board, open_store
from vecha.store.coercion import register_roll_entry
from vecha.store.organizer import open_voting, post_registrar_count, record_ceremony
from vecha.testing.coercion import COERCION_DEFINITION, CoercionElection, fresh_code, run_count
from vecha.testing.records import SMALL_DEFINITION, fixed_identities
from vecha.testing.registration import make_registrars, open_registrars, with_registration

JsCall = Callable[[dict[str, Any]], dict[str, Any]]
PHOTO = bytes(range(256)) * 40
FIELDS = {"name": "Алеся Іванова", "document": "MP 123-4567", "born": "1990-04-01", "country": "PL"}


def _election(tmp_path: Path):
    setups = make_registrars(["bloc-a", "bloc-b"])
    definition = with_registration(SMALL_DEFINITION, setups, required=2, puzzle_bits=6)
    board = Board.create(open_store(str(tmp_path / "box.sqlite")), definition)
    secrets, anns, confs = local_ceremony(board.ledger.fingerprint, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    return setups, definition, board, open_registrars(tmp_path, board, setups)


def test_a_browser_application_is_signed_and_its_credential_votes(run_js: JsCall, tmp_path: Path) -> None:
    setups, definition, board, services = _election(tmp_path)
    rules = definition.registration
    assert rules is not None
    fp = board.ledger.fingerprint
    entry0 = make_package(board.entries())["entries"][0]["payload"]["definition"]
    epoch = int(time.time()) // PUZZLE_EPOCH_S
    files = {"photo": {"type": "image/png", "name": "пашпарт.png", "data": base64.b64encode(PHOTO).decode()}}
    file: dict[str, Any] = {"version": 2, "election": definition.id, "box": None, "applications": {}, "signatures": {}}
    pending = None
    for s in services:
        rid = s.setup.key.registrar
        seed = s.registrar.puzzle_seed(epoch)
        # one device state for every registrar, as the page makes it
        request = {
            "op": "apply",
            "fingerprint": fp.hex(),
            "rules": entry0["registration"],
            "registrar": rid,
            "fields": FIELDS,
            "files": files,
            "seed": seed.hex(),
            "bits": rules.puzzle_bits,
        }
        made = run_js({**request, "pending": pending} if pending else request)
        pending, application = made["pending"], made["application"]
        assert application["blinded"] == pending["registrars"][rid]["blinded"]
        code = s.registrar.apply(application, epoch)
        file["applications"][rid] = {"registrar": "http://registrar.invalid", "code": code}
        # a Python reviewer opens what the browser sealed: the same evidence as the core makes
        who = s.registrar.reviewer(s.tokens[0])
        (item,) = s.registrar.pending(who)
        sealed = SealedEvidence.from_json(item["evidence"], 2, 10**8)
        opened = sealed.open(fp, rid, 1, s.setup.reviewers[0], rules)
        assert opened == Evidence.make(rules, FIELDS, {"photo": ("image/png", "пашпарт.png", PHOTO)})
        with pytest.raises(RegistrationRefused):  # the declared duplicate key must be what was sealed
            s.registrar.decide(who, code, True, "", {"document": "MP7654321", "born": "1990-04-01"})
        s.registrar.decide(who, code, True, "", opened.duplicate_values(rules))
    assert pending is not None
    file["pending"] = pending
    for s in services:
        rid = s.setup.key.registrar
        blind = s.registrar.signature(file["applications"][rid]["code"], pending["registrars"][rid]["blinded"])
        done = run_js(
            {
                "op": "unblind",
                "rules": entry0["registration"],
                "registrar": rid,
                "pending": pending,
                "blind_signature": blind.hex(),
            }
        )
        assert done["ok"], done
        file["signatures"][rid] = done["signature"]
        # a registrar that answers with a signature for another blinded message is caught
        wrong = run_js(
            {
                "op": "unblind",
                "rules": entry0["registration"],
                "registrar": rid,
                "pending": pending,
                "blind_signature": (int.from_bytes(blind, "big") ^ 1).to_bytes(len(blind), "big").hex(),
            }
        )
        assert not wrong["ok"] and "does not verify" in wrong["error"]
    signed_json = run_js({"op": "signed-credential", "file": file, "fingerprint": fp.hex()})
    signed = SignedCredential.from_json(signed_json, rules)
    signed.verify(fp, rules)
    assert signed.credential == Credential.from_code(pending["code"], fp).public

    for s in services:
        post_registrar_count(board, s.registrar.close().to_json())
    open_voting(board)
    choice = {"council": ["North / Bob"], "yesno": ["No"]}
    selections = [list(x) for x in selections_from_labels(definition, choice)]
    made = run_js({"op": "encrypt", "info": booth_info_of(board), "code": pending["code"], "selections": selections})
    receipt = board.cast(made["ballot"], signed_credential=signed)
    assert receipt.tracker == made["tracker"]
    assert board.ledger.credentials == {signed.credential.encoding}


def booth_info_of(board: Board) -> dict[str, Any]:
    """What the booth reads from GET /api/v1/elections/{id}."""
    ctx = board.ledger.context()
    return {
        "id": ctx.definition.id,
        "definition": ctx.definition.model_dump(mode="json"),
        "fingerprint": board.ledger.fingerprint.hex(),
        "public_key": ctx.public_key.hex(),
        "board_key": board.ledger.defined().board_key.hex(),
    }


def test_evidence_sealed_by_python_opens_in_javascript(run_js: JsCall) -> None:
    setups = make_registrars(["bloc-a"], reviewers=3)
    definition = with_registration(SMALL_DEFINITION, setups)
    rules = definition.registration
    assert rules is not None
    fp = bytes(range(32))
    evidence = Evidence.make(rules, FIELDS, {"photo": ("image/jpeg", "p.jpg", PHOTO)})
    sealed = SealedEvidence.seal(evidence, fp, "bloc-a", rules.registrar("bloc-a").reviewer_keys())
    for k, key in enumerate(setups[0].reviewers, start=1):
        assert run_js({"op": "reviewer-key", "seed": key.seed.hex()})["public"] == key.public.hex()
        opened = run_js(
            {
                "op": "open-evidence",
                "fingerprint": fp.hex(),
                "registrar": "bloc-a",
                "reviewer": k,
                "seed": key.seed.hex(),
                "sealed": sealed.to_json(),
            }
        )
        assert opened["ok"], opened
        assert opened["evidence"].encode() == evidence.to_bytes()
        assert Evidence.from_bytes(opened["evidence"].encode(), rules) == evidence
    # another reviewer's key, another registrar, or a changed ciphertext: nothing opens
    stranger = ReviewerKey.new()
    tampered = sealed.to_json()
    raw = bytearray(base64.b64decode(tampered["ciphertext"]))
    raw[10] ^= 1
    tampered["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    for seed, registrar, which in [
        (stranger.seed, "bloc-a", sealed.to_json()),
        (setups[0].reviewers[0].seed, "bloc-b", sealed.to_json()),
        (setups[0].reviewers[0].seed, "bloc-a", tampered),
    ]:
        answer = run_js(
            {
                "op": "open-evidence",
                "fingerprint": fp.hex(),
                "registrar": registrar,
                "reviewer": 1,
                "seed": seed.hex(),
                "sealed": which,
            }
        )
        assert answer == {"ok": False, "error": answer["error"]} and "does not open" in answer["error"]


def test_a_browser_registration_puts_a_coercion_resistant_code_on_the_roll(run_js: JsCall, tmp_path: Path) -> None:
    """A coercion-resistant election (spec §6.10): the registrars are set up only after the
    ceremony and serve the package through the joint key; the page's JavaScript encrypts the
    credential under it, the Python registrars blind-sign the roll message, the JavaScript
    unblinds and makes the roll entry that the Python board takes, and gives back the file
    without r. The code then votes with a JavaScript ballot and exactly that ballot counts."""
    setups = make_registrars(["north", "south"])
    definition = with_registration(COERCION_DEFINITION, setups, required=2, puzzle_bits=6)
    rules = definition.registration
    assert rules is not None
    board = Board.create(open_store(str(tmp_path / "box.sqlite")), definition)
    fp = board.ledger.fingerprint
    with pytest.raises(ElectionError, match="after the key ceremony"):
        open_registrars(tmp_path, board, setups)
    identities = fixed_identities(definition.trustees.count)
    trustees, anns, confs = local_ceremony(fp, definition.trustees.threshold, identities)
    record_ceremony(board, anns, confs)
    services = open_registrars(tmp_path, board, setups)
    served = services[0].registrar.package
    assert served == make_package(board.entries()) and served["entries"][-1]["type"] == "joint-key"
    key = board.ledger.context().public_key
    entry0 = served["entries"][0]["payload"]["definition"]
    epoch = int(time.time()) // PUZZLE_EPOCH_S
    file: dict[str, Any] = {"version": 2, "election": definition.id, "box": None, "applications": {}, "signatures": {}}
    pending = None
    for s in services:
        rid = s.setup.key.registrar
        request = {
            "op": "apply",
            "fingerprint": fp.hex(),
            "rules": entry0["registration"],
            "registrar": rid,
            "fields": FIELDS,
            "files": {},
            "seed": s.registrar.puzzle_seed(epoch).hex(),
            "bits": rules.puzzle_bits,
            "key": key.hex(),
        }
        made = run_js({**request, "pending": pending} if pending else request)
        pending = made["pending"]
        code = s.registrar.apply(made["application"], epoch)
        who = s.registrar.reviewer(s.tokens[0])
        (item,) = s.registrar.pending(who)
        opened = SealedEvidence.from_json(item["evidence"], 2, 10**8).open(fp, rid, 1, s.setup.reviewers[0], rules)
        s.registrar.decide(who, code, True, "", opened.duplicate_values(rules))
        blind = s.registrar.signature(code, pending["registrars"][rid]["blinded"])
        done = run_js(
            {
                "op": "unblind",
                "rules": entry0["registration"],
                "registrar": rid,
                "pending": pending,
                "blind_signature": blind.hex(),
            }
        )
        assert done["ok"], done
        file["signatures"][rid] = done["signature"]
    assert pending is not None
    file["pending"] = pending
    # the file as Python reads it: R encrypts the code's credential point under the joint key
    device = PendingCredential.from_json(pending)
    assert device.roll is not None and device.roll_randomness is not None
    assert device.roll.beta - key * device.roll_randomness == credential_point(fp, pending["code"])
    assert device.roll.alpha == Point.base_mul(device.roll_randomness)

    # a roll entry whose proof is bound to another election is refused, and the board unchanged
    height = board.ledger.height
    stolen = run_js({"op": "roll-entry", "file": file, "fingerprint": (b"\x01" * 32).hex()})
    with pytest.raises(RecordError, match="roll-entry proof does not verify"):
        register_roll_entry(board, stolen["entry"])
    assert board.ledger.height == height
    posted = run_js({"op": "roll-entry", "file": file, "fingerprint": fp.hex()})
    assert posted["ok"], posted
    assert register_roll_entry(board, posted["entry"]) is True
    assert register_roll_entry(board, posted["entry"]) is False  # on the roll already: nothing added
    assert "randomness" not in posted["file"]["pending"]["roll"]
    assert PendingCredential.from_json(posted["file"]["pending"]).roll_randomness is None
    again = run_js({"op": "roll-entry", "file": posted["file"], "fingerprint": fp.hex()})
    assert again["ok"] is False and "no roll entry" in again["error"]

    for s in services:
        post_registrar_count(board, s.registrar.close().to_json())
    open_voting(board)
    e = CoercionElection(tmp_path, board, list(trustees), setups, [], board.ledger.context())
    info = booth_info_of(board)
    real = run_js({"op": "coercion-encrypt", "info": info, "code": pending["code"], "selections": [[0, 1]]})
    fake = run_js({"op": "coercion-encrypt", "info": info, "code": fresh_code(), "selections": [[1, 0]]})
    for ballot in (real, fake):
        board.cast(ballot["ballot"])
    run_count(e)
    result = board.ledger.result
    assert result is not None and result["questions"][0]["counts"] == {"Yes": 0, "No": 1}
    assert result["coercion"]["roll"] == 1 and result["coercion"]["unmatched"] == 1
