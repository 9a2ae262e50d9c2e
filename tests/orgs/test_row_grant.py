"""orgs.access.can_row / grant_row_or_404: the gate's hot reads decide on the row they read
themselves, and must decide exactly as `visible(scope, Model, action)` does (issue 13, Speed;
the scoping chokepoint of Z-2.1 / J-2.1 stays the one place that decides)."""

from __future__ import annotations

import pytest
from django.http import Http404

from parkguard.audit.models import AuditEvent
from parkguard.gate import selectors
from parkguard.gate.models import Gate
from parkguard.gate.services import gate_create
from parkguard.orgs.access import (
    ACTIONS,
    ANONYMOUS,
    SYSTEM,
    Scope,
    can,
    can_row,
    grant_row_or_404,
    scope_for_user,
    visible,
)
from parkguard.people.models import Person
from parkguard.response.models import Area
from tests.factories import World
from tests.gate.conftest import AT

pytestmark = pytest.mark.django_db


def _scopes(world: World) -> dict[str, Scope]:
    found = {name: scope_for_user(user) for name, user in world.users.items()}
    found["anonymous"] = ANONYMOUS
    found["system"] = SYSTEM
    found["park_token"] = Scope(token_id=1, jurisdiction_ids=frozenset({world.park_a.pk}))
    found["enterprise_token"] = Scope(
        token_id=2,
        staff_enterprise_ids=frozenset({world.a1.pk}),
        member_enterprise_ids=frozenset({world.a1.pk}),
    )
    return found


def _gates(world: World) -> list[Gate]:
    """A gate of each enterprise and one of park A itself (no enterprise)."""
    places = [(world.a1, world.park_a), (world.a2, world.park_a), (world.b1, world.park_b)]
    gates = [
        gate_create(
            scope=SYSTEM,
            park=park,
            enterprise=enterprise,
            name=f"门{i}",
            place="plant_gate",
            at=AT,
            by=None,
        )
        for i, (enterprise, park) in enumerate([*places, (None, world.park_a)])
    ]
    return gates


def test_it_decides_every_action_on_a_gate_as_visible_does(world: World) -> None:
    gates = _gates(world)
    for name, scope in _scopes(world).items():
        for action in ACTIONS:
            want = set(visible(scope, Gate, action).values_list("pk", flat=True))
            got = {
                g.pk
                for g in Gate.objects.filter(pk__in=[g.pk for g in gates])
                if can_row(scope, action, g)
            }
            assert got == want & {g.pk for g in gates}, (name, action)


def test_it_decides_every_action_on_a_person_as_visible_does(world: World) -> None:
    people = list(Person.objects.select_related("enterprise"))
    assert len(people) >= 4
    for name, scope in _scopes(world).items():
        for action in ACTIONS:
            want = set(visible(scope, Person, action).values_list("pk", flat=True))
            got = {
                p.pk
                for p in people
                if can_row(
                    scope,
                    action,
                    p,
                    related={"enterprise__jurisdiction": p.enterprise.jurisdiction_id},
                )
            }
            assert got == want, (name, action)


def test_a_path_through_a_relation_must_be_given(world: World) -> None:
    """A hot read that forgot to join a scope path is an error, never a narrower decision."""
    scope = scope_for_user(world.users["park_a_admin"])
    with pytest.raises(KeyError):
        can_row(scope, "record_temperature", world.a1_person)


@pytest.mark.parametrize("model", [Area, AuditEvent])
def test_a_model_whose_scope_it_does_not_mirror_is_refused(world: World, model: type) -> None:
    """Areas (an enterprise's or a park's, hosting grants) and audit entries (plain-id
    references) are scoped in ways the row grant does not mirror: asked, it refuses loudly
    instead of deciding on less than `visible()` does."""
    scope = scope_for_user(world.users["park_a_admin"])
    with pytest.raises(TypeError):
        can_row(scope, "view_park_zones", model())


def test_a_granted_row_asks_require_nothing_more_and_an_outsider_gets_a_404(
    world: World, django_assert_num_queries: object
) -> None:
    gate, a2_gate, _b1_gate, _park_gate = _gates(world)
    guard = scope_for_user(world.users["a1_guard"])
    row = selectors.gate_for_check(scope=guard, gate_id=gate.pk)
    assert row.pk == gate.pk and row.name == gate.name and row.route_areas == []
    assert can(guard, "gate_check", row)  # no query: marked granted
    for outsider in ("a2_officer", "park_b_admin", "a1_employee", "a1_leader"):
        with pytest.raises(Http404):
            selectors.gate_for_check(scope=scope_for_user(world.users[outsider]), gate_id=gate.pk)
    with pytest.raises(Http404):
        selectors.gate_for_check(scope=ANONYMOUS, gate_id=gate.pk)
    with pytest.raises(Http404):
        selectors.gate_for_check(scope=guard, gate_id=a2_gate.pk)
    Gate.objects.filter(pk=gate.pk).update(active=False)
    with pytest.raises(Http404):  # an inactive gate checks no one
        selectors.gate_for_check(scope=guard, gate_id=gate.pk)
    with pytest.raises(Http404):
        grant_row_or_404(guard, "gate_check", None)


def test_the_person_read_says_who_may_record_their_temperature(world: World) -> None:
    guard = scope_for_user(world.users["a1_guard"])
    found = selectors.person_for_check(scope=guard, person_id=world.a1_person.pk)
    assert found is not None
    assert found.person.name == world.a1_person.name
    assert found.park_id == world.park_a.pk and found.may_record_temperature
    other = selectors.person_for_check(scope=guard, person_id=world.b1_person.pk)
    assert other is not None and other.park_id == world.park_b.pk
    assert not other.may_record_temperature
    assert selectors.person_for_check(scope=guard, person_id=10**9) is None
