"""An officer on a phone opens today's work, switches from due today to overdue and sees
masked names (Z-5.2b); the park's dashboard draws the trend chart (item 10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from parkguard.duties.choices import DutyKind
from parkguard.duties.models import DailyFigure
from parkguard.duties.selectors import next_midnight
from parkguard.duties.services import DutySpec, duties_replace
from parkguard.notify.privacy import name_mask
from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_works_the_due_and_overdue_lists_on_a_phone(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world = build_world()
    now = timezone.now()
    duties_replace(
        person_id=world.a1_person.pk,
        source="mobility.return:1",
        items=[
            DutySpec(
                kind=DutyKind.NUCLEIC_ACID,
                due_from=now - dt.timedelta(hours=1),
                due_by=next_midnight(now),  # the end of today: always still ahead
                label="返岗第1天核酸",
            )
        ],
        at=now,
    )
    duties_replace(
        person_id=world.a1_employee_person.pk,
        source="mobility.return:2",
        items=[
            DutySpec(
                kind=DutyKind.DOCUMENT,
                due_from=now - dt.timedelta(days=2),
                due_by=now - dt.timedelta(days=1),
                label="提交返岗证明",
            )
        ],
        at=now,
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_officer")
        page.get_by_role("link", name="今日到期与逾期检测").click()
        page.wait_for_url(f"**/duties/enterprises/{world.a1.pk}/**")
        due = page.get_by_test_id("duty-list")
        assert name_mask(world.a1_person.name) in due.inner_text()
        assert "返岗第1天核酸" in due.inner_text()
        page.get_by_role("link", name="已逾期").click()
        page.wait_for_url("**list=overdue**")
        late = page.get_by_test_id("duty-list").inner_text()
        assert name_mask(world.a1_employee_person.name) in late and "提交返岗证明" in late
        body = page.locator("main").inner_text()
        assert world.a1_employee_person.name not in body
        assert world.a1_employee_person.phone not in body
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "duties_overdue_phone.png"), full_page=True)
    finally:
        context.close()


def test_the_park_dashboard_draws_the_trend(live_server: Any, page: Any) -> None:
    world = build_world()
    today = timezone.localdate()
    for back in range(5):
        DailyFigure.objects.create(
            enterprise=world.a1,
            on=today - dt.timedelta(days=back),
            headcount=20,
            declared=15 + back,
            test_due=20,
            test_done=12 + back,
            overdue=back,
            taken_at=timezone.now(),
        )
    _login(page, live_server.url, "park_a_admin")
    page.wait_for_url(f"**/park/{world.park_a.pk}/")
    page.wait_for_selector("body[data-trend-ready='1']")
    assert page.locator("#chart-trend canvas").count() == 1
    table = page.get_by_test_id("trend-table").inner_text()
    assert "75.0%" in table  # today's declaration rate, also as text
