"""Health fixtures: park A follows notice Z, park B follows notices H and B (v2 in force)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from parkguard.rules.models import PackAdoption
from tests.factories import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The day after notice Z's v1 took effect: v2 (with the fever threshold) is in force.
AT = dt.datetime(2022, 11, 16, 8, 30, tzinfo=SHANGHAI)
ON = AT.date()


@pytest.fixture
def health_world(world: World) -> World:
    adopted = dt.datetime(2022, 11, 1, tzinfo=dt.UTC)
    PackAdoption.objects.create(
        jurisdiction=world.park_a, pack_id="zhengyang-2022-20", adopted_at=adopted
    )
    for pack_id in ("honglu-2021-10", "baotou-industry-2020-02"):
        PackAdoption.objects.create(jurisdiction=world.park_b, pack_id=pack_id, adopted_at=adopted)
    return world
