"""Driving the booth in a real Chromium (through Playwright), for the browser tests and the
screenshot script: a voter's steps, what the browser keeps afterwards, and axe-core's
accessibility report. Buttons are found by their `data-action`, options by their ids, so
the same steps work in every language."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, Page, Playwright

__all__ = ["CHROMIUM_ARGS", "chromium_path", "launch", "BoothDriver", "leftovers", "axe_violations", "tab_to"]

#: Headless, and nothing that phones home: the machine's network is closed, and a voter's
#: browser test should not depend on one.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("VECHA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Playwright) -> Browser:
    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium found (install Debian's chromium, or set VECHA_CHROMIUM)")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)


@dataclass
class BoothDriver:
    """One voter at the booth page of `election` on the server at `base`."""

    page: Page
    base: str
    election: str
    lang: str = "en"
    timeout_ms: float = 60_000

    def open(self) -> None:
        self.page.goto(f"{self.base}/booth.html?election={self.election}&lang={self.lang}")
        self.wait_step("code")

    def wait_step(self, step: str) -> None:
        self.page.wait_for_selector(f'main[data-step="{step}"]', timeout=self.timeout_ms)

    def action(self, name: str) -> None:
        self.page.click(f'[data-action="{name}"]')

    def enter_code(self, code: str) -> None:
        self.page.fill("#code", code)
        self.action("code-continue")

    def choose(self, marks: list[list[int]]) -> None:
        """Tick option `o` of question `q` for every 1 in marks[q][o]; questions left all 0
        stay blank."""
        self.wait_step("questions")
        for q, row in enumerate(marks):
            for o, m in enumerate(row):
                if m:
                    self.page.check(f"#q{q}-o{o}")

    def review_and_encrypt(self) -> str:
        self.action("questions-continue")
        self.wait_step("review")
        self.action("review-encrypt")
        return self.tracker_on_show()

    def tracker_on_show(self) -> str:
        self.page.wait_for_selector("#sealed-tracker", timeout=self.timeout_ms)
        return self.page.inner_text("#sealed-tracker").replace(" ", "")

    def audit(self) -> dict[str, Any]:
        """Audit the ballot on show; returns the revealed data (ballot, marks, randomness)."""
        self.action("sealed-audit")
        self.wait_step("audit")
        self.page.wait_for_selector("#audit-ok, #audit-failed")
        data: dict[str, Any] = json.loads(self.page.eval_on_selector("#audit-data", "e => e.textContent"))
        return data

    def cast(self) -> dict[str, Any]:
        self.action("sealed-cast")
        self.page.wait_for_selector("#receipt-tracker, .error", timeout=self.timeout_ms)
        if self.page.query_selector("#receipt-tracker") is None:
            raise AssertionError(f"the booth did not cast: {self.page.inner_text('.error')}")
        receipt: dict[str, Any] = json.loads(self.page.eval_on_selector("#receipt-json", "e => e.textContent"))
        return receipt

    def vote(self, code: str, marks: list[list[int]]) -> dict[str, Any]:
        self.open()
        self.enter_code(code)
        self.choose(marks)
        self.review_and_encrypt()
        return self.cast()


def leftovers(page: Page) -> dict[str, int]:
    """What this origin left in the browser: cookies, Web Storage, IndexedDB, Cache Storage,
    service workers."""
    found: dict[str, int] = page.evaluate(
        """async () => ({
            localStorage: localStorage.length,
            sessionStorage: sessionStorage.length,
            indexedDB: (await indexedDB.databases()).length,
            caches: (await caches.keys()).length,
            serviceWorkers: (await navigator.serviceWorker.getRegistrations()).length,
            documentCookie: document.cookie.length,
        })"""
    )
    found["cookies"] = len(page.context.cookies())
    return found


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (axe must be loaded as an init script,
    which the page's Content-Security-Policy does not apply to)."""
    result: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))"""
    )
    return result


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector` (a keyboard user's way there)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")
