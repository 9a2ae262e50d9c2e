"""When policy changes: a risk-area change (or a new pack version) recomputes the open plans;
the preview shows who is affected and how before anything is written; confirming keeps the old
plans, replaces the duties, moves the gate and tells the people."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.duties.models import Duty
from parkguard.mobility import api as mobility_api
from parkguard.mobility import impact, services
from parkguard.mobility.models import PolicyChange, ReturnPlan, RiskArea
from parkguard.mobility.services import RiskAreaIn, StayDeclared
from parkguard.notify.models import Message
from parkguard.orgs.access import SYSTEM
from parkguard.status.models import PersonStatus
from tests.factories import World, adopt
from tests.mobility.conftest import WUHAN_JIANGAN, at

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"


def _returns(world: World) -> tuple[RiskArea, int, int]:
    area = services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    isolated = services.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=at("2022-11-15", "10:00"),
        stays=[StayDeclared(WUHAN_JIANGAN, dt.date(2022, 11, 8), dt.date(2022, 11, 15))],
        transport="train",
        by=None,
        at=at("2022-11-15", "11:00"),
    )
    free = services.return_declare(
        scope=SYSTEM,
        person=world.a1_employee_person,
        arrived_at=at("2022-11-15", "12:00"),
        stays=[StayDeclared(SHANGHAI, dt.date(2022, 11, 8), dt.date(2022, 11, 15))],
        transport="train",
        by=None,
        at=at("2022-11-15", "12:00"),
    )
    return area, isolated.pk, free.pk


def test_a_risk_area_change_is_previewed_then_confirmed(jinjiang: World) -> None:
    """Wuhan's entry is lifted and Shanghai's district becomes high: one returnee's isolation
    disappears, the other's appears; nothing changes until confirmed."""
    world = jinjiang
    area, isolated, free = _returns(world)
    area.effective_to = dt.date(2022, 11, 5)
    area.save()
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(SHANGHAI, "某街道", "high", dt.date(2022, 11, 12), None, "公告"),
        by=None,
        at=at("2022-11-16"),
    )
    change = impact.Change(kind="risk_areas", description="11月16日风险区域调整")
    before = list(ReturnPlan.objects.values_list("pk", "state"))
    found = impact.impact_preview(
        scope=SYSTEM, park=world.park_a, change=change, at=at("2022-11-16", "09:00")
    )
    assert list(ReturnPlan.objects.values_list("pk", "state")) == before  # a preview writes nothing
    summary = found.summary()
    assert summary["people"] == 2 and summary["entry_changed"] == 2
    rows = {r.declaration_id: r for r in found.rows}
    assert any("居家隔离第7天" in t for t in rows[isolated].disappear)
    assert any("居家隔离第7天" in t for t in rows[free].appear)
    assert dt.datetime.fromisoformat(rows[free].entry_after or "") == at("2022-11-22", "00:00")
    record = impact.impact_confirm(
        scope=SYSTEM, park=world.park_a, change=change, by=None, at=at("2022-11-16", "09:00")
    )
    assert record.summary["people"] == 2
    assert ReturnPlan.objects.filter(declaration_id=isolated, state="superseded").count() == 1
    assert not ReturnPlan.objects.filter(declaration_id=isolated, state="open").exists()
    assert ReturnPlan.objects.filter(declaration_id=free, state="open").count() == 1
    moved = PersonStatus.objects.get(person=world.a1_employee_person)
    assert moved.on_hold
    freed = PersonStatus.objects.get(person=world.a1_person)
    assert not freed.on_hold
    open_duties = Duty.objects.filter(
        source=f"mobility.return:{isolated}", state__in=["due", "overdue"]
    )
    assert not open_duties.exists()  # cancelled with the superseded plan
    assert Message.objects.filter(
        user=world.users["a1_employee"], title__startswith="防控要求调整"
    ).exists()
    assert PolicyChange.objects.get().description == "11月16日风险区域调整"


def test_a_new_version_with_the_same_arrival_rules_changes_nothing(world: World) -> None:
    world.county.code = "500118"
    world.county.save(update_fields=["code"])
    adopt(world.park_a, "honglu-2021-10")
    services.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=at("2021-02-10", "14:00"),
        stays=[StayDeclared(SHANGHAI, dt.date(2021, 2, 1), dt.date(2021, 2, 10))],
        transport="plane",
        by=None,
        at=at("2021-02-10", "15:00"),
    )
    change = impact.Change(kind="version", pack_id="honglu-2021-10", version=1, description="v1")
    found = impact.impact_preview(
        scope=SYSTEM, park=world.park_a, change=change, at=at("2021-02-11")
    )
    assert found.plans == 1 and found.rows == []
    with pytest.raises(ValidationError) as exc:
        impact.impact_preview(
            scope=SYSTEM,
            park=world.park_a,
            change=impact.Change(kind="version", pack_id="honglu-2021-10", version=9),
            at=at("2021-02-11"),
        )
    assert exc.value.message_dict == {"version": [impact.VERSION_UNKNOWN]}


def test_the_impact_api_is_for_park_admins(
    jinjiang: World, client_as: Callable[[str | None], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    _returns(jinjiang)
    monkeypatch.setattr(mobility_api, "timezone", SimpleNamespace(now=lambda: at("2022-11-16")))
    url = f"/api/v1/mobility/parks/{jinjiang.park_a.pk}/impact"
    body = json.dumps({"kind": "risk_areas"})
    assert client_as("a1_officer").post(url, body, content_type="application/json").status_code in {
        403,
        404,
    }
    response = client_as("park_a_admin").post(url, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["summary"]["people"] == 0
    page = client_as("park_a_admin").get(
        f"/mobility/parks/{jinjiang.park_a.pk}/impact/?kind=risk_areas"
    )
    assert "检查计划" in page.content.decode()
    # The parameters box, left empty, stays empty on the preview (it once read "null").
    box = page.content.decode().split('name="params"', 1)[1].split("</textarea>", 1)[0]
    assert box.split(">", 1)[1].strip() == "", box
