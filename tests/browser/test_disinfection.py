"""A day's disinfection checklist worked on a phone (issue 15 §6; B-2.5, H-4.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from parkguard.orgs.access import SYSTEM
from parkguard.rules.models import PackAdoption
from parkguard.supplies.models import DisinfectionTask
from parkguard.supplies.services import disinfection_area_create, disinfection_day_generate
from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_days_checklist_is_worked_on_a_phone(
    live_server: Any, browser: Any, artifacts: Any, tmp_path: Any
) -> None:
    world = build_world()
    PackAdoption.objects.create(
        jurisdiction=world.park_a,
        pack_id="baotou-industry-2020-02",
        adopted_at=dt.datetime(2022, 11, 1, tzinfo=dt.UTC),
    )
    today = timezone.localdate()
    for name, kind in (("一号车间", "车间工作区"), ("员工食堂", "餐厅食堂")):
        disinfection_area_create(
            scope=SYSTEM, enterprise=world.a1, name=name, kind=kind, key_area=False, rounds=1,
            assignee=world.users["a1_employee"], on=today,
        )  # fmt: skip
    assert disinfection_day_generate(scope=SYSTEM, enterprise=world.a1, on=today) == 4
    photo = tmp_path / "done.png"
    photo.write_bytes(PNG)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_employee")
        page.goto(f"{live_server.url}/")
        page.click("text=我的消杀任务")
        assert "已完成 0/4" in page.locator("#progress").inner_text()
        # No horizontal scrolling on the phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        first = page.locator("li.task:not(.done)").first
        first.locator("input[type=file]").set_input_files(str(photo))
        first.locator("button[type=submit]").click()
        page.locator("#progress").wait_for()
        assert "已完成 1/4" in page.locator("#progress").inner_text()
        for _ in range(3):
            page.locator("li.task:not(.done) button[type=submit]").first.click()
            page.locator("#progress").wait_for()
        assert "已完成 4/4" in page.locator("#progress").inner_text()
        page.screenshot(path=str(artifacts / "disinfection-phone.png"), full_page=True)
    finally:
        context.close()
    tasks = DisinfectionTask.objects.filter(area__enterprise=world.a1, on=today)
    assert tasks.filter(done_at__isnull=False).count() == 4
    assert tasks.filter(photo_type="image/png").count() == 1
