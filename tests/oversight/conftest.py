"""Oversight fixtures: park A follows notice J (with its checklist), an inspector of park A."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from tests.factories import TODAY, World, adopt, make_user

AT = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0" + bytes(32)


@pytest.fixture
def inspector(world: World) -> User:
    adopt(world.park_a)
    user = make_user("inspector_a")
    Membership.objects.create(user=user, role=Role.INSPECTOR, jurisdiction=world.park_a)
    return user
