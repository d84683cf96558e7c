"""A coercion-resistant election in the booth, in a real headless Chromium against a real
server: the booth explains fake codes in plain words and makes one; a voter votes with the
fake code in front of a coercer, then alone with the real code, then again naming the last
ballot's tracking code (a mistyped one is caught first). Every ballot gets a receipt alike;
the board's look-up says for none whether it counts; the browser keeps nothing. The count
then keeps exactly the last ballot of the real code, and the record verifies. The same page
in Belarusian and Russian carries the explanation in those languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from tests.booth.conftest import BOOTH, require

from vecha.testing.browser import BoothDriver, axe_violations, chromium_path, launch, leftovers
from vecha.testing.coercion import coercion_election, run_count
from vecha.testing.live import LiveServer
from vecha.verify import verify_record

pytestmark = pytest.mark.slow

YES, NO = [[1, 0]], [[0, 1]]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require("Chromium", chromium_path() is not None)
    require("axe-core (the booth's npm packages)", (BOOTH / "node_modules" / "axe-core" / "axe.min.js").is_file())
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def test_fake_codes_and_hidden_revotes_in_the_booth(browser: Browser, tmp_path: Path) -> None:
    e = coercion_election(tmp_path, voters=1)
    real = e.voters[0].code
    context = browser.new_context()
    context.add_init_script(path=str(BOOTH / "node_modules" / "axe-core" / "axe.min.js"))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    with LiveServer(e.board.engine) as server:
        booth = BoothDriver(page, server.url, e.board.election_id, lang="en")
        booth.open()
        page.click("#fake-codes summary")
        assert "Never say that a code is fake" in page.inner_text("#fake-codes")
        booth.action("fake-code")
        page.wait_for_selector("#fake-code")
        fake = page.inner_text("#fake-code").split(": ")[1].split(".")[0]
        assert len(fake) == len(real) and fake != real
        assert axe_violations(page) == []

        coerced = booth.vote(fake, YES)  # in front of the coercer
        assert "Nobody can see on the board that you voted again" in page.inner_text("main")
        assert axe_violations(page) == []
        booth.action("done-finish")
        alone = booth.vote(real, YES)  # alone, the real code: a receipt like the fake one's
        assert set(alone) == set(coerced)

        booth.action("done-finish")
        booth.open()
        page.fill("#previous", "not a tracking code")
        booth.enter_code(real)
        page.wait_for_selector("#previous-error")
        assert page.get_attribute("#previous", "aria-invalid") == "true"
        assert axe_violations(page) == []
        page.fill("#previous", alone["tracker"])
        booth.enter_code(real)
        booth.choose(NO)
        booth.review_and_encrypt()
        again = booth.cast()  # replaces the last ballot, named by its tracking code

        for receipt in (coerced, alone, again):
            page.goto(f"{server.url}/board.html?election={e.board.election_id}&lang=en&tracker={receipt['tracker']}")
            page.wait_for_selector("#search-result")
            assert "no single ballot shows whether it counts" in page.inner_text("#search-result")
        assert axe_violations(page) == []
        assert set(leftovers(page).values()) == {0}

        for lang, words in (("be", "фальшывы код"), ("ru", "поддельный код")):
            BoothDriver(page, server.url, e.board.election_id, lang=lang).open()
            assert words in (page.text_content("#fake-codes") or "").lower()
            assert axe_violations(page) == []
    assert errors == []
    run_count(e)
    result = e.board.ledger.result
    assert result is not None and result["questions"][0]["counts"] == {"Yes": 0, "No": 1}
    assert result["coercion"]["unmatched"] == 1  # the fake code's ballot
    assert verify_record(e.record).ok
