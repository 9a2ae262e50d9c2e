"""Daily report fixtures: park A follows the daily-report pack (L-4.3, due 17:00), the county
has a command user (a park cadre at the county), A1 has a day of records to pre-fill from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from parkguard.duties.models import DailyFigure
from parkguard.health.models import Alert, Declaration
from parkguard.logistics.models import TruckDeclaration
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.response.models import Incident
from parkguard.rules.models import PackAdoption
from parkguard.supplies.models import LowStockAlert, SupplyItem
from tests.factories import World, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
ON = dt.date(2022, 11, 15)
AT = dt.datetime(2022, 11, 15, 15, 0, tzinfo=SHANGHAI)  # before the 17:00 deadline
LATE_AT = dt.datetime(2022, 11, 15, 17, 30, tzinfo=SHANGHAI)
DUE = dt.datetime(2022, 11, 15, 17, 0, tzinfo=SHANGHAI)
REPORT_PACK = "liucheng-2022-36-report"


@pytest.fixture
def county_user(world: World) -> User:
    user = make_user("county_cmd")
    Membership.objects.create(user=user, role=Role.PARK_CADRE, jurisdiction=world.county)
    world.users["county_cmd"] = user
    return user


@pytest.fixture
def report_world(world: World, county_user: User) -> World:
    adopted = dt.datetime(2022, 11, 1, tzinfo=dt.UTC)
    for park in (world.park_a, world.park_b):
        PackAdoption.objects.create(jurisdiction=park, pack_id=REPORT_PACK, adopted_at=adopted)
    return world


@pytest.fixture
def a1_day(report_world: World) -> World:
    """A1's day: two declarations, one fever alert, an open incident, a truck inside, one
    supply item below cover, and the duties' figures of the day."""
    w = report_world
    for person in (w.a1_person, w.a1_employee_person):
        Declaration.objects.create(
            person=person,
            on=ON,
            temperature=Decimal("36.5"),
            code_colour="green",
            submitted_at=AT - dt.timedelta(hours=6),
        )
    Alert.objects.create(
        person=w.a1_person, kind="fever", reason="体温 38.0 ℃", citation={}, source="t",
        opened_at=AT - dt.timedelta(hours=5),
    )  # fmt: skip
    Incident.objects.create(
        enterprise=w.a1,
        person=w.a1_person,
        title="甲一员工发热",
        detected_at=AT - dt.timedelta(hours=5),
    )
    TruckDeclaration.objects.create(
        enterprise=w.a1, declared_by="carrier", plate="渝A12345",
        planned_arrival=AT - dt.timedelta(hours=2), route="重庆—黔江", travel_history="无",
        submitted_at=AT - dt.timedelta(days=1), state="inside",
    )  # fmt: skip
    item = SupplyItem.objects.create(enterprise=w.a1, kind="mask", name="口罩", unit="个")
    LowStockAlert.objects.create(
        item=item, cover_days=Decimal("2"), minimum_days=7, basis="园区办法", opened_at=AT
    )
    DailyFigure.objects.create(
        enterprise=w.a1, on=ON, headcount=2, declared=2, test_due=2, test_done=1, taken_at=AT
    )
    return w
