"""On a phone a wide table never widens the page: the officer's access log and returnee
register are cards, and a wide table that is not (the park's key-population ledger, Z-3.2)
scrolls inside its own frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.sessions import login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_wide_tables_stay_inside_the_phone_screen(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world = build_world()
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    try:
        login(page, live_server.url, "a1_officer")
        for url in (
            f"/gate/enterprises/{world.a1.pk}/log/",
            f"/mobility/enterprises/{world.a1.pk}/returnees/",
        ):
            page.goto(live_server.url + url)
            assert page.locator("main table.cards").count() >= 1, url
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
        page.screenshot(path=str(artifacts / "returnees_phone.png"), full_page=True)
        context.clear_cookies()
        login(page, live_server.url, "park_a_admin")
        page.goto(f"{live_server.url}/duties/ledger/{world.park_a.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        frame = page.locator("main .table-wrap").first
        assert frame.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    finally:
        context.close()
