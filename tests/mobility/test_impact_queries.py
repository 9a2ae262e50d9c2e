"""The impact preview loads the park's open plans and their facts set-based: the number of
queries is the same for two returns as for six (no query per plan), and the progress it
reports runs from the first return to the last."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parkguard.audit.services import audit_record
from parkguard.duties.models import Duty
from parkguard.mobility import impact, services
from parkguard.mobility.models import ReturnDeclaration
from parkguard.mobility.services import RiskAreaIn, StayDeclared
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.rules.models import PackAdoption
from parkguard.status.models import PersonStatus, StatusHold
from tests.factories import World, adopt, make_person
from tests.mobility.conftest import WUHAN_JIANGAN, at

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"
CHANGE = impact.Change(kind="risk_areas", description="上海浦东新区列为高风险")


def _park_with_returns(park: Jurisdiction, enterprise: Enterprise, count: int) -> None:
    """`count` returns on different days, half from Wuhan (high: a plan), half from Shanghai
    (no plan), then Shanghai's district becomes high too: the change previewed."""
    if not PackAdoption.objects.filter(jurisdiction=park).exists():
        adopt(park)
    services.risk_area_save(
        scope=SYSTEM,
        park=park,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    for i in range(count):
        person = make_person(enterprise, f"{enterprise.name[:2]}返岗{i}", 900 + i)
        day = dt.date(2022, 11, 14 + i % 3)
        services.return_declare(
            scope=SYSTEM,
            person=person,
            arrived_at=at(day.isoformat(), "10:00"),
            stays=[
                StayDeclared(
                    WUHAN_JIANGAN if i % 2 == 0 else SHANGHAI, day - dt.timedelta(days=7), day
                )
            ],
            transport="train",
            by=None,
            at=at(day.isoformat(), "11:00"),
        )
    services.risk_area_save(
        scope=SYSTEM,
        park=park,
        row=RiskAreaIn(SHANGHAI, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-16"),
    )


def _preview(park: Jurisdiction) -> tuple[int, impact.Impact, list[tuple[int, int]]]:
    reported: list[tuple[int, int]] = []
    with CaptureQueriesContext(connection) as queries:
        found = impact.impact_preview(
            scope=SYSTEM,
            park=park,
            change=CHANGE,
            at=at("2022-11-17"),
            progress=lambda done, total: reported.append((done, total)),
        )
    return len(queries), found, reported


def test_it_previews_with_the_same_queries_for_more_plans(jinjiang: World) -> None:
    world = jinjiang
    _park_with_returns(world.park_b, world.b1, 2)
    _park_with_returns(world.park_a, world.a1, 6)
    few, found_few, reported_few = _preview(world.park_b)
    many, found_many, reported_many = _preview(world.park_a)

    # Not vacuous: every Shanghai return gains a plan, the Wuhan ones' plans are compared.
    assert (found_few.summary()["people"], found_few.plans) == (1, 1)
    assert (found_many.summary()["people"], found_many.plans) == (3, 3)
    assert many == few
    assert reported_few == [(1, 2), (2, 2)]
    assert reported_many == [(n, 6) for n in range(1, 7)]


def _confirm(park: Jurisdiction) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        record = impact.impact_confirm(
            scope=SYSTEM, park=park, change=CHANGE, by=None, at=at("2022-11-17")
        )
    return len(queries), int(record.summary["people"])


def test_it_confirms_with_the_same_queries_for_three_times_the_plans(jinjiang: World) -> None:
    """The confirm writes plans, isolation records, duties, holds and messages in bulk: the
    same number of queries for 2 changed returns as for 6 (not one round of writes each)."""
    world = jinjiang
    _park_with_returns(world.park_b, world.b1, 4)
    _park_with_returns(world.park_a, world.a1, 12)
    # The audit chain's first record creates its head (one more query): not the plans' count.
    audit_record(actor=None, action="mobility.test", at=at("2022-11-17"), detail={})
    few, changed_few = _confirm(world.park_b)
    many, changed_many = _confirm(world.park_a)
    assert (changed_few, changed_many) == (2, 6)
    assert many == few
    # Not vacuous: each Shanghai return now has its isolation, its duties and its hold.
    shanghai = ReturnDeclaration.objects.filter(
        enterprise=world.a1, stays__0__division_code=SHANGHAI
    )
    assert shanghai.count() == 6
    for declaration in shanghai:
        assert declaration.plans.filter(state="open").count() == 1
        assert declaration.isolations.filter(released_at__isnull=True).count() == 1
        assert Duty.objects.filter(
            source=f"mobility.return:{declaration.pk}", state__in=["due", "overdue"]
        ).exists()
        assert PersonStatus.objects.get(person_id=declaration.person_id).on_hold


def _state(declaration: ReturnDeclaration) -> tuple[object, ...]:
    """What a return's plan leaves behind: duties, isolation records, hold, closing."""
    duties = sorted(
        Duty.objects.filter(source=f"mobility.return:{declaration.pk}")
        .exclude(state="cancelled")
        .values_list("kind", "label", "due_from", "due_by", "state", "satisfied_at")
    )
    isolations = sorted(
        declaration.isolations.filter(released_at__isnull=True).values_list(
            "kind", "label", "starts_at", "ends_at", "planned_end", "earliest_end", "blocks_entry"
        )
    )
    holds = sorted(
        StatusHold.objects.filter(
            source=f"mobility.return:{declaration.pk}", cleared_at__isnull=True
        ).values_list("kind", "reason")
    )
    declaration.refresh_from_db()
    plans = sorted(declaration.plans.filter(state="open").values_list("pack_id", "index"))
    return duties, isolations, holds, declaration.closed_at is None, plans


def test_a_confirmed_plan_leaves_what_declaring_under_the_new_policy_leaves(
    jinjiang: World,
) -> None:
    """The bulk confirm writes what the one-by-one path of a declaration writes: a return
    from Shanghai recomputed after the change has the same duties (the negative certificate
    meeting its test), isolation record, hold and plan as the same return declared after it."""
    world = jinjiang
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    day = dt.date(2022, 11, 15)

    def declare(name: str, serial: int) -> ReturnDeclaration:
        return services.return_declare(
            scope=SYSTEM,
            person=make_person(world.a1, name, serial),
            arrived_at=at("2022-11-15", "10:00"),
            stays=[StayDeclared(SHANGHAI, day - dt.timedelta(days=7), day)],
            certificates=[(at("2022-11-14", "08:00"), "negative")],
            transport="train",
            by=None,
            at=at("2022-11-15", "11:00"),
        )

    before = declare("先申报", 981)
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(SHANGHAI, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-15", "11:30"),
    )
    record = impact.impact_confirm(
        scope=SYSTEM, park=world.park_a, change=CHANGE, by=None, at=at("2022-11-15", "11:00")
    )
    assert record.summary["people"] == 1
    after = declare("后申报", 982)
    for mine, theirs in zip(_state(before), _state(after), strict=True):
        assert mine == theirs
    assert _state(after)[0] and _state(after)[1] and _state(after)[2]  # not vacuous
