"""An officer on a phone maps the isolation area, opens an incident and records the first two
of the three first times; the incident shows their minutes (Z-5.1, Z-4.2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parkguard.response.models import Incident
from tests.browser.sessions import login as _login
from tests.factories import adopt, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_runs_the_first_times_on_a_phone(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world = build_world()
    adopt(world.park_a, "zhengyang-2022-20-response")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_officer")
        page.get_by_role("link", name="分区与疫情事件").first.click()
        page.wait_for_url(f"**/response/enterprises/{world.a1.pk}/")
        assert "尚未划定独立的临时隔离管控区域" in page.locator("main").inner_text()
        page.fill("#id_name", "临时隔离点")
        page.select_option("#id_block", "living")
        page.fill("#id_capacity", "4")
        page.check("input[name=is_isolation]")
        page.get_by_role("button", name="添加区块").click()
        page.wait_for_load_state()
        assert "尚未划定" not in page.locator("main").inner_text()
        page.select_option("#id_inc_person", str(world.a1_person.pk))
        page.fill("#id_title", "员工发热 38.2 ℃")
        page.get_by_role("button", name="登记疫情事件").click()
        page.wait_for_url("**/response/incidents/**")
        page.get_by_role("button", name="报告园区领导小组和街道社区").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="转入临时隔离管控区域并报请转运").click()
        page.wait_for_load_state()
        body = page.locator("main").inner_text()
        assert "发现后" in body and "已报请转运" in body and "重点区域消杀" in body
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "incident_phone.png"), full_page=True)
        incident = Incident.objects.get()
        assert incident.reported_at is not None and incident.isolated_at is not None
    finally:
        context.close()
