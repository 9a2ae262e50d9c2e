"""The ledger asks the packs a park follows which posts have wide contact and which staff
must name their agency (J-1.5c), and which enterprises are large (J-1.2.5, J-2.1).

None of it lives in Python: without a pack that declares it, nothing is flagged or required.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.overview.selectors import enterprise_rows
from parkguard.people import services
from parkguard.people.importing import messages
from parkguard.people.models import Person, PersonImport
from parkguard.people.selectors import community_roster
from tests.factories import TODAY, World, adopt, make_person
from tests.people import sheets as build
from tests.people.sheets import row

pytestmark = pytest.mark.django_db
Clients = Callable[[str | None], Client]


def _check(client: Client, world: World, rows: list[list[object]]) -> PersonImport:
    response = client.post(
        f"/enterprises/{world.a1.pk}/people/import/",
        {"file": SimpleUploadedFile("台账.xlsx", build.xlsx(rows))},
    )
    assert response.status_code == 302
    return PersonImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def _confirm(client: Client, batch: PersonImport) -> None:
    assert client.post(f"/imports/{batch.pk}/confirm/").status_code == 302


def test_j_1_5c_wide_contact_posts_come_from_the_pack(world: World, client_as: Clients) -> None:
    """J-1.5c: an import row with a canteen post is flagged only where a pack declares it."""
    client = client_as("a1_officer")
    _confirm(client, _check(client, world, [row(1, post="食堂帮厨"), row(2, post="保安")]))
    assert not Person.objects.filter(enterprise=world.a1, wide_contact=True).exists()
    adopt(world.park_a)
    _confirm(client, _check(client, world, [row(3, post="食堂帮厨"), row(4, post="操作工")]))
    flagged = set(
        Person.objects.filter(enterprise=world.a1, wide_contact=True).values_list("name", flat=True)
    )
    assert flagged == {"员工3"}


def test_j_1_5c_agency_is_required_where_the_pack_asks(world: World, client_as: Clients) -> None:
    """J-1.5c: outsourced staff must name their agency under J, in the importer and service."""
    client = client_as("a1_officer")
    free = _check(client, world, [row(1, category="第三方外包人员")])
    assert free.errors == []
    adopt(world.park_a)
    batch = _check(client, world, [row(2, category="第三方外包人员")])
    assert batch.errors == [
        {"row": 2, "column": "劳务/外包单位", "message": messages.AGENCY_REQUIRED}
    ]
    with pytest.raises(ValidationError) as caught:
        make_person(world.a1, "甲一外包", 150, category="outsourced")
    assert caught.value.message_dict == {"labour_agency": [services.AGENCY_REQUIRED]}
    assert not Person.objects.filter(name="甲一外包").exists()
    # Park B follows no pack that declares it: its outsourced staff need no agency.
    person = make_person(world.b1, "乙一外包", 151, category="outsourced")
    person.refresh_from_db()
    assert (person.category, person.labour_agency) == ("outsourced", "")


def test_j_1_5c_an_update_keeps_the_agency_rule(world: World) -> None:
    """J-1.5c: switching a person to an agency category without an agency changes nothing."""
    adopt(world.park_a)
    person = world.a1_person
    with pytest.raises(ValidationError):
        services.person_update(scope=SYSTEM, person=person, today=TODAY, category="labour_dispatch")
    person.refresh_from_db()
    assert person.category == "regular"
    services.person_update(
        scope=SYSTEM,
        person=person,
        today=TODAY,
        category="labour_dispatch",
        labour_agency="渝才劳务",
    )
    person.refresh_from_db()
    assert (person.category, person.labour_agency) == ("labour_dispatch", "渝才劳务")


def test_j_2_1_large_is_decided_by_the_declared_size(world: World) -> None:
    """J-1.2.5 / J-2.1: 200 active staff is large under J; nothing is large without it."""
    a1 = world.a1
    a1.headcount = 200  # type: ignore[attr-defined]
    (row_a,) = enterprise_rows([a1], on=TODAY)
    assert (row_a.is_large, row_a.large_label) == (False, "")
    adopt(world.park_a)
    (row_a,) = enterprise_rows([a1], on=TODAY)
    assert (row_a.is_large, row_a.large_label) == (True, "200人以上企业")
    a1.headcount = 199  # type: ignore[attr-defined]
    (row_a,) = enterprise_rows([a1], on=TODAY)
    assert not row_a.is_large


def test_j_2_1_roster_marks_large_enterprises_with_a_boolean(world: World) -> None:
    """J-2.1: the roster group carries whether the enterprise is large, as a boolean."""
    adopt(world.park_a)
    liaison_scope = scope_for_user(world.users["liaison_a"])
    roster = community_roster(scope=liaison_scope, community=world.community_a, on=TODAY)
    (group,) = roster.groups
    assert group.enterprise == world.a1
    assert group.large is False  # a1 has two people, far below J's 200
    assert group.large_label == "200人以上企业"
