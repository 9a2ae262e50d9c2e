"""Continuity fixtures: park A follows notice Z (gate checks) and its continuity and L's
utilities supplements; A1 has a plant gate; A1's person lives in 一号宿舍 and works in 一车间
(inside the loop when it starts), A1's employee has no dormitory on file (outside)."""

from __future__ import annotations

import datetime as dt

import pytest

from parkguard.gate.models import Gate
from parkguard.gate.services import gate_create
from parkguard.orgs.access import SYSTEM
from parkguard.people.models import Person
from parkguard.status.services import status_results_record
from tests.factories import World, adopt

AT = dt.datetime(2022, 11, 20, 8, 0, tzinfo=dt.UTC)
NEGATIVE_AT = dt.datetime(2022, 11, 19, 7, 0, tzinfo=dt.UTC)
STEPS = ["mask", "disinfect_person", "register"]


@pytest.fixture
def cw(world: World) -> World:
    adopt(world.park_a, "zhengyang-2022-20", entry_test_hours=48)
    adopt(world.park_a, "zhengyang-2022-20-continuity")
    adopt(world.park_a, "liucheng-2022-36-utilities")
    Person.objects.filter(pk=world.a1_person.pk).update(dormitory="一号宿舍", workshop="一车间")
    world.a1_person.refresh_from_db()
    status_results_record(
        negatives={world.a1_person.pk: NEGATIVE_AT, world.a1_employee_person.pk: NEGATIVE_AT},
        at=AT,
    )
    return world


@pytest.fixture
def gate(cw: World) -> Gate:
    return gate_create(
        scope=SYSTEM,
        park=cw.park_a,
        enterprise=cw.a1,
        name="甲一东门",
        place="plant_gate",
        at=AT,
        by=None,
    )
