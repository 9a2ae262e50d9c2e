"""An officer on a phone switches the closed-loop plan on from an incident and sees who is
inside, with dormitory and workshop (issue 17 §2; Z-5.0, Z-5.2d)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from parkguard.continuity.models import LoopPlan
from parkguard.people.models import Person
from parkguard.status.models import PersonStatus
from tests.browser.sessions import login as _login
from tests.factories import adopt, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_switches_closed_loop_on_and_sees_the_list(
    live_server: Any, browser: Any, artifacts: Any
) -> None:
    world = build_world()
    adopt(world.park_a, "zhengyang-2022-20-continuity")
    Person.objects.filter(pk=world.a1_person.pk).update(dormitory="一号宿舍", workshop="一车间")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_officer")
        page.goto(f"{live_server.url}/")
        page.get_by_role("link", name="闭环生产", exact=True).click()
        expect(page.locator("#loop-state")).to_contain_text("正常生产")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # Bad input first: no reason, nothing switched on.
        page.click("button:has-text('启动闭环生产')")
        expect(page.locator("form.card")).to_contain_text("请填写启动闭环生产的原因")
        page.fill("#id_reason", "园区发现阳性病例")
        page.click("button:has-text('启动闭环生产')")
        expect(page.locator("#loop-state")).to_contain_text("闭环生产中")
        expect(page.locator("#inside")).to_contain_text("闭环内 1 人")
        members = page.locator("#members")
        expect(members).to_contain_text(world.a1_person.name)
        expect(members).to_contain_text("宿舍 一号宿舍 ↔ 车间 一车间")
        # The day's living support, then no horizontal scrolling on the phone.
        page.fill("#id_meals_served", "2")
        page.fill("#id_beds_provided", "1")
        page.fill("#id_medical_requests", "0")
        page.fill("#id_medical_met", "0")
        page.click("button:has-text('登记当日保障')")
        expect(page.locator("#days")).to_contain_text("供餐 2/3")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(artifacts / "closed-loop-phone.png"), full_page=True)
    finally:
        context.close()
    plan = LoopPlan.objects.get(enterprise=world.a1, ended_at__isnull=True)
    assert plan.reason == "园区发现阳性病例"
    assert PersonStatus.objects.get(pk=world.a1_employee_person.pk).on_hold
