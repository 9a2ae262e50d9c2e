"""The responsibility system: the park's leading group and task teams, each enterprise's task
team, officers, cadre and supervising office, and a cadre's board (Z-2.1, J-2.3, H-3)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from parkguard.orgs.access import scope_for_user
from parkguard.oversight import selectors, services
from parkguard.oversight.models import ResponsibilityGroup
from tests.factories import TODAY, World
from tests.oversight.conftest import AT


def test_it_keeps_the_parks_leading_group_with_members(world: World) -> None:
    """Z-2.1, H-3: only the park's admins set up its leading group."""
    admin = world.users["park_a_admin"]
    group = services.group_create(
        scope=scope_for_user(admin),
        park=world.park_a,
        enterprise=None,
        kind="leading_group",
        name="园区疫情防控领导小组",
        duties="统筹园区疫情防控",
        at=AT,
    )
    services.group_member_add(
        scope=scope_for_user(admin), group=group, name="张三", post="组长", duty="全面负责"
    )
    group.refresh_from_db()
    assert [m.post for m in group.members.all()] == ["组长"]
    with pytest.raises(PermissionDenied):
        services.group_create(
            scope=scope_for_user(world.users["a1_officer"]),
            park=world.park_a,
            enterprise=None,
            kind="task_team",
            name="越权专班",
            duties="",
            at=AT,
        )
    assert ResponsibilityGroup.objects.count() == 1


def test_it_lets_an_enterprise_set_up_its_task_team_only(world: World) -> None:
    """J-2.3: the enterprise's officers set up its epidemic task team, not a park group."""
    officer = world.users["a1_officer"]
    with pytest.raises(ValidationError) as exc:
        services.group_create(
            scope=scope_for_user(officer),
            park=world.park_a,
            enterprise=world.a1,
            kind="leading_group",
            name="x",
            duties="",
            at=AT,
        )
    assert exc.value.message_dict["kind"] == [services.GROUP_KIND_WRONG]
    team = services.group_create(
        scope=scope_for_user(officer),
        park=world.park_a,
        enterprise=world.a1,
        kind="enterprise_team",
        name="防疫专班",
        duties="",
        at=AT,
    )
    with pytest.raises(ValidationError) as exc:
        services.group_member_add(
            scope=scope_for_user(officer), group=team, name="", post="", duty=""
        )
    assert exc.value.message_dict["name"] == [services.MEMBER_NO_NAME]
    assert not team.members.exists()
    found = selectors.responsibility_of(scope=scope_for_user(officer), enterprise=world.a1)
    assert found.groups == [team] and found.officers


def test_it_shows_a_cadre_their_enterprises(world: World, inspector: User) -> None:
    """Z-2.1 包企干部: the board lists only the cadre's enterprises, with open items."""
    from parkguard.orgs.choices import Role
    from parkguard.orgs.models import Membership
    from tests.factories import make_user

    cadre = make_user("cadre_a")
    Membership.objects.create(user=cadre, role=Role.PARK_CADRE, jurisdiction=world.park_a)
    world.a1.park_cadre = cadre
    world.a1.save(update_fields=["park_cadre"])
    rows = selectors.cadre_board(scope=scope_for_user(cadre), on=TODAY)
    assert [r.enterprise for r in rows] == [world.a1] and rows[0].open == 0
    client = Client()
    client.force_login(cadre)
    page = client.get(reverse("oversight_my_enterprises"))
    assert page.status_code == 200 and world.a1.name in page.content.decode()
    assert world.a2.name not in page.content.decode()
