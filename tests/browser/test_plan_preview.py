"""Park staff preview a returnee's plan in the browser (issue: rule engine, item 5; J-1.2.2)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_previews_the_j_1_2_2_plan_with_htmx(live_server: Any, page: Any) -> None:
    build_world()
    _login(page, live_server.url, "park_a_admin")
    page.goto(f"{live_server.url}/policy/preview/")
    page.select_option("#id_pack", "jinjiang-xiyuan-2022-81")
    page.select_option("#id_kind", "visitor")
    page.select_option("#id_origin", "abroad")
    page.fill("#id_arrived_at", "2022-11-20T10:00")
    page.click("#plan-form button[type=submit]")
    result = page.locator("#plan-result")
    result.wait_for()
    text = result.inner_text()
    assert "2022-11-28 00:00" in text  # entry after 5 days centralised + 3 days home
    assert "集中隔离" in text and "居家隔离" in text and "J-1.2.2" in text
    # htmx swapped the result in: the form and the page are still the same document.
    assert page.url.endswith("/policy/preview/")
