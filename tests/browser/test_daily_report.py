"""A day's report in the browser (L-4.3, issue 17 §7): the park admin pre-fills, corrects one
enterprise with a note and submits; the county's command user then reads the roll-up, where
park B has not reported, and the command board."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.reporting.models import DailyReport
from parkguard.rules.models import PackAdoption
from tests.browser.sessions import login as _login
from tests.factories import build_world, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_day_is_prefilled_reviewed_submitted_and_rolled_up(
    live_server: Any, page: Any, artifacts: Path
) -> None:
    world = build_world()
    for park in (world.park_a, world.park_b):
        PackAdoption.objects.create(
            jurisdiction=park, pack_id="liucheng-2022-36-report",
            adopted_at=dt.datetime(2022, 11, 1, tzinfo=dt.UTC),
        )  # fmt: skip
    county = make_user("county_cmd")
    Membership.objects.create(user=county, role=Role.PARK_CADRE, jurisdiction=world.county)

    _login(page, live_server.url, "park_a_admin")
    page.click("text=每日报告")
    expect(page.locator("h1")).to_contain_text("甲园区 · 每日报告")
    page.click("#prefill")
    row = page.locator("details.report-row", has_text=world.a1.name)
    expect(row).to_be_visible()
    row.locator("summary").click()
    row.locator("input[name=headcount]").fill("5")
    row.locator("input[name=note]").fill("两名外包人员今日到岗（人事部电话确认）")
    row.locator("button[type=submit]").click()
    row = page.locator("details.report-row", has_text=world.a1.name)
    expect(row.locator(".tag", has_text="已更正")).to_be_visible()
    # Whether the afternoon deadline has passed depends on the hour the test runs: a reason
    # is given either way and only kept when the report is late.
    page.fill("#late_reason", "园区网络故障")
    page.click("#submit-report")
    expect(page.locator("#report-status")).to_contain_text("已报送")
    page.screenshot(path=str(artifacts / "daily-report-submitted.png"), full_page=True)
    report = DailyReport.objects.get(jurisdiction=world.park_a)
    assert report.state == "submitted" and report.rows.get(enterprise=world.a1).headcount == 5

    page.context.clear_cookies()
    _login(page, live_server.url, "county_cmd")
    page.click(f"text={world.county.name} 报告汇总")
    expect(page.locator("#rollup-table")).to_contain_text("甲园区")
    expect(page.locator("#rollup-attention")).to_contain_text("乙园区")
    expect(page.locator("#rollup-summary")).to_contain_text("在岗 6 人")  # A1's 5 and A2's 1
    page.screenshot(path=str(artifacts / "daily-report-rollup.png"), full_page=True)
    page.click("text=指挥看板")
    expect(page.locator("#board-late")).to_contain_text("乙园区")
    expect(page.locator(".tile.status-normal").first).to_be_visible()
