"""Supplies fixtures: park A follows notice B (its six places disinfected before and after
work, B-2.5) and sets its own minimum days of cover with the basis written down."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from parkguard.orgs.access import SYSTEM
from parkguard.rules.models import PackAdoption
from parkguard.supplies.choices import ItemKind
from parkguard.supplies.models import CoverMinimum, SupplyItem
from parkguard.supplies.services import supply_item_create
from tests.factories import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2022, 11, 16, 8, 30, tzinfo=SHANGHAI)
ON = AT.date()
BASIS = "甲园区防疫物资储备办法 第三条（H-4.1 库存充裕）"
MINIMUM_DAYS = 7


@pytest.fixture
def supplies_world(world: World) -> World:
    adopted = dt.datetime(2022, 11, 1, tzinfo=dt.UTC)
    PackAdoption.objects.create(
        jurisdiction=world.park_a, pack_id="baotou-industry-2020-02", adopted_at=adopted
    )
    CoverMinimum.objects.create(
        jurisdiction=world.park_a, days=MINIMUM_DAYS, basis=BASIS, set_at=AT
    )
    return world


@pytest.fixture
def masks(supplies_world: World) -> SupplyItem:
    return supply_item_create(
        scope=SYSTEM,
        enterprise=supplies_world.a1,
        kind=ItemKind.MASK,
        name="医用外科口罩",
        unit="个",
        planned_daily_use=10,
    )
