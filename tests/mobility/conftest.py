"""Mobility fixtures: the world's county is Jinjiang (the packs' "本地"), with an enterprise
leader (企业负责同志) for A1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from tests.factories import World, adopt, make_user

JINJIANG = "350582"
WUHAN_JIANGAN = "420102"
CHONGQING_YONGCHUAN = "500118"
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hm: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=TZ)


@pytest.fixture
def jinjiang(world: World) -> World:
    world.county.code = JINJIANG
    world.county.save(update_fields=["code"])
    adopt(world.park_a)
    return world


@pytest.fixture
def leader(world: World) -> User:
    user = make_user("a1_boss")
    Membership.objects.create(user=user, role=Role.ENTERPRISE_ADMIN, enterprise=world.a1)
    world.users["a1_boss"] = user
    return user
