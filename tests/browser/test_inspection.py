"""On a phone: an inspector ticks the checklist, logs a finding with a photo; the enterprise's
officer answers it with evidence; the inspector closes it (Z-6, J-2.5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.oversight.choices import RectificationStatus
from parkguard.oversight.models import Rectification
from parkguard.oversight.services import inspection_plan
from tests.browser.sessions import phone_login
from tests.factories import World, adopt, build_world, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
KEY = "jinjiang-xiyuan-2022-81:entry-control"


def test_it_plays_an_inspection_to_a_closed_item_on_phones(
    live_server: Any, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    world: World = build_world()
    adopt(world.park_a)
    inspector = make_user("inspector_a")
    Membership.objects.create(user=inspector, role=Role.INSPECTOR, jurisdiction=world.park_a)
    inspection_plan(
        scope=SYSTEM,
        enterprise=world.a1,
        planned_on=timezone.localdate(),
        inspector=inspector,
        purpose="出入管理抽查",
        at=timezone.now(),
    )
    photo = tmp_path / "gate.png"
    photo.write_bytes(PNG)
    base = live_server.url

    page = phone_login(browser, base, "inspector_a")
    page.goto(f"{base}/oversight/")
    page.click(f"text={world.a1.name}")
    page.check(f"input[name='result_{KEY}'][value=problem]")
    page.fill(f"input[name='note_{KEY}']", "2号门无人值守")
    page.click("#checklist button[type=submit]")
    page.wait_for_selector("text=检查结果已记录")
    page.select_option("#id_item_key", KEY)
    page.fill("#id_description", "2号门未测温扫码")
    page.fill("#id_owner_name", "王主任")
    page.click("#finding button[type=submit]")
    page.wait_for_selector(".errorlist")  # no deadline: refused, nothing written
    assert not Rectification.objects.exists()
    page.fill("#id_deadline", (timezone.localdate()).isoformat())
    page.set_input_files("#id_photos", str(photo))
    page.click("#finding button[type=submit]")
    page.wait_for_selector("text=问题已登记")
    page.screenshot(path=str(artifacts / "oversight-inspection-phone.png"), full_page=True)
    item = Rectification.objects.get()

    officer = phone_login(browser, base, "a1_officer")
    officer.goto(f"{base}/oversight/rectifications/{item.pk}/")
    officer.fill("#id_text", "已安排专人值守")
    officer.set_input_files("#id_evidence", str(photo))
    officer.click("#reply button[type=submit]")
    officer.wait_for_selector("text=等待复核")

    page.goto(f"{base}/oversight/rectifications/{item.pk}/")
    page.click("#close button[type=submit]")
    page.wait_for_selector("text=已复核销号")
    page.screenshot(path=str(artifacts / "oversight-rectification-phone.png"), full_page=True)
    item.refresh_from_db()
    assert item.status == RectificationStatus.CLOSED

    # J-2.5: the park's readiness board ranks the enterprises with a chart.
    page.goto(f"{base}/oversight/parks/{world.park_a.pk}/readiness/")
    page.wait_for_selector("body[data-chart-ready='1']")
    page.click(f"summary:has-text('{world.a1.name}')")
    page.wait_for_selector("text=最近督查")
    page.screenshot(path=str(artifacts / "oversight-readiness-phone.png"), full_page=True)
