"""Fixtures of the gate tests: park A follows notice Z (v2, 48 hours at the gate), A1 has a
plant gate, and A1's person has a negative test from the day before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from parkguard.gate.models import Gate
from parkguard.gate.services import gate_create
from parkguard.orgs.access import SYSTEM
from parkguard.status.services import status_results_record
from tests.factories import World, adopt

Z = "zhengyang-2022-20"
# Z v2 is in force from 2022-11-16; the gate's day.
AT = dt.datetime(2022, 11, 20, 8, 0, tzinfo=dt.UTC)
NEGATIVE_AT = dt.datetime(2022, 11, 19, 7, 0, tzinfo=dt.UTC)
STEPS = ["mask", "disinfect_person", "register"]


@dataclass
class GateWorld:
    world: World
    gate: Gate
    a2_gate: Gate


@pytest.fixture
def gw(world: World) -> GateWorld:
    adopt(world.park_a, Z, entry_test_hours=48)
    gate = gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        name="甲一东门",
        place="plant_gate",
        at=AT,
        by=None,
    )
    a2_gate = gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a2,
        name="甲二南门",
        place="plant_gate",
        at=AT,
        by=None,
    )
    status_results_record(
        negatives={world.a1_person.pk: NEGATIVE_AT, world.a1_employee_person.pk: NEGATIVE_AT},
        at=AT,
    )
    return GateWorld(world=world, gate=gate, a2_gate=a2_gate)
