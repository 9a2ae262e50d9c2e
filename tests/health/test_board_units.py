"""The declaration board names each unit with its parents (Z-5.2c: a named person summarises
staff health per unit): two teams called 一班 in different workshops are two rows the officer
can tell apart, on the board, in its list of who has not declared, and in the unit filter of
the test duties page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.health import selectors
from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.orgs.choices import OrgUnitKind
from parkguard.orgs.services import org_unit_save
from tests.factories import World, make_person
from tests.health.conftest import ON

pytestmark = pytest.mark.django_db


def _two_teams_called_one(world: World) -> None:
    for serial, workshop in ((501, "一车间"), (502, "二车间")):
        shop = org_unit_save(
            scope=SYSTEM, enterprise=world.a1, parent=world.a1_unit,
            kind=OrgUnitKind.WORKSHOP, name=workshop,
        )  # fmt: skip
        team = org_unit_save(
            scope=SYSTEM, enterprise=world.a1, parent=shop, kind=OrgUnitKind.TEAM, name="一班"
        )
        make_person(world.a1, f"{workshop}员工", serial, org_unit=team)


def test_it_tells_two_teams_of_the_same_name_apart(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    _two_teams_called_one(health_world)
    officer = scope_for_user(health_world.users["a1_officer"])
    board = selectors.declaration_board(scope=officer, enterprise=health_world.a1, on=ON)
    names = [u.name for u in board.units]
    assert "甲一生产部/一车间/一班" in names and "甲一生产部/二车间/一班" in names
    assert "一班" not in names
    missing = dict((p.name, unit) for p, unit in board.missing_with_units())
    assert missing["一车间员工"] == "甲一生产部/一车间/一班"
    page = client_as("a1_officer").get(f"/health/enterprises/{health_world.a1.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "一车间员工 · 甲一生产部/一车间/一班" in body
    assert "二车间员工 · 甲一生产部/二车间/一班" in body
    duties = client_as("a1_officer").get(f"/duties/enterprises/{health_world.a1.pk}/")
    assert duties.status_code == 200 and "甲一生产部/二车间/一班" in duties.content.decode()
