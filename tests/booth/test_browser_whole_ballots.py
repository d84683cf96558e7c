"""Ranking, grading and several preferences in the booth, keyboard only, in Russian: a
ranking with a choice given twice is refused in the voter's language with the focus on the
question; the review reads the order and the grades back (an ungraded candidate says it
gets the lowest grade); the ballot is cast; after the mix the results page shows the
rounds. axe-core finds nothing at any step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from tests.booth.conftest import BOOTH, require

from vecha.record.entries import EntryType
from vecha.testing.browser import BoothDriver, axe_violations, chromium_path, launch, tab_to
from vecha.testing.live import LiveServer
from vecha.testing.records import WHOLE_BALLOT_DEFINITION, build_election, mix_and_publish

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require("Chromium", chromium_path() is not None)
    require("axe-core (the booth's npm packages)", (BOOTH / "node_modules" / "axe-core" / "axe.min.js").is_file())
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def _choose_rank(page, select: str, presses: int) -> None:  # type: ignore[no-untyped-def]
    """Pick a rank with the keyboard alone: focus the select, then arrow down."""
    tab_to(page, select)
    for _ in range(presses):
        page.keyboard.press("ArrowDown")


def test_rank_grade_and_prefer_with_the_keyboard_then_read_the_rounds(browser: Browser, tmp_path: Path) -> None:
    e = build_election(tmp_path, definition=WHOLE_BALLOT_DEFINITION, votes=[], voters=2, stop_after=EntryType.OPEN)
    context = browser.new_context()
    context.add_init_script(path=str(BOOTH / "node_modules" / "axe-core" / "axe.min.js"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    with LiveServer(e.board.engine) as server:
        booth = BoothDriver(page, server.url, WHOLE_BALLOT_DEFINITION["id"], lang="ru")
        booth.open()
        tab_to(page, "#code")
        page.keyboard.type(e.codes[0])
        page.keyboard.press("Enter")
        booth.wait_step("questions")
        assert axe_violations(page) == []
        assert "Расставьте до 4 кандидатов по порядку" in page.inner_text("#q0-hint")
        assert "самую низкую, «reject»" in page.inner_text("#q2-hint")
        # board: Ala and Bo both "choice 1" — refused
        _choose_rank(page, "#q0-o0", 1)
        _choose_rank(page, "#q0-o1", 1)
        assert page.input_value("#q0-o0") == "1" and page.input_value("#q0-o1") == "1"
        assert "Ваш порядок: 1. Ala, 1. Bo" in page.inner_text("#q0-order")
        tab_to(page, '[data-action="questions-continue"]')
        page.keyboard.press("Enter")
        page.wait_for_selector("#q0-error")
        assert page.inner_text("#q0-error") == "Rank the candidates: выбор 1 отдан больше чем одному кандидату."
        assert page.evaluate("document.activeElement.id") == "q0-o0"
        assert axe_violations(page) == []
        _choose_rank(page, "#q0-o1", 1)  # Bo: choice 2
        assert page.input_value("#q0-o1") == "2"
        # judge: Bo "good" (Ala left ungraded); council: North and its candidate Ann
        tab_to(page, "#q2-o1-g0")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert page.is_checked("#q2-o1-g2")
        tab_to(page, "#q3-o0")
        page.keyboard.press("Space")
        tab_to(page, "#q3-o1")
        page.keyboard.press("Space")
        tab_to(page, '[data-action="questions-continue"]')
        page.keyboard.press("Enter")
        booth.wait_step("review")
        choices = page.inner_text("dl.choices")
        assert "1. Ala, 2. Bo" in choices
        assert "Ala: reject (без оценки: самая низкая); Bo: good" in choices
        assert "North, North / Ann" in choices
        assert axe_violations(page) == []
        tab_to(page, '[data-action="review-encrypt"]')
        page.keyboard.press("Enter")
        booth.tracker_on_show()
        tab_to(page, '[data-action="sealed-cast"]')
        page.keyboard.press("Enter")
        page.wait_for_selector("#receipt-tracker")
        # a second voter, clicking: ranks Bo first
        booth.open()
        booth.enter_code(e.codes[1])
        booth.wait_step("questions")
        page.select_option("#q0-o1", "1")
        booth.review_and_encrypt()
        booth.cast()
        mix_and_publish(e)
        page.goto(f"{server.url}/results.html?election={WHOLE_BALLOT_DEFINITION['id']}&lang=ru")
        page.wait_for_selector(".winners")
        main = page.inner_text("main")
        result = e.board.ledger.result
        assert result is not None
        elected = ", ".join(result["questions"][0]["elected"])  # Ala and Bo tie: the lot orders them
        assert sorted(result["questions"][0]["elected"]) == ["Ala", "Bo"]
        assert "Единый передаваемый голос: учтено бюллетеней — 2, пустых — 0, недействительных — 0." in main
        assert "Квота (голосов для избрания): 1" in main and f"Избраны: {elected}" in main
        assert "Подсчёт, тур за туром" in main and f"избран: {elected}" in main
        assert "Мажоритарное суждение" in main and "Сколько избирателей дали каждую оценку" in main
        assert axe_violations(page) == []
    assert errors == []
    context.close()
