"""The ledger as officers really use it (issue 9): templates that know the enterprise.

Z-5.2a, B-1.2, J-2.1: the template offers the enterprise's org units (as paths), the
communities and grids it may use; an unknown one is answered with the valid names; park
admins keep communities and grids on a page (audited).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from django.test import Client
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import JurisdictionKind, OrgUnitKind
from parkguard.orgs.models import Jurisdiction
from parkguard.orgs.services import PLACE_NAME_TAKEN, PLACE_PARENT_INVALID, org_unit_save
from parkguard.people.choices import ImportStatus
from parkguard.people.importing import messages
from parkguard.people.models import Person
from tests.factories import World
from tests.people import sheets as build
from tests.people.sheets import row
from tests.people.uploads import ledger_upload

Clients = Callable[[str | None], Client]


def _team(world: World) -> None:
    shop = org_unit_save(
        scope=SYSTEM,
        enterprise=world.a1,
        parent=world.a1_unit,
        kind=OrgUnitKind.WORKSHOP,
        name="一车间",
    )
    org_unit_save(
        scope=SYSTEM, enterprise=world.a1, parent=shop, kind=OrgUnitKind.TEAM, name="甲班"
    )


def test_the_template_offers_unit_paths_communities_and_grids_as_drop_downs(
    world: World, client_as: Clients
) -> None:
    """Issue 9 §1 (B-1.2, J-2.1): the officer fills the template from lists, not by guessing."""
    _team(world)
    grid = Jurisdiction.objects.create(
        name="甲社区一网格", kind=JurisdictionKind.GRID, parent=world.community_a, path=""
    )
    grid.path = f"{world.community_a.path}{grid.pk}/"
    grid.save()
    response = client_as("a1_officer").get(f"/enterprises/{world.a1.pk}/people/template/")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    options = book.get_sheet_by_name("可选值").to_python()
    columns = list(zip(*options, strict=False))
    assert "甲一生产部/一车间/甲班" in columns[0]
    assert {"甲社区", "乙社区"} <= set(columns[1])
    assert "甲社区一网格" in columns[2]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<dataValidation ") >= 5  # category, status, yes/no, unit, community, grid
    assert "可选值" in sheet


def test_an_unknown_community_is_answered_with_the_valid_names_and_nothing_is_written(
    world: World, client_as: Clients
) -> None:
    """Issue 9 bad input: an unknown community → the list of valid ones, ledger untouched."""
    client = client_as("a1_officer")
    before = Person.objects.filter(enterprise=world.a1).count()
    data = build.xlsx([row(1, home_community="不存在社区"), row(2, org_unit="无此部门")])
    batch = ledger_upload(client, world, data)
    assert batch.status == ImportStatus.INVALID
    by_column = {e["column"]: e["message"] for e in batch.errors}
    hint = messages.choices_hint(["乙社区", "甲社区"])
    assert by_column["居住社区"] == messages.COMMUNITY_UNKNOWN.format(
        value="不存在社区", choices=hint
    )
    assert "甲社区" in by_column["居住社区"]
    assert "甲一生产部" in by_column["部门/车间/班组"]
    assert Person.objects.filter(enterprise=world.a1).count() == before


def test_a_long_list_of_valid_names_is_cut_short_and_points_to_the_template() -> None:
    names = [f"社区{n}" for n in range(messages.CHOICES_SHOWN + 5)]
    hint = messages.choices_hint(names)
    assert hint.startswith("社区0、")
    assert f"社区{messages.CHOICES_SHOWN}" not in hint.split("等")[0]
    assert str(len(names)) in hint and "可选值" in hint
    assert messages.choices_hint([]) == messages.CHOICES_NONE


def test_unit_paths_show_on_the_ledger_the_file_and_the_print(
    world: World, client_as: Clients
) -> None:
    _team(world)
    team = world.a1.units.get(name="甲班")
    Person.objects.filter(pk=world.a1_person.pk).update(org_unit=team)
    client = client_as("a1_officer")
    path = "甲一生产部/一车间/甲班"
    for url in (
        f"/enterprises/{world.a1.pk}/people/",
        f"/people/{world.a1_person.pk}/",
        f"/enterprises/{world.a1.pk}/people/print/",
    ):
        assert path in client.get(url).content.decode(), url
    export = client.get(f"/enterprises/{world.a1.pk}/people/export/")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0)
    assert any(path in [str(c) for c in r] for r in rows.to_python())


def test_a_park_admin_adds_and_renames_a_community_audited(
    world: World, client_as: Clients
) -> None:
    """Issue 9 §1: a park admin keeps communities and grids as data (audited)."""
    client = client_as("park_a_admin")
    street = world.community_a.parent
    assert street is not None
    url = f"/park/{world.park_a.pk}/places/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "community", "parent": street.pk, "name": "丙社区"})
    assert response.status_code == 302
    created = Jurisdiction.objects.get(name="丙社区")
    assert created.path == f"{street.path}{created.pk}/"
    assert AuditEvent.objects.filter(action="place_create").count() == 1
    grid = client.post(url, {"kind": "grid", "parent": created.pk, "name": "丙一网格"})
    assert grid.status_code == 302
    response = client.post(
        f"{url}?edit={created.pk}", {"kind": "community", "parent": street.pk, "name": "丁社区"}
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.name == "丁社区"
    assert AuditEvent.objects.filter(action="place_update").count() == 1


def test_a_bad_place_is_refused_with_its_message_and_nothing_changes(
    world: World, client_as: Clients
) -> None:
    client = client_as("park_a_admin")
    url = f"/park/{world.park_a.pk}/places/"
    street = world.community_a.parent
    assert street is not None
    taken = client.post(url, {"kind": "community", "parent": street.pk, "name": "甲社区"})
    assert PLACE_NAME_TAKEN in taken.content.decode()
    wrong = client.post(url, {"kind": "grid", "parent": street.pk, "name": "某网格"})
    assert PLACE_PARENT_INVALID in wrong.content.decode()
    assert not Jurisdiction.objects.filter(name="某网格").exists()
    assert Jurisdiction.objects.filter(name="甲社区").count() == 1


def test_an_officer_or_another_park_cannot_change_places(world: World, client_as: Clients) -> None:
    street = world.community_a.parent
    assert street is not None
    body = {"kind": "community", "parent": street.pk, "name": "戊社区"}
    assert client_as("a1_officer").post(f"/park/{world.park_a.pk}/places/", body).status_code == 404
    assert (
        client_as("park_b_admin").post(f"/park/{world.park_a.pk}/places/", body).status_code == 404
    )
    assert not Jurisdiction.objects.filter(name="戊社区").exists()
