"""Return declarations become stored plans with citations, and the person's status follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from parkguard.duties.models import Duty
from parkguard.mobility import services
from parkguard.mobility.choices import EvidenceKind
from parkguard.mobility.models import ReturnDeclaration, RiskArea
from parkguard.mobility.services import RiskAreaIn, StayDeclared
from parkguard.orgs.access import SYSTEM
from parkguard.status.models import PersonStatus
from tests.factories import World
from tests.mobility.conftest import WUHAN_JIANGAN, at

pytestmark = pytest.mark.django_db


def _high_risk(world: World, code: str = WUHAN_JIANGAN) -> RiskArea:
    return services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(
            division_code=code,
            place="某街道",
            level="high",
            effective_from=dt.date(2022, 11, 1),
            effective_to=None,
            source="武汉市疫情防控指挥部公告",
        ),
        by=None,
        at=at("2022-11-10"),
    )


def test_it_plans_a_j_1_1_high_risk_returnee_and_holds_entry(jinjiang: World) -> None:
    """J-1.1: 7 days in a high-risk area → test within 48 h before leaving, 7 days home
    isolation with tests on days 1, 3, 5, 7 (arrival day is day 1), then the plant."""
    world = jinjiang
    _high_risk(world)
    person = world.a1_person
    declaration = services.return_declare(
        scope=SYSTEM,
        person=person,
        arrived_at=at("2022-11-15", "10:00"),
        stays=[StayDeclared(WUHAN_JIANGAN, dt.date(2022, 11, 8), dt.date(2022, 11, 15))],
        transport="train",
        certificates=[(at("2022-11-14", "08:00"), "negative")],
        by=None,
        at=at("2022-11-14", "20:00"),
    )
    plan = declaration.plans.get()
    # J v2 (in force from 2022-11-12) is the version on the day of return.
    assert (plan.pack_id, plan.version, plan.state) == ("jinjiang-xiyuan-2022-81", 2, "open")
    assert plan.earliest_entry == at("2022-11-22", "00:00")
    tests = [o for o in plan.plan["obligations"] if o["kind"] == "test"]
    assert [o["on_date"] for o in tests] == ["2022-11-15", "2022-11-17", "2022-11-19", "2022-11-21"]
    assert {o["citation"]["requirement"] for o in plan.plan["obligations"]} == {"J-1.1"}
    duties = Duty.objects.filter(source=f"mobility.return:{declaration.pk}")
    # The certificate meets the pre-departure test; the 24 h declaration is late already.
    assert sorted(duties.values_list("state", flat=True)) == [
        "done",
        "due",
        "due",
        "due",
        "due",
        "due",
        "overdue",
    ]
    status = PersonStatus.objects.get(person=person)
    assert status.on_hold and status.holds[0]["kind"] == "plan"
    for day in ("2022-11-15", "2022-11-17", "2022-11-19", "2022-11-21"):
        services.plan_evidence_record(
            scope=SYSTEM,
            declaration=declaration,
            kind=EvidenceKind.TEST,
            obligation="",
            done_at=at(day, "11:00"),
            result="negative",
            by=None,
            at=at(day, "18:00"),
        )
    for key in [o["key"] for o in plan.plan["obligations"] if o["kind"] == "notify"]:
        services.plan_evidence_record(
            scope=SYSTEM,
            declaration=declaration,
            kind=EvidenceKind.NOTICE,
            obligation=key,
            done_at=at("2022-11-14", "09:00"),
            by=None,
            at=at("2022-11-21", "18:00"),
        )
    status.refresh_from_db()
    assert status.on_hold  # the isolation ends at midnight after day 7
    services.return_status_refresh(declaration=declaration, at=at("2022-11-22", "08:00"))
    status.refresh_from_db()
    declaration.refresh_from_db()
    assert not status.on_hold
    assert declaration.closed_at == at("2022-11-22", "08:00")
    duties = Duty.objects.filter(source=f"mobility.return:{declaration.pk}")
    assert sorted(d.state for d in duties) == ["done"] * duties.count()
    assert duties.filter(kind="nucleic_acid").count() == 5  # pre-departure + days 1, 3, 5, 7


def test_it_refuses_a_return_before_the_trip_and_stays_out_of_order(jinjiang: World) -> None:
    world = jinjiang
    with pytest.raises(ValidationError) as exc:
        services.return_declare(
            scope=SYSTEM,
            person=world.a1_person,
            arrived_at=at("2022-11-15"),
            stays=[
                StayDeclared(WUHAN_JIANGAN, dt.date(2022, 11, 10), dt.date(2022, 11, 12)),
                StayDeclared("110105", dt.date(2022, 11, 9), dt.date(2022, 11, 11)),
            ],
            transport="train",
            by=None,
            at=at("2022-11-14"),
        )
    assert exc.value.message_dict["stays"] == [services.STAYS_ORDER]
    assert ReturnDeclaration.objects.count() == 0
