"""When policy changes, open visits are planned again like returns (issue 12 §6, J-1.2.1 to
J-1.2.4): the preview shows which visits change and which gate passes no longer fit, writing
nothing; confirming keeps the old plan, stores the new one, revokes a pass the new plan does
not allow, and tells the host and the officers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from parkguard.audit.models import AuditEvent
from parkguard.gate.models import TemporaryPass
from parkguard.mobility import api as mobility_api
from parkguard.mobility import impact, services, visitors
from parkguard.mobility import views as mobility_views
from parkguard.mobility.models import Visitor
from parkguard.mobility.services import RiskAreaIn, StayDeclared
from parkguard.notify.models import Message
from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.policy import PolicyInputError
from tests.factories import World
from tests.mobility.conftest import at

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"
ARRIVES = at("2022-11-18", "10:00")
CHANGED_AT = at("2022-11-17", "09:00")
CHANGE = impact.Change(kind="risk_areas", description="11月17日风险区域调整")


def _visit(world: World, *, with_pass: bool = True) -> Visitor:
    """J-1.2.4: a visitor from Shanghai with a negative sample: entry from arrival, and the
    officer has issued the pass."""
    visitor = visitors.visitor_register(
        scope=SYSTEM,
        host=world.a1_employee_person,
        purpose="商务洽谈",
        origin_code=SHANGHAI,
        arrives_at=ARRIVES,
        by=None,
        at=at("2022-11-15"),
    )
    visitor = visitors.visitor_fill(
        visitor=visitor,
        name="访客甲",
        phone="13900000001",
        stays=[StayDeclared(SHANGHAI, dt.date(2022, 11, 10), dt.date(2022, 11, 18))],
        certificates=[(at("2022-11-17", "08:00"), "negative")],
        at=at("2022-11-16"),
    )
    if with_pass:
        officer = world.users["a1_officer"]
        visitors.visitor_pass_issue(
            scope=scope_for_user(officer),
            visitor=visitor,
            departs_at=at("2022-11-18", "18:00"),
            at=at("2022-11-16", "10:00"),
            by=officer,
        )
    visitor.refresh_from_db()
    return visitor


def _shanghai_high(world: World) -> None:
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(SHANGHAI, "某街道", "high", dt.date(2022, 11, 12), None, "公告"),
        by=None,
        at=at("2022-11-17", "08:30"),
    )


def test_the_preview_lists_a_visit_whose_entry_moves_and_writes_nothing(jinjiang: World) -> None:
    world = jinjiang
    visitor = _visit(world)
    assert visitor.earliest_entry == ARRIVES
    issued = visitor.temporary_pass
    assert issued is not None
    _shanghai_high(world)
    found = impact.impact_preview(scope=SYSTEM, park=world.park_a, change=CHANGE, at=CHANGED_AT)
    [row] = found.visitors
    assert row.visitor.pk == visitor.pk
    assert row.entry_changed and row.pass_revoked
    assert row.entry_after is None or row.entry_after > ARRIVES
    assert row.appear  # the high-risk stay brings new obligations
    summary = found.summary()
    assert (summary["visitors"], summary["visitor_passes_revoked"]) == (1, 1)
    # A preview writes nothing: the stored plan and the pass are as they were.
    stored = Visitor.objects.get(pk=visitor.pk)
    assert (stored.plans, stored.earliest_entry) == (visitor.plans, ARRIVES)
    assert stored.superseded_plans == []
    assert TemporaryPass.objects.get(pk=issued.pk).revoked_at is None


def test_confirming_keeps_the_old_plan_revokes_the_pass_and_tells_the_host(
    jinjiang: World,
) -> None:
    world = jinjiang
    visitor = _visit(world)
    old_plans, issued = visitor.plans, visitor.temporary_pass
    assert issued is not None
    _shanghai_high(world)
    record = impact.impact_confirm(
        scope=SYSTEM, park=world.park_a, change=CHANGE, by=None, at=CHANGED_AT
    )
    assert record.summary["visitors"] == 1
    visitor.refresh_from_db()
    assert visitor.plans != old_plans
    assert visitor.earliest_entry is None or visitor.earliest_entry > ARRIVES
    [kept] = visitor.superseded_plans
    assert kept["plans"] == old_plans and kept["reason"] == "11月17日风险区域调整"
    assert dt.datetime.fromisoformat(kept["earliest_entry"]) == ARRIVES
    assert visitor.temporary_pass is None and visitors.visitor_pass(visitor) is None
    assert TemporaryPass.objects.get(pk=issued.pk).revoked_at == CHANGED_AT
    entry = AuditEvent.objects.get(action="mobility.visitor.recompute")
    assert entry.detail["revoked"] == [issued.pk]
    told = Message.objects.get(
        user=world.users["a1_employee"], title="防控要求调整：来访计划已更新"
    )
    assert visitors.PASS_REVOKED_BY_POLICY in told.body
    assert Message.objects.filter(
        user=world.users["a1_officer"], title="防控要求调整：来访计划已更新"
    ).exists()


def test_a_change_that_leaves_the_visit_as_it_was_touches_nothing(jinjiang: World) -> None:
    world = jinjiang
    visitor = _visit(world)
    found = impact.impact_preview(scope=SYSTEM, park=world.park_a, change=CHANGE, at=CHANGED_AT)
    assert found.visitors == []
    impact.impact_confirm(scope=SYSTEM, park=world.park_a, change=CHANGE, by=None, at=CHANGED_AT)
    stored = Visitor.objects.get(pk=visitor.pk)
    assert (stored.plans, stored.superseded_plans) == (visitor.plans, [])
    assert stored.temporary_pass_id == visitor.temporary_pass_id
    assert visitors.visitor_pass(stored) is not None
    assert not AuditEvent.objects.filter(action="mobility.visitor.recompute").exists()


def test_a_cancelled_visit_is_not_planned_again(jinjiang: World) -> None:
    world = jinjiang
    visitor = _visit(world, with_pass=False)
    visitors.visitor_cancel(scope=SYSTEM, visitor=visitor, at=at("2022-11-16", "12:00"), by=None)
    _shanghai_high(world)
    found = impact.impact_preview(scope=SYSTEM, park=world.park_a, change=CHANGE, at=CHANGED_AT)
    assert found.visitors == []
    impact.impact_confirm(scope=SYSTEM, park=world.park_a, change=CHANGE, by=None, at=CHANGED_AT)
    stored = Visitor.objects.get(pk=visitor.pk)
    assert (stored.plans, stored.superseded_plans) == (visitor.plans, [])


def test_the_preview_page_and_api_show_the_visit(
    jinjiang: World, client_as: Callable[[str | None], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = jinjiang
    _visit(world)
    _shanghai_high(world)
    clock = SimpleNamespace(now=lambda: CHANGED_AT, localtime=timezone.localtime)
    monkeypatch.setattr(mobility_api, "timezone", clock)
    monkeypatch.setattr(mobility_views, "timezone", clock)
    admin = client_as("park_a_admin")
    body = {"kind": "risk_areas", "description": "调整"}
    answer = admin.post(
        f"/api/v1/mobility/parks/{world.park_a.pk}/impact",
        json.dumps(body),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    [row] = answer.json()["visitors"]
    assert row["pass_revoked"] is True and row["origin"]
    page = admin.get(f"/mobility/parks/{world.park_a.pk}/impact/", body)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="impact-visitors"' in html and "作废，须重新签发" in html
    # The preview wrote nothing.
    assert Visitor.objects.get().superseded_plans == []


def test_parameters_a_visits_plan_cannot_take_are_a_field_error_and_change_nothing(
    jinjiang: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A park with visits and no returns: the engine refusing the changed parameters for a
    visit is a field error on `params`, not a server error, and nothing is written."""
    world = jinjiang
    visitor = _visit(world)
    _shanghai_high(world)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PolicyInputError("检测日超出阶段天数", path="x", detail="第 7 天 > 5")

    monkeypatch.setattr(visitors.rules, "plans_under", refuse)
    with pytest.raises(ValidationError) as raised:
        impact.impact_confirm(
            scope=SYSTEM, park=world.park_a, change=CHANGE, by=None, at=CHANGED_AT
        )
    assert list(raised.value.message_dict) == ["params"]
    stored = Visitor.objects.get(pk=visitor.pk)
    assert (stored.plans, stored.superseded_plans) == (visitor.plans, [])
    assert visitors.visitor_pass(stored) is not None
