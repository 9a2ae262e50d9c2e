"""An employee declares a return on a phone-sized screen and sees what to do by when, with the
notice's clause (issue 12, items 3 and 7; J-1.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from parkguard.mobility import services
from parkguard.mobility.models import ReturnDeclaration
from parkguard.orgs.access import SYSTEM
from parkguard.status.models import PersonStatus
from tests.browser.sessions import login as _login
from tests.factories import adopt, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WUHAN = "420102"


def test_an_employee_declares_a_return_on_a_phone(
    live_server: Any, browser: Any, artifacts: Any
) -> None:
    world = build_world()
    world.county.code = "350582"
    world.county.save(update_fields=["code"])
    adopt(world.park_a)
    today = timezone.localdate()
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=services.RiskAreaIn(WUHAN, "", "high", today - dt.timedelta(days=30), None, "公告"),
        by=None,
        at=timezone.now(),
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_employee")
        page.goto(f"{live_server.url}/")
        page.click("text=我的待办 · 出行与返岗")
        page.click("text=返岗申报")
        yesterday = today - dt.timedelta(days=1)
        page.fill("#id_arrived_at", f"{yesterday.isoformat()}T10:00")
        page.select_option("#id_transport", "train")
        page.fill("#id_code_1", "999999")
        page.fill("#id_first_1", (yesterday - dt.timedelta(days=7)).isoformat())
        page.fill("#id_last_1", yesterday.isoformat())
        page.click("#return-form button[type=submit]")
        assert "不认识的行政区划代码" in page.locator("#return-form").inner_text()
        assert ReturnDeclaration.objects.count() == 0
        page.fill("#id_code_1", WUHAN)
        page.screenshot(path=str(artifacts / "mobility-return-phone.png"), full_page=True)
        page.click("#return-form button[type=submit]")
        page.locator("#duties").wait_for()
        duties = page.locator("#duties").inner_text()
        assert "居家隔离第7天核酸检测" in duties
        assert "依据：晋政西〔2022〕81号" in duties
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, "the page scrolls sideways on a phone"
        page.screenshot(path=str(artifacts / "mobility-me-phone.png"), full_page=True)
    finally:
        context.close()
    assert PersonStatus.objects.get(person=world.a1_employee_person).on_hold
