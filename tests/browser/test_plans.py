"""On a phone: an enterprise's officer submits its plan (一企一策), is told the section it
lacks, completes it; the park's admin approves it; the readiness board then shows the approved
plan as evidence, with its link, and draws the ranking (Z-4.1, J-2.5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parkguard.oversight.choices import PlanStatus
from parkguard.oversight.models import Plan
from tests.browser.sessions import phone_login
from tests.factories import World, adopt, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_is_submitted_approved_and_counted_on_the_board(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world: World = build_world()
    adopt(world.park_a)
    adopt(world.park_a, "zhengyang-2022-20-plans")
    base = live_server.url

    officer = phone_login(browser, base, "a1_officer")
    officer.goto(f"{base}/oversight/enterprises/{world.a1.pk}/plans/")
    officer.click("summary:has-text('提交新版本')")
    officer.fill("#id_title", "甲一疫情防控处置预案")
    fields = officer.locator("#plan-submit textarea")
    expect(fields).to_have_count(4)
    for i in range(3):  # the last section, 应急响应, left empty
        fields.nth(i).fill("专人负责，流程见附件")
    officer.click("#plan-submit button[type=submit]")
    expect(officer.locator(".errorlist")).to_contain_text("缺少必备章节“应急响应”")
    assert not Plan.objects.exists()
    officer.locator("#plan-submit textarea").nth(3).fill("分级响应，闭环生产")
    officer.click("#plan-submit button[type=submit]")
    expect(officer.locator("#plan-status")).to_have_text("待审批")
    officer.screenshot(path=str(artifacts / "oversight-plan-submitted-phone.png"), full_page=True)
    plan = Plan.objects.get()

    admin = phone_login(browser, base, "park_a_admin")
    admin.goto(f"{base}/oversight/parks/{world.park_a.pk}/plans/")
    admin.click("#enterprise-plans a:has-text('甲一疫情防控处置预案')")
    expect(admin.locator("#plan-decide")).to_be_visible()
    admin.select_option("#id_approve", "1")
    admin.click("#plan-decide button[type=submit]")
    expect(admin.locator("#plan-status")).to_have_text("已批准")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED

    admin.goto(f"{base}/oversight/parks/{world.park_a.pk}/readiness/")
    expect(admin.locator("body")).to_have_attribute("data-chart-ready", "1")
    admin.click(f"summary:has-text('{world.a1.name}')")
    evidence = admin.locator(f"details[data-enterprise='{world.a1.pk}'] a:has-text('第 1 版')")
    expect(evidence).to_have_attribute("href", f"/oversight/plans/{plan.pk}/")
    admin.screenshot(path=str(artifacts / "oversight-readiness-plan-phone.png"), full_page=True)
