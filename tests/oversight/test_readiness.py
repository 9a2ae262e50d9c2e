"""The epidemic-free factory board (J-2.5): criteria from the packs, evidence from records."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.oversight import selectors, services
from tests.factories import TODAY, World
from tests.oversight.conftest import AT


def test_it_scores_each_enterprise_from_the_evidence_held(world: World, inspector: User) -> None:
    """J-2.5: A1 has an officer and a task team, A2 neither; each point shows its evidence."""
    team = services.group_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        kind="enterprise_team",
        name="防疫专班",
        duties="",
        at=AT,
    )
    services.group_member_add(scope=SYSTEM, group=team, name="王五", post="组长", duty="")
    rows = selectors.readiness_board(
        scope=scope_for_user(world.users["park_a_admin"]), park=world.park_a, on=TODAY
    )
    assert rows[0].enterprise == world.a1
    a1 = {p.text: p for p in rows[0].points}
    assert a1["设立企业防疫专班"].met and a1["设立企业防疫专班"].evidence == "防疫专班（1 人）"
    assert a1["设立企业防疫专班"].requirement == "J-2.3"
    assert not a1["接受专项工作组督导检查"].met
    a2 = next(r for r in rows if r.enterprise == world.a2)
    assert a2.met < rows[0].met


def test_it_shows_the_board_to_the_park_only(world: World, inspector: User) -> None:
    url = reverse("oversight_park_readiness", args=[world.park_a.pk])
    client = Client()
    client.force_login(inspector)
    page = client.get(url)
    assert page.status_code == 200 and "晋政西〔2022〕81号" in page.content.decode()
    client.force_login(world.users["a1_officer"])
    assert client.get(url).status_code == 404
