"""Spec §6.9 in the browser: a voter with no connection makes the ballot in the booth and
shows it as QR codes (nothing kept on the device); someone else photographs the codes and
casts them on a mirror's hand-in page, one photo first (the page says which codes are
missing), then the rest; the box's receipt names the tracking code the voter saw. axe-core
finds nothing on either page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from tests.booth.conftest import BOOTH, require

from vecha.crypto.canonical import canonical_bytes
from vecha.record.entries import EntryType
from vecha.server.app import create_mirror_app
from vecha.store.db import open_store
from vecha.store.replica import Replica
from vecha.testing.browser import BoothDriver, axe_violations, chromium_path, launch, leftovers
from vecha.testing.live import LiveServer
from vecha.testing.records import BOOTH_DEFINITION, build_election

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require("Chromium", chromium_path() is not None)
    require("axe-core (the booth's npm packages)", (BOOTH / "node_modules" / "axe-core" / "axe.min.js").is_file())
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def test_a_ballot_shown_as_qr_codes_is_cast_on_a_mirror(browser: Browser, tmp_path: Path) -> None:
    import httpx

    e = build_election(tmp_path / "box", definition=BOOTH_DEFINITION, votes=[], voters=2, stop_after=EntryType.OPEN)
    eid = e.board.election_id
    mirror_engine = open_store(str(tmp_path / "mirror.sqlite"))
    voter = browser.new_context()
    voter.add_init_script(path=str(BOOTH / "node_modules" / "axe-core" / "axe.min.js"))
    page = voter.new_page()
    with LiveServer(e.board.engine) as box:
        first = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1}).json()["entries"][0]
        Replica.start(mirror_engine, box.url, canonical_bytes(first))
        with LiveServer(mirror_engine, app=create_mirror_app(mirror_engine, box.url)) as mirror:
            booth = BoothDriver(page, mirror.url, eid, lang="be")
            booth.open()
            page.wait_for_selector("#mirror-status")  # the page says it comes from a mirror, and how current it is
            status = page.inner_text("#mirror-status")
            assert "люстэрка" in status and box.url in status and "адпавядае скрыні" in status, status
            booth.enter_code(e.codes[0])
            booth.choose([[0, 0, 1, 0, 0], [0, 1]])
            tracker = booth.review_and_encrypt()
            page.click(".handoff-offer summary")
            booth.action("sealed-handoff")
            booth.wait_step("handoff")
            assert page.inner_text("#handoff-tracker").replace(" ", "") == tracker
            codes = page.query_selector_all("img.qr")
            assert len(codes) >= 2
            assert axe_violations(page) == []
            photos = []
            for k, code in enumerate(codes, start=1):
                photos.append(tmp_path / f"photo-{k}.png")
                photos[-1].write_bytes(code.screenshot())
            assert set(leftovers(page).values()) == {0}  # nothing kept on the voter's device
            helper_context = browser.new_context()
            helper_context.add_init_script(path=str(BOOTH / "node_modules" / "axe-core" / "axe.min.js"))
            helper = helper_context.new_page()
            helper.goto(f"{mirror.url}/handin.html?election={eid}&lang=ru")
            helper.wait_for_selector("#handin-images")
            helper.set_input_files("#handin-images", [str(photos[0])])
            helper.wait_for_selector("#handin-notice")
            assert f"из {len(codes)}" in helper.inner_text("#handin-notice")
            assert axe_violations(helper) == []
            helper.set_input_files("#handin-images", [str(p) for p in photos[1:]])
            helper.wait_for_selector("#handin-tracker", timeout=60_000)
            assert helper.inner_text("#handin-tracker") == tracker
            found = httpx.get(f"{box.url}/api/v1/elections/{eid}/trackers/{tracker}").json()
            assert found["counts"] is True
            assert axe_violations(helper) == []
            helper_context.close()
    voter.close()
