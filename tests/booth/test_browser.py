"""The booth and the public pages in a real headless Chromium, against a real server.

A voter mistypes their code, votes, audits a ballot (which the Python core re-checks),
casts another, votes again, and finds both ballots on the board; the audited ballot is
nowhere. The election is then counted and `verify_record` accepts it. On every page and
step axe-core reports no violation, the browser keeps nothing, and the credential never
leaves it. A second voter does it all with the keyboard on a phone-sized screen in
Belarusian; a third switches language half-way."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from tests.booth.conftest import BOOTH, require

from vecha.cli.main import main
from vecha.election.ballot import check_audit, encrypt_ballot
from vecha.election.credentials import Credential, normalize_code
from vecha.election.trustees import partial_decrypt
from vecha.errors import VechaError
from vecha.record.entries import EntryType
from vecha.record.receipt import Receipt, check_receipt
from vecha.store.organizer import add_decryption, close_voting, export_record, publish_result, tally
from vecha.testing.browser import BoothDriver, axe_violations, chromium_path, launch, leftovers, tab_to
from vecha.testing.live import LiveServer
from vecha.testing.records import BOOTH_DEFINITION as DEFINITION
from vecha.testing.records import BuiltElection, build_election
from vecha.verify import verify_record

pytestmark = pytest.mark.slow

# option ids: council = North, North/Ann, North/Bob, South, South/Cat; budget = Yes, No
BOB_NO = [[0, 0, 1, 0, 0], [0, 1]]
SOUTH_YES = [[0, 0, 0, 1, 0], [1, 0]]
NORTH_YES = [[1, 0, 0, 0, 0], [1, 0]]
SOUTH_CAT = [[0, 0, 0, 0, 1], [1, 0]]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require("Chromium", chromium_path() is not None)
    require("axe-core (the booth's npm packages)", (BOOTH / "node_modules" / "axe-core" / "axe.min.js").is_file())
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


class Watched:
    """A browser context whose requests and console errors are kept for the assertions."""

    def __init__(self, browser: Browser, **options: Any) -> None:
        self.context: BrowserContext = browser.new_context(**options)
        self.context.add_init_script(path=str(BOOTH / "node_modules" / "axe-core" / "axe.min.js"))
        self.sent: list[str] = []
        self.console_errors: list[str] = []
        self.page: Page = self.context.new_page()
        self.page.on("request", lambda r: self.sent.append(f"{r.method} {r.url}\n{r.post_data or ''}"))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))

    def _console(self, m: ConsoleMessage) -> None:
        # a refused request (404 for an unknown tracking code) is logged by the browser
        # itself; anything else, a Content-Security-Policy violation above all, is a defect
        if m.type == "error" and "Failed to load resource" not in m.text:
            self.console_errors.append(m.text)

    def no_axe_violations(self) -> None:
        assert axe_violations(self.page) == []


@pytest.fixture
def election(tmp_path: Path) -> BuiltElection:
    return build_election(tmp_path, definition=DEFINITION, votes=[], voters=3, stop_after=EntryType.OPEN)


def count_and_publish(e: BuiltElection, directory: Path) -> None:
    close_voting(e.board)
    tally(e.board)
    for j in (1, 2):
        shares = partial_decrypt(e.context.fingerprint, e.trustees[j - 1], e.board.ledger.tallied().aggregate)
        add_decryption(e.board, j, [[s.to_json() for s in row] for row in shares])
    publish_result(e.board)
    export_record(e.board, directory)


def test_a_voter_audits_votes_revotes_and_finds_the_ballot(
    browser: Browser, election: BuiltElection, tmp_path: Path
) -> None:
    e = election
    code = e.codes[0]
    w = Watched(browser)
    with LiveServer(e.board.engine) as server:
        booth = BoothDriver(w.page, server.url, "council-2026", lang="en")
        booth.open()
        w.no_axe_violations()

        # a typo in the check character is caught before anything else happens
        typo = code[:-1] + ("0" if code[-1] != "0" else "1")
        booth.enter_code(typo)
        w.page.wait_for_selector("#code-error")
        assert "typo" in w.page.inner_text("#code-error")
        assert w.page.get_attribute("#code", "aria-invalid") == "true"
        w.no_axe_violations()

        booth.enter_code(code.lower().replace("-", " "))  # as a voter might type it
        booth.choose(BOB_NO)
        w.no_axe_violations()
        booth.action("questions-continue")
        booth.wait_step("review")
        assert "North / Bob" in w.page.inner_text("dl.choices") and "No" in w.page.inner_text("dl.choices")
        w.no_axe_violations()
        booth.action("review-encrypt")
        audited_tracker = booth.tracker_on_show()
        w.no_axe_violations()

        # the audit: the booth reveals the randomness; the Python core re-checks it
        data = booth.audit()
        assert w.page.query_selector("#audit-ok") is not None
        w.no_axe_violations()
        # The audited ballot was never signed: whoever gets the audit data cannot cast it.
        assert "signature" not in data["ballot"]
        body, selections = check_audit(e.context, data)
        assert body.tracker() == audited_tracker and [list(s) for s in selections] == BOB_NO
        with pytest.raises(VechaError):
            e.board.cast(data["ballot"])  # the ballot box refuses it

        # encrypt again (fresh randomness) and cast
        booth.action("audit-again")
        cast_tracker = booth.tracker_on_show()
        assert cast_tracker != audited_tracker
        first = booth.cast()
        assert first["tracker"] == cast_tracker
        w.no_axe_violations()
        assert e.board.find_tracker(cast_tracker) == (first["index"], True)
        assert leftovers(w.page) == dict.fromkeys(
            ["localStorage", "sessionStorage", "indexedDB", "caches", "serviceWorkers", "documentCookie", "cookies"], 0
        )

        # vote again with the same code: the new ballot replaces the first
        booth.action("done-finish")
        second = booth.vote(code, SOUTH_YES)
        assert second["index"] > first["index"]
        # the booth lists every ballot under the credential: nobody else voted in this name
        w.page.click("#credential-history summary")
        history = w.page.inner_text("#credential-history")
        assert "Ballots cast with your credential: 2" in history
        rows = w.page.eval_on_selector_all("#credential-history li", "ls => ls.map(l => l.textContent)")
        assert [r.split(" ")[0] for r in rows] == [first["tracker"][:16], second["tracker"][:16]]
        assert "just cast" in rows[1] and "counts" in rows[1] and "counts" not in rows[0]
        w.no_axe_violations()

        # the receipt's link finds the ballot on the board, and it counts
        w.page.click("#find-ballot")
        w.page.wait_for_selector("#search-result")
        assert "counts" in w.page.inner_text("#search-result")
        assert "highlight" in (w.page.get_attribute(f"#entry-{second['index']}", "class") or "")
        w.no_axe_violations()
        # the first is there but replaced; the audited one was never cast
        for tracker, expect in (
            (first["tracker"], "replaces it"),
            (audited_tracker, "No ballot with this tracking code"),
        ):
            w.page.fill("#tracker", tracker)
            w.page.keyboard.press("Enter")
            w.page.wait_for_function("t => document.querySelector('#search-result')?.innerText.includes(t)", arg=expect)
        w.page.fill("#tracker", "not a code")
        w.page.keyboard.press("Enter")
        w.page.wait_for_function("() => document.querySelector('#search-result')?.innerText.includes('64 characters')")

        w.page.goto(f"{server.url}/turnout.html?election=council-2026&lang=en")
        w.page.wait_for_selector("#turnout-summary")
        assert w.page.inner_text("#turnout-summary") == "Ballots: 2. Voters: 1 of 3."
        assert w.page.query_selector("svg.chart rect") is not None
        w.no_axe_violations()
        # it is live: another voter's ballot shows up without reloading
        other = Credential.from_code(e.codes[1], e.context.fingerprint)
        e.board.cast(encrypt_ballot(e.context, other, SOUTH_CAT).ballot.to_json())
        w.page.wait_for_function(
            "() => document.querySelector('#turnout-summary').innerText === 'Ballots: 3. Voters: 2 of 3.'",
            timeout=15_000,
        )

        count_and_publish(e, tmp_path / "record")
        w.page.goto(f"{server.url}/results.html?election=council-2026&lang=en")
        w.page.wait_for_selector(".question-result")
        text = w.page.inner_text("main")
        # the counted ballots: the re-vote (South) and the other voter's (South / Cat): South
        # takes the three seats but has one candidate, so two stay vacant
        assert re.search(r"North\s+0\s+0\s+—", text), text
        assert re.search(r"South\s+2\s+3\s+Cat \(preference votes: 1\)", text), text
        assert "Seats left vacant: 2" in text
        assert w.page.get_attribute("#download-record", "href") == "/api/v1/elections/council-2026/record"
        w.no_axe_violations()

        w.page.goto(f"{server.url}/?lang=en")
        w.page.wait_for_selector(".card")
        w.no_axe_violations()
        assert leftovers(w.page)["cookies"] == 0 and leftovers(w.page)["localStorage"] == 0

    # `vecha verify` accepts the record: the booth's ballots are ballots like any other
    assert main(["verify", str(tmp_path / "record"), "--quiet", "--workers", "1"]) == 0
    report = verify_record(tmp_path / "record", workers=1)
    assert report.ok and report.ballots == 3 and report.counted == 2
    # both receipts check out against the record; only the second ballot counts
    assert [check_receipt(tmp_path / "record", Receipt.from_json(r)) for r in (first, second)] == [False, True]
    # the credential never left the browser: not the code in any form, not its secret
    secret = bytes(Credential.from_code(code, e.context.fingerprint).secret).hex()
    forms = {code, normalize_code(code).replace("-", ""), code.lower(), code.lower().replace("-", " "), secret}
    assert not [r for r in w.sent for f in forms if f.lower() in r.lower()]
    assert any(r.startswith("POST ") and "/ballots" in r for r in w.sent)
    assert w.console_errors == []
    w.context.close()


def test_keyboard_only_on_a_phone_in_belarusian(browser: Browser, election: BuiltElection) -> None:
    w = Watched(browser, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = w.page
    with LiveServer(election.board.engine) as server:
        booth = BoothDriver(page, server.url, "council-2026", lang="be")
        booth.open()
        assert page.inner_text("h1") == "Выбары ў Раду"
        assert page.inner_text("h2") == "Ваш код удзельніка"
        tab_to(page, "#code")
        page.keyboard.type(election.codes[1])
        page.keyboard.press("Enter")
        booth.wait_step("questions")
        assert page.evaluate("document.activeElement.tagName") == "H2"  # focus follows the step
        assert "Рада" in page.inner_text("main")
        # the definition's own translations: the list, a candidate and the options in
        # Belarusian; a name without one (Bob) as written
        labels = page.eval_on_selector_all("main label", "ls => ls.map(l => l.textContent)")
        assert {"Голас за спіс Поўнач", "Ганна", "Bob", "Так", "Не"} <= set(labels), labels
        assert not {"North", "Ann", "Yes", "No"} & set(labels), labels
        w.no_axe_violations()
        tab_to(page, "#q0-o0")
        page.keyboard.press("Space")  # the North list
        tab_to(page, "#q1-o0")
        page.keyboard.press("Space")  # Yes
        tab_to(page, '[data-action="questions-continue"]')
        page.keyboard.press("Enter")
        booth.wait_step("review")
        assert re.search(r"Рада\s+Поўнач\s+Зацвердзіць бюджэт\?\s+Так", page.inner_text("dl.choices"))
        tab_to(page, '[data-action="review-encrypt"]')
        page.keyboard.press("Enter")
        booth.tracker_on_show()
        # on a phone the tracking code wraps between its groups of 8, never inside one
        groups = page.eval_on_selector_all(
            ".tracker .group", "gs => gs.map(g => [g.textContent, g.getClientRects().length])"
        )
        assert len(groups) == 8 and all(len(text) == 8 and rects == 1 for text, rects in groups), groups
        assert page.evaluate("document.querySelector('.tracker').getClientRects()[0].height") > 30  # it did wrap
        w.no_axe_violations()
        tab_to(page, '[data-action="sealed-cast"]')
        page.keyboard.press("Enter")
        page.wait_for_selector("#receipt-tracker")
        assert "Ваш бюлетэнь на дошцы" in page.inner_text("h2")
        w.no_axe_violations()
        # nothing is wider than the phone's screen
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        receipt = json.loads(page.eval_on_selector("#receipt-json", "e => e.textContent"))
    assert election.board.find_tracker(receipt["tracker"]) == (receipt["index"], True)
    assert w.console_errors == []
    w.context.close()


def test_switching_language_keeps_the_choices(browser: Browser, election: BuiltElection) -> None:
    w = Watched(browser)
    page = w.page
    with LiveServer(election.board.engine) as server:
        booth = BoothDriver(page, server.url, "council-2026", lang="ru")
        booth.open()
        booth.enter_code(election.codes[2])
        booth.choose(NORTH_YES)
        page.click('.languages button[lang="en"]')
        assert page.inner_text("h2") == "Your choices"
        assert page.is_checked("#q0-o0") and page.is_checked("#q1-o0")
        assert "lang=en" in page.url
        page.click('.languages button[lang="be"]')
        assert page.inner_text("h2") == "Ваш выбар"
        w.no_axe_violations()
        booth.action("questions-continue")
        booth.wait_step("review")
        booth.action("review-encrypt")
        booth.tracker_on_show()
        receipt = booth.cast()
    assert election.board.find_tracker(receipt["tracker"])[1] is True
    assert w.console_errors == []
    w.context.close()


def test_an_unlisted_code_and_a_closed_booth_are_explained(browser: Browser, election: BuiltElection) -> None:
    from vecha.election.credentials import new_code

    w = Watched(browser)
    with LiveServer(election.board.engine) as server:
        booth = BoothDriver(w.page, server.url, "council-2026")
        booth.open()
        booth.enter_code(new_code())  # well formed, but not on this election's list
        booth.choose(NORTH_YES)
        booth.review_and_encrypt()
        booth.action("sealed-cast")
        w.page.wait_for_selector(".error")
        assert "not on this election's list" in w.page.inner_text(".error")
        w.no_axe_violations()
        close_voting(election.board)
        w.page.goto(f"{server.url}/booth.html?election=council-2026&lang=en")
        w.page.wait_for_selector('main[data-step="closed"]')
        assert "not open" in w.page.inner_text("main")
        w.page.goto(f"{server.url}/booth.html?election=no-such&lang=en")
        w.page.wait_for_selector(".error")
        assert "no such election" in w.page.inner_text(".error")
        w.no_axe_violations()
    w.context.close()


def test_public_pages_speak_the_voters_language_and_fit_a_laptop(browser: Browser, tmp_path: Path) -> None:
    """The results and the board in Belarusian: list, candidate and option names from the
    definition's translations, entry types named; at 1100 px the header is one row in every
    language and no language button wraps."""
    e = build_election(
        tmp_path, definition=DEFINITION, voters=3, votes=[(0, {"council": ["North / Ann"], "budget": ["Yes"]})]
    )
    w = Watched(browser, viewport={"width": 1100, "height": 800})
    page = w.page
    with LiveServer(e.board.engine) as server:
        page.goto(f"{server.url}/results.html?election=council-2026&lang=be")
        page.wait_for_selector(".question-result")
        text = page.inner_text("main")
        assert re.search(r"Поўнач\s+1\s+3\s+Ганна \(прэферэнцыйных галасоў: 1\)", text), text
        assert re.search(r"Так\s+1\s+Не\s+0", text), text
        assert "North" not in text and "Yes" not in text
        w.no_axe_violations()
        page.goto(f"{server.url}/board.html?election=council-2026&lang=be")
        page.wait_for_selector("#entry-0")
        types = page.eval_on_selector_all("tbody tr td:nth-child(2)", "ts => ts.map(t => t.innerText)")
        assert types[0] == "выбары election" and "бюлетэнь ballot" in types and types[-1] == "вынік result", types
        w.no_axe_violations()
        for lang in ("be", "ru", "en"):
            page.goto(f"{server.url}/board.html?election=council-2026&lang={lang}")
            page.wait_for_selector("#entry-0")
            rows = page.evaluate(
                """() => [...document.querySelectorAll('#site-header > :not(.skip), .languages button')]
                       .map(x => [x.getBoundingClientRect().top, x.getClientRects().length,
                                  x.getBoundingClientRect().height])"""
            )
            header_items, buttons = rows[:3], rows[3:]
            assert len(buttons) == 3
            assert len({round(top) for top, _, _ in buttons}) == 1, (lang, rows)  # one row of buttons
            assert all(height < 50 for _, _, height in buttons), (lang, rows)  # none wraps inside
            # and they share the header's one row with the brand and the pages
            assert max(top + h for top, _, h in header_items) <= min(top for top, _, _ in header_items) + 60, (
                lang,
                rows,
            )
    assert w.console_errors == []
    w.context.close()
