"""Areas as regions of the site plan (Z-5.1): an officer binds an area to a named element of
the uploaded SVG (an id of a path, rect, polygon or group the sanitiser keeps); the map draws
bound areas as regions in their zone colour with their head count, the others as points."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import scope_for_user
from parkguard.response import services
from parkguard.response.models import Area
from parkguard.response.owners import Owner
from parkguard.response.svg import svg_region_ids, svg_sanitise
from tests.factories import World
from tests.response.conftest import AT, isolation

pytestmark = pytest.mark.django_db

PLAN = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" width="400" height="200">'
    b'<defs><rect id="hidden-def" width="1" height="1"/></defs>'
    b'<rect id="workshop" x="0" y="0" width="100" height="100" fill="#eee"/>'
    b'<g id="dorms"><rect x="110" y="0" width="40" height="40"/>'
    b'<polygon id="dorm-2" points="110,50 150,50 150,90"/></g>'
    b'<path id="road" d="M0 95 H200"/>'
    b'<circle id="well" cx="180" cy="20" r="5"/>'
    b'<text id="label" x="10" y="20">plan</text>'
    b'<rect id="workshop" x="0" y="0" width="1" height="1"/>'
    b"</svg>"
)


def _upload(world: World, who: str = "a1_officer") -> None:
    user = world.users[who]
    services.site_plan_upload(
        scope=scope_for_user(user),
        owner=Owner(enterprise=world.a1),
        data=PLAN,
        filename="p.svg",
        by=user,
        at=AT,
    )


def _bind(world: World, area: Area, region: str, who: str = "a1_officer") -> Area:
    user = world.users[who]
    return services.area_bind(
        scope=scope_for_user(user),
        owner=Owner(enterprise=world.a1),
        area=area,
        region=region,
        by=user,
        at=AT,
    )


def test_the_plan_lists_its_drawn_path_rect_polygon_and_group_ids_once() -> None:
    # Not the definitions' (not drawn there), not a circle's or a text's; a repeated id once.
    assert svg_region_ids(svg_sanitise(PLAN)) == ["workshop", "dorms", "dorm-2", "road"]
    assert svg_region_ids("not xml") == []


def test_an_officer_binds_an_area_to_an_element_and_unbinds_it(response_world: World) -> None:
    world = response_world
    _upload(world)
    area = isolation(world)
    _bind(world, area, " dorms ")
    area.refresh_from_db()
    assert area.plan_region == "dorms"
    event = AuditEvent.objects.filter(action="area_bind").latest("pk")
    assert event.detail == {"region": "dorms"}
    _bind(world, area, "")
    area.refresh_from_db()
    assert area.plan_region == ""


@pytest.mark.parametrize("region", ["well", "label", "hidden-def", "nowhere", "<script>"])
def test_an_unknown_element_is_a_field_error_and_nothing_is_saved(
    response_world: World, region: str
) -> None:
    world = response_world
    _upload(world)
    area = isolation(world)
    _bind(world, area, "road")
    with pytest.raises(ValidationError) as caught:
        _bind(world, area, region)
    assert caught.value.message_dict == {"region": [services.REGION_UNKNOWN]}
    area.refresh_from_db()
    assert area.plan_region == "road"


def test_another_owners_area_no_plan_and_lower_roles_are_refused(response_world: World) -> None:
    world = response_world
    area = isolation(world)
    with pytest.raises(ValidationError) as caught:
        _bind(world, area, "road")
    assert caught.value.message_dict == {"area": [services.NO_SITE_PLAN]}
    _upload(world)
    theirs = Area.objects.create(
        enterprise=world.a2, name="甲二仓库", block="production", capacity=5, created_at=AT
    )
    park_point = Area.objects.create(
        park=world.park_a, name="园区隔离点", block="living", capacity=5, created_at=AT
    )
    for other in (theirs, park_point):
        with pytest.raises(ValidationError) as caught:
            _bind(world, other, "road", who="park_a_admin")
        assert caught.value.message_dict == {"area": [services.AREA_NOT_HERE]}
        other.refresh_from_db()
        assert other.plan_region == ""
    # The park's admin binding an enterprise's area as the park's: not the park's own.
    admin = world.users["park_a_admin"]
    with pytest.raises(ValidationError) as caught:
        services.area_bind(
            scope=scope_for_user(admin), owner=Owner(park=world.park_a), area=area,
            region="road", by=admin, at=AT,
        )  # fmt: skip
    assert caught.value.message_dict == {"area": [services.PARK_AREA_NOT_HERE]}
    for persona in ("a1_employee", "a1_leader", "a2_officer"):
        with pytest.raises(PermissionDenied):
            _bind(world, area, "road", who=persona)
    area.refresh_from_db()
    assert area.plan_region == ""


def test_the_page_offers_the_ids_and_the_map_draws_bound_areas_as_regions(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    _upload(world)
    area = isolation(world)
    workshop = Area.objects.get(enterprise=world.a1, name="一号车间")
    client = client_as("a1_officer")
    url = f"/response/enterprises/{world.a1.pk}/plan/"
    page = client.get(url).content.decode()
    assert 'id="bind-form"' in page
    for ident in ("workshop", "dorms", "dorm-2", "road"):
        assert f'<option value="{ident}">{ident}</option>' in page
    assert '<option value="well">' not in page
    response = client.post(
        f"/response/enterprises/{world.a1.pk}/plan/bind/",
        {"area": area.pk, "region": "dorms"},
        follow=True,
    )
    text = response.content.decode()
    assert "已将区块绑定到平面图区域" in text and "（图上区域 dorms）" in text
    data = json.loads(text.split('id="siteplan-data" type="application/json">')[1].split("<")[0])
    assert [(a["name"], a["region"], a["zone"]) for a in data["areas"]] == [
        (area.name, "dorms", "red")
    ]
    # An unknown id through the page: the Chinese message, nothing saved.
    refused = client.post(
        f"/response/enterprises/{world.a1.pk}/plan/bind/",
        {"area": workshop.pk, "region": "well"},
        follow=True,
    ).content.decode()
    assert services.REGION_UNKNOWN in refused
    workshop.refresh_from_db()
    assert workshop.plan_region == ""
    # Outsiders neither open the page nor bind through it.
    for outsider in ("a2_officer", "park_b_admin", "a1_employee"):
        client_other = client_as(outsider)
        assert client_other.get(url).status_code in {403, 404}, outsider
        posted = client_other.post(
            f"/response/enterprises/{world.a1.pk}/plan/bind/", {"area": area.pk, "region": ""}
        )
        assert posted.status_code in {403, 404}, outsider
    area.refresh_from_db()
    assert area.plan_region == "dorms"


def test_the_regions_api_binds_refuses_and_keeps_outsiders_out(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    _upload(world)
    area = isolation(world)
    url = f"/api/v1/response/enterprises/{world.a1.pk}/plan/regions"
    client = client_as("a1_officer")
    ok = client.post(url, {"area_id": area.pk, "region": "road"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["region"] == "road"
    plan = client.get(f"/api/v1/response/enterprises/{world.a1.pk}/plan").json()
    assert plan["regions"] == ["workshop", "dorms", "dorm-2", "road"]
    assert [a["region"] for a in plan["areas"] if a["id"] == area.pk] == ["road"]
    bad = client.post(url, {"area_id": area.pk, "region": "well"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": [{"loc": ["body", "payload", "region"], "msg": services.REGION_UNKNOWN}]
    }
    area.refresh_from_db()
    assert area.plan_region == "road"
    for outsider, codes in (
        (None, {401, 403}),
        ("a2_officer", {403, 404}),
        ("park_b_admin", {403, 404}),
        ("a1_employee", {403, 404}),
    ):
        response = client_as(outsider).post(
            url, {"area_id": area.pk, "region": "dorms"}, content_type="application/json"
        )
        assert response.status_code in codes, outsider
    area.refresh_from_db()
    assert area.plan_region == "road"
