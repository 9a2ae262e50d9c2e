"""Enterprises: validated credit codes, no duplicates, field-level Chinese errors (Z-2.1, Z-3.1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.orgs import services
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.models import Enterprise
from parkguard.orgs.services import jurisdiction_create
from tests.factories import World, valid_credit_code


def form_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "甲三机电有限公司",
        "credit_code": valid_credit_code(9),
        "jurisdiction": world.park_a.pk,
        "legal_representative": "钱七",
        "industry": "机电",
        "supervision_office": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"credit_code": "91500114MA0000001X"}, "credit_code", services.CREDIT_CODE_INVALID),
        ({"credit_code": "1234"}, "credit_code", services.CREDIT_CODE_INVALID),
        ({"name": "甲一精工有限公司"}, "name", services.ENTERPRISE_NAME_TAKEN),
        ({"credit_code": valid_credit_code(1)}, "credit_code", services.CREDIT_CODE_TAKEN),
    ],
)
def test_it_refuses_a_bad_or_duplicate_enterprise_at_the_field(
    world: World,
    client_as: Callable[[str | None], Client],
    overrides: dict[str, object],
    field: str,
    message: str,
) -> None:
    before = Enterprise.objects.count()
    response = client_as("park_a_admin").post("/enterprises/new/", form_data(world, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert Enterprise.objects.count() == before


@pytest.mark.django_db
def test_it_creates_an_enterprise_for_a_park_admin(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_a_admin").post("/enterprises/new/", form_data(world))
    created = Enterprise.objects.get(name="甲三机电有限公司")
    assert response.status_code == 302
    assert response["Location"] == f"/enterprises/{created.pk}/"
    assert created.jurisdiction == world.park_a


@pytest.mark.django_db
def test_it_refuses_a_park_admin_a_jurisdiction_outside_their_park(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_a_admin").post(
        "/enterprises/new/", form_data(world, jurisdiction=world.park_b.pk)
    )
    assert "jurisdiction" in response.context["form"].errors
    assert not Enterprise.objects.filter(name="甲三机电有限公司").exists()


@pytest.mark.django_db
def test_it_refuses_enterprise_creation_to_an_officer(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    assert client_as("a1_officer").post("/enterprises/new/", form_data(world)).status_code == 403


@pytest.mark.django_db
def test_it_lets_an_officer_edit_their_enterprise_but_not_move_it(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    data = form_data(world, name=world.a1.name, credit_code=world.a1.credit_code)
    data["sales_channels"] = "出口"
    response = client_as("a1_officer").post(f"/enterprises/{world.a1.pk}/edit/", data)
    assert response.status_code == 302
    world.a1.refresh_from_db()
    assert world.a1.sales_channels == "出口"
    latest = world.a1.history.latest()
    assert (latest.sales_channels, latest.history_user) == ("出口", world.users["a1_officer"])
    # The park decides where it belongs and whether it is whitelisted (J-2.5): an officer's
    # attempt to change either is ignored.
    client_as("a1_officer").post(
        f"/enterprises/{world.a1.pk}/edit/",
        {**data, "jurisdiction": world.park_b.pk, "whitelisted": "on"},
    )
    world.a1.refresh_from_db()
    assert world.a1.jurisdiction == world.park_a
    assert world.a1.whitelisted is False
    # A community of another county is not on offer.
    other_county = jurisdiction_create(name="邻县", kind=JurisdictionKind.COUNTY)
    far_street = jurisdiction_create(
        name="邻县街道", kind=JurisdictionKind.STREET, parent=other_county
    )
    far = jurisdiction_create(name="邻县社区", kind=JurisdictionKind.COMMUNITY, parent=far_street)
    response = client_as("a1_officer").post(
        f"/enterprises/{world.a1.pk}/edit/", {**data, "community": far.pk}
    )
    assert "community" in response.context["form"].errors
    world.a1.refresh_from_db()
    assert world.a1.community_id is None


@pytest.mark.django_db
def test_it_keeps_a_failed_update_from_changing_anything(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.enterprise_update(
            scope=SYSTEM, enterprise=world.a1, name="改名有限公司", credit_code="not-a-code"
        )
    assert caught.value.message_dict == {"credit_code": [services.CREDIT_CODE_INVALID]}
    world.a1.refresh_from_db()
    assert world.a1.name == "甲一精工有限公司"


@pytest.mark.django_db
def test_it_refuses_to_host_an_enterprise_in_a_community(world: World) -> None:
    """H: a town may host enterprises as their park; a community may not."""
    with pytest.raises(ValidationError) as caught:
        services.enterprise_create(
            scope=SYSTEM,
            name="某公司",
            credit_code=valid_credit_code(8),
            jurisdiction=world.community_a,
            legal_representative="孙",
            industry="制造",
        )
    assert caught.value.message_dict == {"jurisdiction": [services.ENTERPRISE_HOST_INVALID]}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["park_a_admin", "a1_officer", "a1_employee", "a1_leader"])
def test_it_shows_the_enterprise_page_to_its_members(
    world: World, client_as: Callable[[str | None], Client], persona: str
) -> None:
    """Z-2.1, Z-3.1: the enterprise file with its first responsible person and channels."""
    response = client_as(persona).get(f"/enterprises/{world.a1.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert world.a1.name in page and "法人" in page and "系统" in page  # created by a service


@pytest.mark.django_db
def test_it_lets_the_park_admin_whitelist_an_enterprise(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """J-2.5: the whitelist of enterprises key to supply chains is the park's to keep."""
    data = form_data(world, name=world.a1.name, credit_code=world.a1.credit_code)
    response = client_as("park_a_admin").post(
        f"/enterprises/{world.a1.pk}/edit/", {**data, "whitelisted": "on"}
    )
    assert response.status_code == 302
    world.a1.refresh_from_db()
    assert world.a1.whitelisted is True
