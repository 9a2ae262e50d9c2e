"""Sampling fixtures: park A follows notice Z; A1 has a lab, a round and more staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from parkguard.orgs.access import SYSTEM, Scope, scope_for_user
from parkguard.people.models import Person
from parkguard.rules.models import PackAdoption
from parkguard.sampling.choices import RoundGroup, RoundKind
from parkguard.sampling.models import Lab, SamplingRound
from parkguard.sampling.services import lab_create, round_plan
from tests.factories import World, make_person

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2022, 11, 16, 8, 30, tzinfo=SHANGHAI)
ON = AT.date()
LATER = AT + dt.timedelta(hours=6)
POOL = 10  # the round's pool-size limit (10-in-1), set by the round in these tests


@dataclass
class LabDay:
    world: World
    lab: Lab
    token: str
    round: SamplingRound
    staff: list[Person]  # A1's people in the round (a1_person, a1_employee_person, more)

    def officer(self) -> Scope:
        return scope_for_user(self.world.users["a1_officer"])


@pytest.fixture
def lab_day(world: World) -> LabDay:
    PackAdoption.objects.create(
        jurisdiction=world.park_a,
        pack_id="zhengyang-2022-20",
        adopted_at=dt.datetime(2022, 11, 1, tzinfo=dt.UTC),
    )
    for serial in range(111, 115):
        make_person(world.a1, f"甲一员工{serial}", serial)
    lab, token = lab_create(scope=SYSTEM, jurisdiction=world.park_a, name="甲园区检测中心", by=None)
    officer = world.users["a1_officer"]
    row = round_plan(
        scope=scope_for_user(officer),
        enterprise=world.a1,
        name="11月16日全员核酸",
        on=ON,
        kind=RoundKind.FULL,
        group=RoundGroup.ALL,
        pool_size=POOL,
        at=AT,
        by=officer,
    )
    staff = list(Person.objects.filter(enterprise=world.a1).order_by("pk"))
    return LabDay(world=world, lab=lab, token=token, round=row, staff=staff)
