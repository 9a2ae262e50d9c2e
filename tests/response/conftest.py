from __future__ import annotations

import datetime as dt

import pytest

from parkguard.orgs.access import scope_for_user
from parkguard.response import services
from parkguard.response.models import Area
from parkguard.response.owners import Owner
from tests.factories import World, adopt

R_PACK = "zhengyang-2022-20-response"
AT = dt.datetime(2022, 11, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def response_world(world: World) -> World:
    """Park A follows the response pack; A1 has a workshop and its isolation area."""
    adopt(world.park_a, R_PACK)
    officer = world.users["a1_officer"]
    services.area_create(
        scope=scope_for_user(officer),
        owner=Owner(enterprise=world.a1),
        name="一号车间",
        block="production",
        capacity=80,
        by=officer,
        at=AT,
    )
    services.area_create(
        scope=scope_for_user(officer),
        owner=Owner(enterprise=world.a1),
        name="临时隔离点",
        block="living",
        capacity=4,
        is_isolation=True,
        by=officer,
        at=AT,
    )
    return world


def isolation(world: World) -> Area:
    return Area.objects.get(enterprise=world.a1, is_isolation=True)
