"""The impact preview loads the park's open plans and their facts set-based: the number of
queries is the same for two returns as for six (no query per plan), and the progress it
reports runs from the first return to the last."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parkguard.mobility import impact, services
from parkguard.mobility.services import RiskAreaIn, StayDeclared
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.rules.models import PackAdoption
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
        person = make_person(enterprise, f"{enterprise.name[:2]}返岗{i}", 900 + park.pk * 10 + i)
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
