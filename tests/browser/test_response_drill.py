"""The drill of issue 14, end to end on phones: an employee declares a fever, is moved to
orange, the incident opens and is reported with its notifications, the test comes back
positive and the person moves to red, tracing proposes a dormitory mate and a colleague met
through a junction's gate (pack v3, Z-5.1b), the officer confirms the mate, and the timeline
shows every step with its minutes (Z-5.2f, Z-4.2, Z-5.1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parkguard.gate.models import AccessCheck, Gate
from parkguard.gate.services import gate_create
from parkguard.health.models import Alert
from parkguard.notify.models import Message
from parkguard.orgs.access import SYSTEM
from parkguard.response import services
from parkguard.response.choices import ContactState, ZoneColour
from parkguard.response.models import Contact, Incident, PersonZone
from parkguard.response.owners import Owner
from parkguard.rules.models import PackAdoption
from parkguard.status.choices import HoldKind
from parkguard.status.services import status_hold_open
from tests.browser.sessions import login as _login
from tests.factories import adopt, build_world, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _phone(browser: Any) -> Any:
    return browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)


def _junction_with_gate(world: Any) -> Gate:
    """A1's workshop and canteen meet at a controlled door served by its own gate."""
    now = timezone.now()
    workshop, canteen = (
        services.area_create(
            scope=SYSTEM,
            owner=Owner(enterprise=world.a1),
            name=name,
            block=block,
            capacity=50,
            by=None,
            at=now,
        )
        for name, block in (("一号车间", "production"), ("员工食堂", "living"))
    )
    gate = gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        name="食堂门禁",
        place="office_entrance",
        at=now,
        by=None,
    )
    services.junction_create(
        scope=SYSTEM,
        owner=Owner(enterprise=world.a1),
        from_area=workshop,
        to_area=canteen,
        kind="door",
        controlled=True,
        gate=gate,
        by=None,
        at=now,
    )
    return gate


def _pass(gate: Gate, person_id: int, at: dt.datetime) -> None:
    AccessCheck.objects.create(
        at=at,
        recorded_at=at,
        gate=gate,
        park=gate.park,
        enterprise=gate.enterprise,
        direction="in",
        method="place_code",
        person_id=person_id,
        allowed=True,
        reasons=[],
    )


def test_the_drill_runs_end_to_end(live_server: Any, browser: Any, artifacts: Path) -> None:
    world = build_world()
    PackAdoption.objects.create(
        jurisdiction=world.park_a,
        pack_id="zhengyang-2022-20",
        adopted_at=dt.datetime(2022, 11, 1, tzinfo=dt.UTC),
    )
    adopt(world.park_a, "zhengyang-2022-20-response")
    services.area_create(
        scope=SYSTEM,
        owner=Owner(enterprise=world.a1),
        name="临时隔离点",
        block="living",
        capacity=4,
        is_isolation=True,
        by=None,
        at=timezone.now(),
    )
    employee = world.a1_employee_person
    employee.dormitory = "3号楼 201"
    employee.save(update_fields=["dormitory"])
    roommate = make_person(world.a1, "甲一室友", 120, dormitory="3号楼 201")

    # 1. The employee declares a fever on their phone.
    context = _phone(browser)
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_employee")
        page.goto(f"{live_server.url}/health/declare/")
        page.fill("#id_temperature", "38.4")
        page.locator("#declare-form").get_by_label("发热").check()
        page.check("#id_code_colour_0")
        page.click("#declare-form button[type=submit]")
        expect(page.locator("#declared")).to_contain_text("38.4")
    finally:
        context.close()
    alert = Alert.objects.get(person=employee, closed_at__isnull=True)

    context = _phone(browser)
    page = context.new_page()
    try:
        # 2. The officer opens the incident from the alert: orange at once.
        _login(page, live_server.url, "a1_officer")
        page.goto(f"{live_server.url}/health/enterprises/{world.a1.pk}/alerts/")
        page.get_by_role("button", name="转入橙区并登记疫情事件").click()
        page.wait_for_url("**/response/incidents/**")
        incident = Incident.objects.get(person=employee)
        assert incident.source == alert.status_source
        assert PersonZone.objects.get(pk=employee.pk).colour == ZoneColour.ORANGE

        # 3. The first two first times: the report's notifications, the isolation.
        page.get_by_role("button", name="报告园区领导小组和街道社区").click()
        expect(page.locator("main")).to_contain_text("发现后")
        sent = Message.objects.filter(link=f"/response/incidents/{incident.pk}/")
        assert sent.exists() and not sent.filter(body__contains=employee.name).exists()
        page.get_by_role("button", name="转入临时隔离管控区域并报请转运").click()
        expect(page.locator("main")).to_contain_text("已报请转运")

        # 4. The result comes back positive; the minute's task moves the person to red.
        now = timezone.now()
        status_hold_open(
            person_ids=[employee.pk],
            kind=HoldKind.POSITIVE,
            reason="核酸检测阳性",
            citation={},
            source="sampling.result:drill",
            at=now,
        )
        assert services.zones_follow_evidence(at=now) == 1
        assert PersonZone.objects.get(pk=employee.pk).colour == ZoneColour.RED
        page.reload()
        expect(page.locator("ol.timeline")).to_contain_text("转入红区")

        # 5. Tracing proposes the dormitory mate, and a colleague who passed the canteen door
        # (a junction served by a gate, Z-5.1b) 20 minutes after the employee an hour before
        # the fever; the officer confirms the dormitory mate.
        canteen_door = _junction_with_gate(world)
        colleague = make_person(world.a1, "甲一同门", 121)
        passed = incident.detected_at - dt.timedelta(hours=1)
        _pass(canteen_door, employee.pk, passed)
        _pass(canteen_door, colleague.pk, passed + dt.timedelta(minutes=20))
        page.get_by_role("button", name="按通行记录、宿舍和班组排查").click()
        expect(page.locator("div.contact").first).to_be_visible()
        # Names are masked (甲***); the candidates are told apart by their rows.
        met = Contact.objects.get(incident=incident, person=colleague)
        contact = Contact.objects.get(incident=incident, person=roommate)
        expect(page.locator(f"#contact-{met.pk}")).to_contain_text(
            "经 一号车间↔员工食堂 门禁接合部"
        )
        candidate = page.locator(f"#contact-{contact.pk}")
        expect(candidate).to_contain_text("同住宿舍")
        expect(candidate).to_contain_text(roommate.id_masked)
        assert roommate.name not in page.locator("main").inner_text()
        candidate.get_by_role("button", name="确认密接（转入橙区）").click()
        expect(page.locator(f"#contact-{contact.pk}")).to_contain_text("集中隔离至")
        contact.refresh_from_db()
        assert contact.state == ContactState.CONFIRMED and contact.isolation is not None
        assert PersonZone.objects.get(pk=roommate.pk).colour == ZoneColour.ORANGE

        # 6. Every step on the timeline, each with its minutes; the chain is drawn.
        steps = page.locator("ol.timeline li")
        texts = steps.all_inner_texts()
        for expected in (
            "发现并登记",
            "转入橙区",
            "第一时间报告",
            "第一时间隔离",
            "报请转运",
            "转入红区",
            "密接排查",
            "确认密接",
        ):
            assert any(expected in t for t in texts), expected
        assert all("发现后" in t and "分钟" in t for t in texts)
        expect(page.locator("body[data-charts-ready='1']")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(artifacts / "response-drill-phone.png"), full_page=True)
    finally:
        context.close()
