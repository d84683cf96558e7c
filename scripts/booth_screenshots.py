"""Screenshots of every booth step and public page, in each language, for a person to look
at: `.venv/bin/python scripts/booth_screenshots.py [OUT]` (default `build/screenshots`).

It runs a real election on a temporary store and a real server, drives the booth in
headless Chromium like a voter, and writes OUT/<language>/<nn>-<step>.png at desktop size
and OUT/<language>/phone-<nn>-<step>.png at a small phone's size."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from vecha.election.trustees import partial_decrypt
from vecha.record.entries import EntryType
from vecha.store.organizer import add_decryption, close_voting, publish_result, tally
from vecha.testing.browser import BoothDriver, launch
from vecha.testing.live import LiveServer
from vecha.testing.records import BOOTH_DEFINITION, build_election

LANGUAGES = ("be", "ru", "en")
SIZES = {"": {"width": 1100, "height": 800}, "phone-": {"width": 360, "height": 740}}
CHOICE = [[0, 0, 1, 0, 0], [0, 1]]  # North / Bob, No


def shoot(page: Page, out: Path, name: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(150)  # let focus rings and progress settle
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)


def booth_steps(page: Page, base: str, lang: str, code: str, out: Path, prefix: str) -> None:
    booth = BoothDriver(page, base, "council-2026", lang=lang)
    booth.open()
    shoot(page, out, f"{prefix}01-code")
    booth.enter_code(code[:-1] + ("0" if code[-1] != "0" else "1"))
    page.wait_for_selector("#code-error")
    shoot(page, out, f"{prefix}02-code-typo")
    booth.enter_code(code)
    booth.choose(CHOICE)
    shoot(page, out, f"{prefix}03-questions")
    booth.action("questions-continue")
    booth.wait_step("review")
    shoot(page, out, f"{prefix}04-review")
    booth.action("review-encrypt")
    booth.tracker_on_show()
    shoot(page, out, f"{prefix}05-encrypted")
    booth.audit()
    page.click("details summary")
    shoot(page, out, f"{prefix}06-audit")
    booth.action("audit-again")
    booth.tracker_on_show()
    receipt = booth.cast()
    shoot(page, out, f"{prefix}07-receipt")
    page.click("#find-ballot")
    page.wait_for_selector("#search-result")
    shoot(page, out, f"{prefix}08-board")
    page.goto(f"{base}/turnout.html?election=council-2026&lang={lang}")
    page.wait_for_selector("#turnout-summary")
    shoot(page, out, f"{prefix}09-turnout")
    assert receipt["tracker"]


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/screenshots")
    with tempfile.TemporaryDirectory() as tmp:
        voters = len(LANGUAGES) * len(SIZES)
        e = build_election(Path(tmp), BOOTH_DEFINITION, votes=[], voters=voters, stop_after=EntryType.OPEN)
        with LiveServer(e.board.engine) as server, sync_playwright() as p:
            browser = launch(p)
            codes = iter(e.codes)
            for lang in LANGUAGES:
                for prefix, size in SIZES.items():
                    context = browser.new_context(viewport=size)
                    booth_steps(context.new_page(), server.url, lang, next(codes), out / lang, prefix)
                    context.close()
            close_voting(e.board)
            tally(e.board)
            assert e.board.ledger.aggregate is not None
            for j in (1, 2):
                shares = partial_decrypt(e.context.fingerprint, e.trustees[j - 1], e.board.ledger.aggregate)
                add_decryption(e.board, j, [[s.to_json() for s in row] for row in shares])
            publish_result(e.board)
            for lang in LANGUAGES:
                for prefix, size in SIZES.items():
                    page = browser.new_context(viewport=size).new_page()
                    page.goto(f"{server.url}/results.html?election=council-2026&lang={lang}")
                    page.wait_for_selector(".question-result")
                    shoot(page, out / lang, f"{prefix}10-results")
                    page.goto(f"{server.url}/?lang={lang}")
                    page.wait_for_selector(".card")
                    shoot(page, out / lang, f"{prefix}00-elections")
            browser.close()
    print(f"screenshots in {out}/<language>/")


if __name__ == "__main__":
    main()
