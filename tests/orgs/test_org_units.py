"""Org units: department → workshop → team, each with a responsible person (Z-2.1, B-1.2)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.orgs import services
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import OrgUnitKind
from parkguard.orgs.models import OrgUnit
from tests.factories import World


def unit(world: World, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
    return services.org_unit_save(
        scope=SYSTEM, enterprise=world.a1, parent=parent, kind=kind, name=name
    )


@pytest.mark.django_db
def test_it_refuses_a_cycle_and_changes_nothing(world: World) -> None:
    dept = world.a1_unit
    workshop = unit(world, "一车间", OrgUnitKind.WORKSHOP, dept)
    with pytest.raises(ValidationError) as caught:
        services.org_unit_save(
            scope=SYSTEM,
            enterprise=world.a1,
            unit=dept,
            parent=workshop,
            kind=OrgUnitKind.DEPARTMENT,
            name=dept.name,
        )
    assert caught.value.message_dict == {"parent": [services.UNIT_CYCLE]}
    dept.refresh_from_db()
    assert dept.parent is None


@pytest.mark.django_db
def test_it_refuses_a_unit_as_its_own_parent(world: World) -> None:
    dept = world.a1_unit
    with pytest.raises(ValidationError) as caught:
        services.org_unit_save(
            scope=SYSTEM,
            enterprise=world.a1,
            unit=dept,
            parent=dept,
            kind=OrgUnitKind.DEPARTMENT,
            name=dept.name,
        )
    assert caught.value.message_dict["parent"] == [services.UNIT_CYCLE]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parent_kind", "kind"),
    [
        (OrgUnitKind.TEAM, OrgUnitKind.WORKSHOP),
        (OrgUnitKind.WORKSHOP, OrgUnitKind.DEPARTMENT),
        (OrgUnitKind.WORKSHOP, OrgUnitKind.WORKSHOP),
    ],
)
def test_it_refuses_a_unit_under_a_finer_or_equal_level(
    world: World, parent_kind: str, kind: str
) -> None:
    workshop = unit(world, "一车间", OrgUnitKind.WORKSHOP, world.a1_unit)
    parent = (
        workshop
        if parent_kind == OrgUnitKind.WORKSHOP
        else unit(world, "甲班", OrgUnitKind.TEAM, workshop)
    )
    before = OrgUnit.objects.count()
    with pytest.raises(ValidationError) as caught:
        unit(world, "新单元", kind, parent)
    assert caught.value.message_dict == {"kind": [services.UNIT_RANK_INVALID]}
    assert OrgUnit.objects.count() == before


@pytest.mark.django_db
def test_it_refuses_a_duplicate_sibling_name(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        unit(world, world.a1_unit.name, OrgUnitKind.DEPARTMENT, None)
    assert caught.value.message_dict == {"name": [services.UNIT_NAME_TAKEN]}


@pytest.mark.django_db
def test_it_refuses_a_parent_from_another_enterprise(world: World) -> None:
    other = services.org_unit_save(
        scope=SYSTEM, enterprise=world.a2, parent=None, kind=OrgUnitKind.DEPARTMENT, name="甲二部"
    )
    with pytest.raises(ValidationError) as caught:
        unit(world, "一车间", OrgUnitKind.WORKSHOP, other)
    assert caught.value.message_dict == {"parent": [services.UNIT_PARENT_OTHER_ENTERPRISE]}


@pytest.mark.django_db
def test_it_refuses_to_delete_a_unit_with_people(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.org_unit_delete(scope=SYSTEM, unit=world.a1_unit)
    assert caught.value.messages == [services.UNIT_HAS_PEOPLE]
    assert OrgUnit.objects.filter(pk=world.a1_unit.pk).exists()


@pytest.mark.django_db
def test_it_adds_a_unit_from_the_page_with_htmx(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("a1_officer").post(
        f"/enterprises/{world.a1.pk}/units/",
        {
            "name": "二车间",
            "kind": "workshop",
            "parent": world.a1_unit.pk,
            "responsible_name": "周八",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "二车间" in response.content.decode()
    assert "<html" not in response.content.decode()  # a partial for htmx
    assert OrgUnit.objects.get(name="二车间").parent == world.a1_unit


@pytest.mark.django_db
def test_it_shows_a_cycle_error_at_the_field_on_the_edit_page(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    workshop = unit(world, "一车间", OrgUnitKind.WORKSHOP, world.a1_unit)
    response = client_as("a1_officer").post(
        f"/units/{world.a1_unit.pk}/edit/",
        {"name": world.a1_unit.name, "kind": "department", "parent": workshop.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [services.UNIT_CYCLE]
    world.a1_unit.refresh_from_db()
    assert world.a1_unit.parent is None


@pytest.mark.django_db
def test_it_refuses_unit_edits_to_an_employee(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("a1_employee").post(
        f"/enterprises/{world.a1.pk}/units/", {"name": "x", "kind": "department"}
    )
    assert response.status_code == 403
    assert not OrgUnit.objects.filter(name="x").exists()


@pytest.mark.django_db
def test_it_creates_a_unit_through_the_api_with_chinese_field_errors(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    url = f"/api/v1/enterprises/{world.a1.pk}/units"
    created = client.post(
        url,
        json.dumps({"name": "三车间", "kind": "workshop", "parent_id": world.a1_unit.pk}),
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["parent_id"] == world.a1_unit.pk
    bad = client.post(url, json.dumps({"kind": "floor"}), content_type="application/json")
    assert bad.status_code == 422
    messages = {tuple(e["loc"][-1:]): e["msg"] for e in bad.json()["detail"]}
    assert messages[("name",)] == "必填项"
    assert messages[("kind",)].startswith("取值不在允许范围内")
    dup = client.post(
        url,
        json.dumps({"name": "三车间", "kind": "workshop", "parent_id": world.a1_unit.pk}),
        content_type="application/json",
    )
    assert dup.status_code == 422
    assert dup.json()["detail"][0]["msg"] == services.UNIT_NAME_TAKEN
    assert OrgUnit.objects.filter(name="三车间").count() == 1
