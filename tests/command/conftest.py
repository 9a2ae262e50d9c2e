"""Fixtures of lockdown command: park A follows the command pack; A1 has a workshop where
A1's person works; park A has a cadre (checkpoint staff) and the county an admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from parkguard.command import services
from parkguard.command.models import Checkpoint, LockdownOrder, Shift
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.people.models import Person
from parkguard.response.models import Area
from tests.factories import World, adopt, make_user
from tests.gate.conftest import gw  # noqa: F401  (the gate's fixture, for the gate test)

C_PACK = "liucheng-2022-36-command"
AT = dt.datetime(2022, 11, 20, 8, 0, tzinfo=dt.UTC)


@dataclass
class CommandWorld:
    world: World
    area: Area
    cadre: User
    county_admin: User

    @property
    def admin(self) -> User:
        return self.world.users["park_a_admin"]


def build(world: World) -> CommandWorld:
    adopt(world.park_a, C_PACK)
    area = Area.objects.create(
        enterprise=world.a1, name="一号车间", block="production", capacity=80, created_at=AT
    )
    Person.objects.filter(pk=world.a1_person.pk).update(workshop="一号车间")
    cadre = make_user("park_a_cadre")
    Membership.objects.create(user=cadre, role=Role.PARK_CADRE, jurisdiction=world.park_a)
    county_admin = make_user("county_admin", staff=True)
    Membership.objects.create(user=county_admin, role=Role.PARK_ADMIN, jurisdiction=world.county)
    return CommandWorld(world=world, area=area, cadre=cadre, county_admin=county_admin)


@pytest.fixture
def cw(world: World) -> CommandWorld:
    return build(world)


def order(cw: CommandWorld, *, at: dt.datetime = AT, **kw: object) -> LockdownOrder:
    """Park A closes A1's workshop and the whole of A2."""
    args: dict[str, object] = {
        "scope": scope_for_user(cw.admin),
        "jurisdiction": cw.world.park_a,
        "title": "甲园区一号车间封控",
        "reason": "一号车间发现阳性病例",
        "area_ids": [cw.area.pk],
        "enterprise_ids": [cw.world.a2.pk],
        "teams": {
            "policy": ("张政策", "12345"),
            "requests": ("李诉求", ""),
            "living": ("王保障", ""),
        },
        "by": cw.admin,
        "at": at,
    }
    args.update(kw)
    return services.lockdown_order(**args)  # type: ignore[arg-type]


def on_roster(cw: CommandWorld, checkpoint: Checkpoint, user: User, at: dt.datetime = AT) -> Shift:
    return services.shift_add(
        scope=scope_for_user(cw.admin),
        jurisdiction=cw.world.park_a,
        user=user,
        starts_at=at - dt.timedelta(hours=1),
        ends_at=at + dt.timedelta(hours=7),
        checkpoint=checkpoint,
        by=cw.admin,
        at=at,
    )
