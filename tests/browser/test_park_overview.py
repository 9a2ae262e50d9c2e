"""A park admin logs in with the form and sees the overview with its charts drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.sessions import login
from tests.factories import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_park_overview_chart(live_server: Any, page: Any, artifacts: Path) -> None:
    world: World = build_world()
    login(page, live_server.url, "park_a_admin")
    page.wait_for_url(f"**/park/{world.park_a.pk}/")
    assert page.locator("h1").inner_text().startswith("甲园区")
    page.wait_for_selector("body[data-charts-ready='1']")
    # ECharts draws into a canvas inside each chart box.
    assert page.locator("#chart-size canvas").count() == 1
    assert page.locator("#chart-category canvas").count() == 1
    # The table lists park A's enterprises and nothing of park B.
    body = page.locator("main").inner_text()
    assert world.a1.name in body and world.b1.name not in body
    page.screenshot(path=str(artifacts / "park_overview.png"), full_page=True)
    assert (artifacts / "park_overview.png").stat().st_size > 10_000


def test_it_shows_a_chinese_error_for_a_wrong_password(live_server: Any, page: Any) -> None:
    build_world()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "park_a_admin")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "用户名或密码不正确"
