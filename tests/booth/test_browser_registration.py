"""Registration in a real headless Chromium, against real servers: the ballot box and two
registrars, each on its own origin, both signatures required.

An applicant applies at the first registrar's page (a mistake in the form is explained),
saves the registration file, then applies at the second registrar's page with that file, in
Belarusian, on a phone, with the keyboard alone. A reviewer opens the applications on the
review page with their key file (another reviewer's key is refused before anything opens),
sees the evidence decrypted in the browser, and approves. The applicant collects both
signatures, and the booth takes the registration file and casts the first ballot with the
signed credential. On every page axe-core reports no violation and the browser keeps
nothing; no request carries the credential code, the evidence in the clear or the public
credential to a registrar."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from tests.booth.test_browser import BOB_NO, Watched
from tests.booth.test_browser import browser as browser  # the module's Chromium fixture

from vecha.cli.main import main
from vecha.election.application import SealedEvidence
from vecha.election.credentials import Credential
from vecha.election.trustees import local_ceremony
from vecha.record.entries import EntryType
from vecha.registrar.app import create_registrar_app
from vecha.store.board import Board, open_store
from vecha.store.organizer import open_voting, post_registrar_count, record_ceremony
from vecha.testing.browser import BoothDriver, leftovers, tab_to
from vecha.testing.coercion import COERCION_DEFINITION, CoercionElection, run_count
from vecha.testing.live import LiveServer
from vecha.testing.records import BOOTH_DEFINITION, fixed_identities
from vecha.testing.registration import RegistrarService, make_registrars, open_registrars, with_registration
from vecha.verify import verify_record

pytestmark = pytest.mark.slow

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # not a real image: the reviewer sees a broken one
PERSON = {"name": "Алеся Іванова", "document": "MP1234567", "born": "1990-04-01", "country": "PL"}
TIMEOUT = 60_000


def wait_step(page: Page, step: str) -> None:
    page.wait_for_selector(f'main[data-step="{step}"]', timeout=TIMEOUT)


def save_file(page: Page, directory: Path, name: str) -> Path:
    with page.expect_download() as download:
        page.click('[data-action="register-save"]')
    out = directory / name
    download.value.save_as(out)
    return out


def open_file(page: Page, selector: str, path: Path) -> None:
    page.set_input_files(
        selector, files=[{"name": path.name, "mimeType": "application/json", "buffer": path.read_bytes()}]
    )


def fill_form(page: Page) -> None:
    for field, value in PERSON.items():
        page.fill(f"#field-{field}", value)
    page.set_input_files("#field-photo", files=[{"name": "passport.png", "mimeType": "image/png", "buffer": PHOTO}])


def review_in_browser(w: Watched, url: str, eid: str, service: RegistrarService, tmp: Path, photo: bool) -> None:
    """Reviewer 1 of `service` signs in on its review page and approves what waits (an
    application with the photo attached, or without)."""
    page = w.page
    page.goto(f"{url}/review.html?election={eid}&lang=en")
    wait_step(page, "sign-in")
    w.no_axe_violations()
    tmp.mkdir()
    keyfile = tmp / "reviewer.json"
    keyfile.write_text(json.dumps(service.setup.reviewers[0].to_json()))
    # reviewer 2's key with reviewer 1's token: refused before anything opens
    other = tmp / "other.json"
    other.write_text(json.dumps(service.setup.reviewers[1].to_json()))
    page.fill("#token", service.tokens[0])
    open_file(page, "#key-file", other)
    page.click('[data-action="review-sign-in"]')
    page.wait_for_selector("main .error")
    assert "not the key of reviewer 1" in page.inner_text("main .error")
    w.no_axe_violations()
    page.fill("#token", service.tokens[0])
    open_file(page, "#key-file", keyfile)
    page.click('[data-action="review-sign-in"]')
    wait_step(page, "list")
    text = page.inner_text("main")
    assert PERSON["name"] in text and PERSON["document"] in text  # decrypted here, in the browser
    assert (page.query_selector("img.evidence") is not None) == photo
    assert page.query_selector("#token") is None and service.tokens[0] not in page.content()
    w.no_axe_violations()
    page.click('[data-action="review-approve"]')
    page.wait_for_selector("main [role=status]")
    assert "approved and signed" in page.inner_text("main [role=status]")
    assert "No application is waiting" in page.inner_text("main")
    w.no_axe_violations()


def open_file_with_the_keyboard(page: Page, selector: str, path: Path) -> None:
    """Tab to a file input and press Space to choose `path`. On a loaded machine the page
    may still be drawing when the key comes (and the chooser does not open): the key is
    tried again, the keyboard still being the only way in."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        tab_to(page, selector)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            continue
        chooser.value.set_files(str(path))
        return


def test_register_review_collect_and_vote_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    setups = make_registrars(["bloc-a", "bloc-b"])
    definition = with_registration(BOOTH_DEFINITION, setups, required=2, puzzle_bits=8)
    board = Board.create(open_store(str(tmp_path / "box.sqlite")), definition)
    _, anns, confs = local_ceremony(board.ledger.fingerprint, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    services = open_registrars(tmp_path, board, setups)
    eid = board.election_id
    apps = [create_registrar_app(s.engine, [s.setup.key]) for s in services]
    applicant = Watched(browser, accept_downloads=True)
    phone = Watched(
        browser, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, accept_downloads=True
    )
    reviewer = Watched(browser)
    page = applicant.page
    with LiveServer(services[0].engine, app=apps[0]) as reg_a, LiveServer(services[1].engine, app=apps[1]) as reg_b:
        # ---- registrar A, in English: a mistake, then the application --------------------
        page.goto(f"{reg_a.url}/register.html?election={eid}&lang=en")
        wait_step(page, "start")
        assert "2 of the 2 registrars" in page.inner_text("main")
        applicant.no_axe_violations()
        page.click('[data-action="register-new"]')
        wait_step(page, "form")
        fill_form(page)
        page.fill("#field-born", "")
        page.click('[data-action="register-send"]')
        page.wait_for_selector("#field-born-error")
        assert page.evaluate("document.activeElement.id") == "field-born"
        assert page.get_attribute("#field-born", "aria-invalid") == "true"
        applicant.no_axe_violations()
        page.fill("#field-born", PERSON["born"])
        page.click('[data-action="register-send"]')
        wait_step(page, "file")
        assert "Application code" in page.inner_text("main [role=status]")
        applicant.no_axe_violations()
        first = save_file(page, tmp_path, "registration-1.json")
        # ---- registrar B, in Belarusian, on a phone, keyboard only ----------------------
        p2 = phone.page
        p2.goto(f"{reg_b.url}/register.html?election={eid}&lang=be")
        wait_step(p2, "start")
        assert p2.inner_text("h2") == "Рэгістрацыя для галасавання"
        open_file_with_the_keyboard(p2, "#registration-file", first)
        wait_step(p2, "file")
        phone.no_axe_violations()
        tab_to(p2, '[data-action="register-apply-here"]')
        p2.keyboard.press("Enter")
        wait_step(p2, "form")
        assert "Гэтая заяўка выкарыстоўвае код" in p2.inner_text("main")
        for field in ("name", "document", "country"):
            tab_to(p2, f"#field-{field}")
            p2.keyboard.type(PERSON[field])
        tab_to(p2, "#field-born")
        p2.keyboard.type("04011990")  # the date field, as a US-English Chromium takes it
        assert p2.input_value("#field-born") == PERSON["born"]
        phone.no_axe_violations()
        tab_to(p2, '[data-action="register-send"]')
        p2.keyboard.press("Enter")
        wait_step(p2, "file")
        assert p2.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone.no_axe_violations()
        tab_to(p2, '[data-action="register-save"]')
        with p2.expect_download() as download:
            p2.keyboard.press("Enter")
        second = tmp_path / "registration-2.json"
        download.value.save_as(second)
        # ---- the reviewers: A's in the browser, B's too ------------------------------------
        review_in_browser(reviewer, reg_a.url, eid, services[0], tmp_path / "a", photo=True)
        review_in_browser(reviewer, reg_b.url, eid, services[1], tmp_path / "b", photo=False)
        # the page's file works with the command line too: `vecha register status` collects
        # and unblinds the same signatures from it
        by_cli = tmp_path / "by-cli.json"
        by_cli.write_bytes(second.read_bytes())
        assert main(["register", "status", str(by_cli)]) == 0
        # ---- the applicant collects both signatures ---------------------------------------
        files = [second]
        for url in (reg_a.url, reg_b.url):
            page.goto(f"{url}/register.html?election={eid}&lang=en")
            wait_step(page, "start")
            open_file(page, "#registration-file", files[-1])
            wait_step(page, "file")
            page.click('[data-action="register-check"]')
            page.wait_for_selector("main [role=status]:has-text('Approved')", timeout=TIMEOUT)
            applicant.no_axe_violations()
            files.append(save_file(page, tmp_path, f"registration-{len(files) + 2}.json"))
        assert "Your credential is ready" in page.inner_text("main")
        final: dict[str, Any] = json.loads(files[-1].read_text())
        assert sorted(final["signatures"]) == ["bloc-a", "bloc-b"]
        assert json.loads(by_cli.read_text())["signatures"] == final["signatures"]
        for s in services:
            post_registrar_count(board, s.registrar.close().to_json())
    open_voting(board)
    # ---- the booth takes the registration file ------------------------------------------------
    with LiveServer(board.engine) as box:
        booth = BoothDriver(page, box.url, eid)
        booth.open()
        open_file(page, "#registration-file", files[-1])
        booth.choose(BOB_NO)
        booth.review_and_encrypt()
        receipt = booth.cast()
        applicant.no_axe_violations()
        for w in (applicant, phone, reviewer):
            assert leftovers(w.page) == {k: 0 for k in leftovers(w.page)}
    board.refresh()  # the server's own Board wrote the ballot
    credential = Credential.from_code(final["pending"]["code"], board.ledger.fingerprint).public
    assert board.ledger.credentials == {credential.encoding}
    assert board.find_tracker(receipt["tracker"]) == (receipt["index"], True)
    types = [e.type for e in board.entries()]
    assert types.count(EntryType.SIGNED_CREDENTIAL) == 1
    # what crossed the network: the code never; the evidence and the public credential never
    # to a registrar (the duplicate-key fields go in the clear by design, to be hashed)
    to_registrars = [r for w in (applicant, phone) for r in w.sent if box.url not in r]
    applications = [r for r in to_registrars if r.startswith("POST") and r.split("\n")[0].endswith("/applications")]
    assert len(applications) == 2 and all('"ciphertext"' in r for r in applications)
    secrets = [final["pending"]["code"], PERSON["name"], base64.b64encode(PHOTO).decode()[:40], credential.hex()]
    for request in to_registrars:
        for secret in secrets:
            assert secret not in request
    assert not any(final["pending"]["code"] in r for w in (applicant, phone) for r in w.sent)
    for w in (applicant, phone, reviewer):
        assert w.console_errors == []
        w.context.close()


def test_a_duplicate_is_flagged_refused_and_explained(browser: Browser, tmp_path: Path) -> None:
    """The same person applies twice from the page. The review page flags each application
    as a possible duplicate of the other; once one is approved, approving the other is
    refused, and the reviewer rejects it with a reason, which the applicant sees with the
    application code and the way to apply again."""
    setups = make_registrars(["bloc-a"])
    definition = with_registration(BOOTH_DEFINITION, setups, puzzle_bits=4)
    board = Board.create(open_store(str(tmp_path / "box.sqlite")), definition)
    _, anns, confs = local_ceremony(board.ledger.fingerprint, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    [service] = open_registrars(tmp_path, board, setups)
    eid = board.election_id
    applicant, reviewer = Watched(browser, accept_downloads=True), Watched(browser)
    page = applicant.page
    with LiveServer(service.engine, app=create_registrar_app(service.engine, [service.setup.key])) as reg:
        files = []
        for k in (1, 2):
            page.goto(f"{reg.url}/register.html?election={eid}&lang=en")
            wait_step(page, "start")
            assert "One registrar signs each credential" in page.inner_text("main")
            page.click('[data-action="register-new"]')
            wait_step(page, "form")
            fill_form(page)
            if k == 2:
                page.fill("#field-document", "mp 123-4567")  # spelt differently: the same document
            page.click('[data-action="register-send"]')
            wait_step(page, "file")
            files.append(save_file(page, tmp_path, f"registration-{k}.json"))
        codes = [json.loads(f.read_text())["applications"]["bloc-a"]["code"] for f in files]
        r = reviewer.page
        r.goto(f"{reg.url}/review.html?election={eid}&lang=ru")
        wait_step(r, "sign-in")
        keyfile = tmp_path / "reviewer.json"
        keyfile.write_text(json.dumps(service.setup.reviewers[0].to_json()))
        r.fill("#token", service.tokens[0])
        open_file(r, "#key-file", keyfile)
        r.click('[data-action="review-sign-in"]')
        wait_step(r, "list")
        articles = r.eval_on_selector_all("article.application", "as => as.map(a => a.innerText)")
        assert len(articles) == 2
        assert "Возможный повтор" in articles[0] and codes[1] in articles[0]
        assert "Возможный повтор" in articles[1] and codes[0] in articles[1]
        reviewer.no_axe_violations()
        r.click(f'article:has(#title-{codes[0]}) [data-action="review-approve"]')
        r.wait_for_selector(f"text=Заявка {codes[0]} одобрена")
        r.click(f'article:has(#title-{codes[1]}) [data-action="review-approve"]')
        r.wait_for_selector("main .error[role=alert]")
        assert codes[1] in r.inner_text("main .error[role=alert]")  # refused: a duplicate of an approved one
        r.click(f'article:has(#title-{codes[1]}) [data-action="review-reject"]')
        r.wait_for_selector("main .error[role=alert]:has-text('причину')")  # a rejection needs a reason
        r.fill(f"#reason-{codes[1]}", "Повторная заявка")
        r.click(f'article:has(#title-{codes[1]}) [data-action="review-reject"]')
        r.wait_for_selector(f"text=Заявка {codes[1]} отклонена")
        reviewer.no_axe_violations()
        # the applicant, with the second file: the decision, its reason, and applying again
        page.goto(f"{reg.url}/register.html?election={eid}&lang=en")
        wait_step(page, "start")
        open_file(page, "#registration-file", files[1])
        wait_step(page, "file")
        assert codes[1] in page.inner_text("main")
        page.click('[data-action="register-check"]')
        page.wait_for_selector("main .error[role=alert]")
        assert "Reason: Повторная заявка" in page.inner_text("main .error[role=alert]")
        applicant.no_axe_violations()
        page.click('[data-action="register-again"]')
        wait_step(page, "form")
        assert "uses the credential in your registration file" not in page.inner_text("main")  # a new file
    assert service.registrar.info()["issued"] == 1
    for w in (applicant, reviewer):
        assert w.console_errors == []
        w.context.close()


def test_register_in_the_browser_then_put_the_code_on_the_roll(browser: Browser, tmp_path: Path) -> None:
    """A coercion-resistant election (spec §6.10). The registration page encrypts the new
    code's credential under the joint key and has the registrar blind-sign that; once
    approved it says one step is left. Before voting opens, the box's booth page takes the
    file, posts its roll entry and gives the file back without r; the same file again
    changes nothing. When voting opens, the booth votes with the new file, and the count
    keeps that ballot. Neither the code nor r ever leaves the browser."""
    setups = make_registrars(["bloc-a"])
    definition = with_registration(COERCION_DEFINITION, setups, required=1, puzzle_bits=4)
    board = Board.create(open_store(str(tmp_path / "box.sqlite")), definition)
    fp = board.ledger.fingerprint
    identities = fixed_identities(definition.trustees.count)
    trustees, anns, confs = local_ceremony(fp, definition.trustees.threshold, identities)
    record_ceremony(board, anns, confs)
    [service] = open_registrars(tmp_path, board, setups)
    eid = board.election_id
    applicant = Watched(browser, accept_downloads=True)
    page = applicant.page
    with LiveServer(service.engine, app=create_registrar_app(service.engine, [service.setup.key])) as reg:
        page.goto(f"{reg.url}/register.html?election={eid}&lang=en")
        wait_step(page, "start")
        page.click('[data-action="register-new"]')
        wait_step(page, "form")
        fill_form(page)
        page.click('[data-action="register-send"]')
        wait_step(page, "file")
        save_file(page, tmp_path, "applied.json")
        # the reviewer approves (on the review page in the other tests; here through its API)
        who = service.registrar.reviewer(service.tokens[0])
        (item,) = service.registrar.pending(who)
        rules = definition.registration
        assert rules is not None
        sealed = SealedEvidence.from_json(item["evidence"], 2, 10**8)
        opened = sealed.open(fp, "bloc-a", 1, service.setup.reviewers[0], rules)
        service.registrar.decide(who, item["code"], True, "", opened.duplicate_values(rules))
        page.click('[data-action="register-check"]')
        page.wait_for_selector("main [role=status]:has-text('Approved')", timeout=TIMEOUT)
        assert "One step is left" in page.inner_text("main")
        applicant.no_axe_violations()
        signed = save_file(page, tmp_path, "signed.json")
        post_registrar_count(board, service.registrar.close().to_json())
    before: dict[str, Any] = json.loads(signed.read_text())
    code, randomness = before["pending"]["code"], before["pending"]["roll"]["randomness"]

    with LiveServer(board.engine) as box:
        page.goto(f"{box.url}/booth.html?election={eid}&lang=en")
        wait_step(page, "closed")
        assert "Put your code on the roll" in page.inner_text("main")
        applicant.no_axe_violations()
        open_file(page, "#roll-file", signed)
        page.wait_for_selector("#roll-done:has-text('Your code is on the roll')", timeout=TIMEOUT)
        applicant.no_axe_violations()
        with page.expect_download() as download:
            page.click('[data-action="roll-save"]')
        rolled = tmp_path / "rolled.json"
        download.value.save_as(rolled)
        page.wait_for_selector("#roll-done:has-text('Keep the new file private')")
        # the file loaded again (the new one, then the old one) adds nothing to the roll
        for again in (rolled, signed):
            page.goto(f"{box.url}/booth.html?election={eid}&lang=en")
            wait_step(page, "closed")
            open_file(page, "#roll-file", again)
            page.wait_for_selector("#roll-done", timeout=TIMEOUT)
    board.refresh()
    assert [e.type for e in board.entries()].count(EntryType.ROLL_ENTRY) == 1
    after: dict[str, Any] = json.loads(rolled.read_text())
    assert "randomness" not in after["pending"]["roll"]
    assert after["pending"]["roll"] == {k: v for k, v in before["pending"]["roll"].items() if k != "randomness"}
    assert {k: v for k, v in after.items() if k != "pending"} == {k: v for k, v in before.items() if k != "pending"}

    open_voting(board)
    with LiveServer(board.engine) as box:
        booth = BoothDriver(page, box.url, eid)
        booth.open()
        open_file(page, "#registration-file", rolled)
        booth.choose([[0, 1]])
        booth.review_and_encrypt()
        booth.cast()
        assert leftovers(page) == {k: 0 for k in leftovers(page)}
    roll_posts = [r for r in applicant.sent if r.startswith("POST") and r.split("\n")[0].endswith("/roll-entries")]
    assert len(roll_posts) == 2  # the old file posted twice: the second time, on the roll already
    for request in applicant.sent:  # neither the code nor r went anywhere
        assert code not in request and randomness not in request
    assert applicant.console_errors == []
    applicant.context.close()

    board.refresh()
    e = CoercionElection(tmp_path, board, list(trustees), setups, [], board.ledger.context())
    run_count(e)
    result = board.ledger.result
    assert result is not None and result["questions"][0]["counts"] == {"Yes": 0, "No": 1}
    assert result["coercion"]["roll"] == 1 and result["coercion"]["counted"] == 1
    assert verify_record(e.record).ok
