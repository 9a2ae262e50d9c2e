"""orgs.access.visible_pks: the keys a caller may see are those `visible()` gives, read from
the scope without a query where the filter names the rows' own keys (Z-2.1, J-2.1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parkguard.orgs.access import (
    ACTIONS,
    ANONYMOUS,
    SYSTEM,
    Scope,
    scope_for_user,
    visible,
    visible_pks,
)
from parkguard.orgs.models import Enterprise, Jurisdiction
from tests.factories import World

pytestmark = pytest.mark.django_db


def _scopes(world: World) -> dict[str, Scope]:
    found = {name: scope_for_user(user) for name, user in world.users.items()}
    found["anonymous"] = ANONYMOUS
    found["park_token"] = Scope(token_id=1, jurisdiction_ids=frozenset({world.park_a.pk}))
    found["enterprise_token"] = Scope(
        token_id=2,
        staff_enterprise_ids=frozenset({world.a1.pk}),
        member_enterprise_ids=frozenset({world.a1.pk}),
    )
    return found


@pytest.mark.parametrize("model", [Jurisdiction, Enterprise])
def test_it_gives_the_keys_visible_gives_for_every_caller_and_action(
    world: World, model: type[Jurisdiction] | type[Enterprise]
) -> None:
    for name, scope in _scopes(world).items():
        for action in ("view", *ACTIONS):
            want = set(visible(scope, model, action).values_list("pk", flat=True))
            assert visible_pks(scope, model, action) == want, (name, action)


def test_it_gives_every_row_to_a_superuser_as_none() -> None:
    assert visible_pks(SYSTEM, Jurisdiction, "view_reports") is None


def test_outsiders_get_no_key(world: World) -> None:
    scopes = _scopes(world)
    for name in ("a1_officer", "a2_officer", "a1_employee", "anonymous", "enterprise_token"):
        assert visible_pks(scopes[name], Jurisdiction, "view_reports") == frozenset(), name
    park_b = visible_pks(scopes["park_b_admin"], Jurisdiction, "view_reports")
    assert park_b is not None and world.park_a.pk not in park_b and world.county.pk not in park_b


def test_it_reads_a_jurisdictions_keys_without_a_query(world: World) -> None:
    scope = scope_for_user(world.users["park_a_admin"])
    with CaptureQueriesContext(connection) as captured:
        assert visible_pks(scope, Jurisdiction, "view_reports") == {world.park_a.pk}
    assert not captured.captured_queries
