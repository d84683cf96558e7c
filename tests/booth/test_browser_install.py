"""The installed booth for voters abroad (threat model §2.1, spec §8.7), in Chromium. A mirror
that serves a changed booth is named on the install page and nothing is installed; a wrong
fingerprint is refused. From an honest mirror the booth installs (a web app manifest the
browser accepts, a service worker holding the checked files); when that mirror later changes
its booth, the installed booth still opens from the checked copy, casts a ballot whose
receipt checks out, and its check of the address names the changed file. Removing it leaves
nothing behind. The ordinary pages never install anything (`leftovers`, in the other tests)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests.booth.conftest import BOOTH, require

from vecha.crypto.canonical import canonical_bytes
from vecha.record.entries import EntryType
from vecha.server.app import create_mirror_app
from vecha.server.pins import STATIC
from vecha.store.db import open_store
from vecha.store.replica import Replica
from vecha.testing.browser import BoothDriver, axe_violations, chromium_path, launch, leftovers
from vecha.testing.live import LiveServer
from vecha.testing.records import BOOTH_DEFINITION, build_election

pytestmark = pytest.mark.slow

MARKER = "// a changed booth: sends the code home"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require("Chromium", chromium_path() is not None)
    require("axe-core (the booth's npm packages)", (BOOTH / "node_modules" / "axe-core" / "axe.min.js").is_file())
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def _change_booth(static: Path) -> None:
    booth = static / "js" / "booth.js"
    booth.write_text(booth.read_text() + "\n" + MARKER + "\n")


def _install(page: Page, url: str, eid: str, fingerprint: str, *, abroad: bool = True) -> str:
    page.goto(f"{url}/install.html?election={eid}&fingerprint={fingerprint}&lang=en")
    page.wait_for_selector("#install-button")
    if abroad:
        page.check("#install-abroad")
    page.click("#install-button")
    page.wait_for_selector("#install-notice", timeout=60_000)
    return page.inner_text("#install-notice")


def _registrations(page: Page) -> int:
    count: int = page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length")
    return count


def test_the_booth_installs_only_unchanged_and_then_ignores_a_changed_mirror(browser: Browser, tmp_path: Path) -> None:
    e = build_election(
        tmp_path / "box", definition=BOOTH_DEFINITION, votes=[], voters=2, stop_after=EntryType.OPEN, booth_pinned=True
    )
    eid, fp = e.board.election_id, e.board.ledger.fingerprint.hex()
    changed, later = tmp_path / "changed-static", tmp_path / "honest-static"
    shutil.copytree(STATIC, changed)
    shutil.copytree(STATIC, later)
    _change_booth(changed)
    engines = [open_store(str(tmp_path / f"{name}.sqlite")) for name in ("bad", "honest")]
    with LiveServer(e.board.engine) as box:
        first = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1}).json()["entries"][0]
        for engine in engines:
            Replica.start(engine, box.url, canonical_bytes(first))
        bad_app = create_mirror_app(engines[0], box.url, static=changed)
        honest_app = create_mirror_app(engines[1], box.url, static=later)
        with LiveServer(engines[0], app=bad_app) as bad, LiveServer(engines[1], app=honest_app) as honest:
            # the elections page offers it (a link, nothing more); a changed booth is named,
            # and nothing is installed
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{bad.url}/?lang=en")
            page.wait_for_selector(f'a[href^="/install.html?election={eid}"]')
            assert set(leftovers(page).values()) == {0}
            notice = _install(page, bad.url, eid, fp)
            assert "js/booth.js (changed)" in notice and "Nothing was installed" in notice, notice
            assert page.get_attribute("#install-notice", "role") == "alert"
            assert set(leftovers(page).values()) == {0}
            # another election's fingerprint; no confirmation that the voter is abroad
            assert "another election" in _install(page, honest.url, eid, "ab" * 32)
            assert "First confirm" in _install(page, honest.url, eid, fp, abroad=False)
            assert set(leftovers(page).values()) == {0}
            context.close()

            # an honest mirror: installed, with a manifest the browser accepts
            context = browser.new_context()
            context.add_init_script(path=str(BOOTH / "node_modules" / "axe-core" / "axe.min.js"))
            page = context.new_page()
            notice = _install(page, honest.url, eid, fp)
            pinned = len(e.board.ledger.defined().booth)
            assert f"All {pinned} files match" in notice, notice
            assert _registrations(page) == 1
            cdp = context.new_cdp_session(page)
            manifest = cdp.send("Page.getAppManifest")
            assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest"), manifest
            page.reload()
            page.wait_for_selector("#install-installed")
            assert axe_violations(page) == []

            # the mirror changes its booth after the voter installed it
            _change_booth(later)
            assert MARKER in httpx.get(f"{honest.url}/js/booth.js").text
            booth = BoothDriver(page, honest.url, eid, lang="en")
            booth.open()
            served = page.evaluate("async () => (await fetch('/js/booth.js')).text()")
            assert MARKER not in served  # the device's checked copy, not the mirror's
            headers = page.evaluate("async () => (await fetch('/booth.html')).headers.get('content-security-policy')")
            assert headers and "script-src 'self'" in headers  # the copy keeps the page's policy
            booth.enter_code(e.codes[0])
            booth.choose([[0, 0, 1, 0, 0], [0, 1]])
            booth.review_and_encrypt()
            receipt = booth.cast()
            found = httpx.get(f"{box.url}/api/v1/elections/{eid}/trackers/{receipt['tracker']}").json()
            assert found["counts"] is True

            # from the installed copy, a check of the address names the changed file
            page.goto(f"{honest.url}/install.html?lang=en")  # the app's start page: no election named
            page.wait_for_selector("#install-check")
            page.click("#install-check")
            page.wait_for_selector("#install-notice")
            notice = page.inner_text("#install-notice")
            assert "js/booth.js (changed)" in notice and "installed copy is unchanged" in notice, notice
            page.click("#install-remove")
            page.wait_for_selector("#install-notice:has-text('removed')")
            assert _registrations(page) == 0 and leftovers(page)["caches"] == 0
            context.close()
