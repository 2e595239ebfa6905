"""Debian's Chromium driven by Playwright for the storefront's tests: axe-core checks and
screenshots. Chromium and axe-core come from the project's own scripts (`devstack/browser.py`),
never from a download of Playwright's; Chromium runs as the stack's user, and Playwright
attaches to it over the DevTools protocol."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from devstack.browser import ensure_axe, running_chromium

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
# axe's impacts a shopper cannot work around: the journey allows none of them.
BLOCKING = {"serious", "critical"}


@contextmanager
def chromium() -> Iterator[Browser]:
    with running_chromium() as server, sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(server.url)
        try:
            yield browser
        finally:
            browser.close()


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of WCAG 2.1 A and AA on the page as it is.
    Evaluated over the DevTools protocol, which the page's CSP does not govern."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(ensure_axe().read_text())
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def screenshots(page: Page, name: str, widths: tuple[str, ...] = tuple(WIDTHS)) -> None:
    """The page at a phone's and a desktop's width (or those of `widths`), for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for label in widths:
        width, height = WIDTHS[label]
        page.set_viewport_size({"width": width, "height": height})
        # caret="initial": hiding it would inject a style, which the page's CSP refuses.
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True, caret="initial")
    if before:
        page.set_viewport_size(before)
