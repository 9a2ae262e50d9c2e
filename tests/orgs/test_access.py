"""orgs.access: one chokepoint decides who sees which rows (Z-2.1, J-2.1, J-2.3)."""

from __future__ import annotations

import pytest
from django.http import Http404

from parkguard.orgs.access import ANONYMOUS, get_visible_or_404, scope_for_user, visible
from parkguard.orgs.models import Enterprise, OrgUnit
from parkguard.people.models import Person
from tests.factories import World


def names(queryset: object) -> set[str]:
    return {str(row) for row in queryset}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_it_shows_a_park_admin_the_enterprises_of_their_park_only(world: World) -> None:
    scope = scope_for_user(world.users["park_a_admin"])
    assert names(visible(scope, Enterprise)) == {world.a1.name, world.a2.name}
    assert names(visible(scope, Person)) == {
        world.a1_person.name,
        world.a1_employee_person.name,
        world.a2_person.name,
    }


@pytest.mark.django_db
def test_it_shows_an_officer_their_own_enterprise_only(world: World) -> None:
    scope = scope_for_user(world.users["a1_officer"])
    assert names(visible(scope, Enterprise)) == {world.a1.name}
    assert names(visible(scope, Person)) == {world.a1_person.name, world.a1_employee_person.name}
    with pytest.raises(Http404):
        get_visible_or_404(scope, Enterprise, pk=world.a2.pk)


@pytest.mark.django_db
def test_it_shows_an_employee_only_themself(world: World) -> None:
    scope = scope_for_user(world.users["a1_employee"])
    assert names(visible(scope, Person)) == {world.a1_employee_person.name}
    # They may see their enterprise and its units, but no colleague's file.
    assert names(visible(scope, Enterprise)) == {world.a1.name}
    with pytest.raises(Http404):
        get_visible_or_404(scope, Person, pk=world.a1_person.pk)


@pytest.mark.django_db
def test_it_shows_a_community_liaison_the_residents_of_their_community(world: World) -> None:
    """J-2.1: the community keeps rosters of the staff who live there, across enterprises."""
    scope = scope_for_user(world.users["liaison_a"])
    assert names(visible(scope, Person)) == {world.a1_person.name}


@pytest.mark.django_db
def test_it_shows_a_team_leader_the_people_of_their_unit(world: World) -> None:
    """B-1.2: duties reach down to teams; a team leader sees their own unit's people."""
    scope = scope_for_user(world.users["a1_leader"])
    assert names(visible(scope, Person)) == {world.a1_person.name}
    assert names(visible(scope, OrgUnit)) == {world.a1_unit.name}


@pytest.mark.django_db
def test_it_shows_anonymous_nothing(world: World) -> None:
    for model in (Enterprise, OrgUnit, Person):
        assert not visible(ANONYMOUS, model).exists()
