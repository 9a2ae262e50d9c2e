"""The park's own zones (issue 14 §1, L-4.4, Z-5.1): areas, junctions and a site plan owned by
the park, edited by its admins, read by its staff and (read-only) by its enterprises' officers."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client

from parkguard.orgs.access import Scope, can, scope_for_user, visible
from parkguard.response import services
from parkguard.response.models import Area, Junction, PersonZone, SitePlan, ZoneMove
from parkguard.response.owners import Owner, owner_of
from parkguard.response.svg import SVG_DOCTYPE
from tests.factories import World
from tests.response.conftest import AT

pytestmark = pytest.mark.django_db

PLAN = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200">'
    b'<rect x="0" y="90" width="400" height="20" fill="#ccc"/>'
    b'<text x="10" y="20">\xe7\x94\xb2\xe5\x9b\xad\xe5\x8c\xba</text></svg>'
)
DOCTYPE = b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>'


def _admin(world: World) -> tuple[Scope, User]:
    user = world.users["park_a_admin"]
    return scope_for_user(user), user


def _park_area(world: World, name: str = "园区隔离点", **kw: object) -> Area:
    scope, user = _admin(world)
    fields: dict[str, object] = {"block": "living", "capacity": 20, "is_isolation": True}
    fields.update(kw)
    return services.area_create(
        scope=scope,
        owner=Owner(park=world.park_a),
        name=name,
        by=user,
        at=AT,
        **fields,  # type: ignore[arg-type]
    )


def test_it_lets_the_park_admin_map_the_parks_own_areas(world: World) -> None:
    area = _park_area(world)
    area.refresh_from_db()
    assert (area.park_id, area.enterprise_id) == (world.park_a.pk, None)
    # A park isolation point is managed as red (Z-5.1).
    assert area.zone == "red" and area.is_isolation
    road = _park_area(world, "主干道", block="public_space", is_isolation=False, zone="green")
    assert owner_of(road) == Owner(park=world.park_a)
    # The same name at the park and at one of its enterprises is no clash: they are two owners.
    Area.objects.create(
        enterprise=world.a1, name="主干道", block="public_space", capacity=5, created_at=AT
    )


def test_it_refuses_a_second_park_area_of_the_same_name_and_bad_fields(world: World) -> None:
    _park_area(world)
    with pytest.raises(ValidationError) as caught:
        _park_area(world, block="nowhere", capacity=0, zone="purple")
    assert caught.value.message_dict == {
        "name": [services.PARK_NAME_TAKEN],
        "block": [services.BLOCK_INVALID],
        "capacity": [services.CAPACITY_INVALID],
        "zone": [services.COLOUR_INVALID],
    }
    assert Area.objects.filter(park=world.park_a).count() == 1


def test_the_database_keeps_exactly_one_owner(world: World) -> None:
    for owners in ({}, {"enterprise": world.a1, "park": world.park_a}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Area.objects.create(name="无主", block="living", capacity=1, created_at=AT, **owners)
        with pytest.raises(IntegrityError), transaction.atomic():
            SitePlan.objects.create(svg="<svg/>", uploaded_at=AT, **owners)
    a, b = _park_area(world, "甲"), _park_area(world, "乙")
    with pytest.raises(IntegrityError), transaction.atomic():
        Junction.objects.create(from_area=a, to_area=b, kind="buffer", created_at=AT)
    assert not Area.objects.filter(name="无主").exists()
    assert not Junction.objects.exists()


@pytest.mark.parametrize("persona", ["a1_officer", "park_b_admin", "a1_employee"])
def test_nobody_but_the_parks_admin_edits_its_areas(world: World, persona: str) -> None:
    user = world.users[persona]
    with pytest.raises(PermissionDenied):
        services.area_create(
            scope=scope_for_user(user),
            owner=Owner(park=world.park_a),
            name="越权",
            block="living",
            capacity=1,
            by=user,
            at=AT,
        )
    area = _park_area(world)
    with pytest.raises(PermissionDenied):
        services.area_place(
            scope=scope_for_user(user),
            owner=Owner(park=world.park_a),
            area=area,
            x=1,
            y=1,
            by=user,
            at=AT,
        )
    area.refresh_from_db()
    assert area.plan_x is None and not Area.objects.filter(name="越权").exists()


def test_who_reads_the_parks_zones(world: World) -> None:
    area = _park_area(world)
    readers = {"park_a_admin", "a1_officer", "a2_officer"}
    for persona, user in world.users.items():
        scope = scope_for_user(user)
        seen = visible(scope, Area, action="view_park_zones").filter(pk=area.pk).exists()
        assert seen == (persona in readers), persona
        assert can(scope, "view_park_zones", world.park_a) == (persona in readers), persona
        # Plain reads stay as they were: an enterprise's officer does not see the park's rows.
        plain = visible(scope, Area).filter(pk=area.pk).exists()
        assert plain == (persona == "park_a_admin"), persona
        assert can(scope, "manage_zones", area) == (persona == "park_a_admin"), persona
    # Park B's admin reads nothing of park A's zones; park A's officers nothing of park B's.
    b_scope = scope_for_user(world.users["park_b_admin"])
    assert not can(b_scope, "view_park_zones", world.park_a)
    assert not can(scope_for_user(world.users["a1_officer"]), "view_park_zones", world.park_b)


def test_the_park_plan_is_sanitised_and_a_bad_file_changes_nothing(world: World) -> None:
    scope, user = _admin(world)
    plan = services.site_plan_upload(
        scope=scope, owner=Owner(park=world.park_a), data=PLAN, filename="p.svg", by=user, at=AT
    )
    with pytest.raises(ValidationError) as caught:
        services.site_plan_upload(
            scope=scope,
            owner=Owner(park=world.park_a),
            data=DOCTYPE,
            filename="x.svg",
            by=user,
            at=AT,
        )
    assert caught.value.message_dict == {"svg": [SVG_DOCTYPE]}
    plan.refresh_from_db()
    assert plan.park_id == world.park_a.pk and plan.filename == "p.svg" and "甲园区" in plan.svg


def test_placing_and_junctions_take_only_the_parks_own_areas(world: World) -> None:
    scope, user = _admin(world)
    point = _park_area(world)
    road = _park_area(world, "主干道", block="public_space", is_isolation=False)
    theirs = Area.objects.create(
        enterprise=world.a1, name="甲一车间", block="production", capacity=9, created_at=AT
    )
    with pytest.raises(ValidationError) as caught:
        services.area_place(
            scope=scope, owner=Owner(park=world.park_a), area=point, x=10, y=10, by=user, at=AT
        )
    assert caught.value.message_dict == {"area": [services.PARK_NO_SITE_PLAN]}
    services.site_plan_upload(
        scope=scope, owner=Owner(park=world.park_a), data=PLAN, filename="p.svg", by=user, at=AT
    )
    with pytest.raises(ValidationError) as caught:
        services.area_place(
            scope=scope, owner=Owner(park=world.park_a), area=theirs, x=10, y=10, by=user, at=AT
        )
    assert caught.value.message_dict == {"area": [services.PARK_AREA_NOT_HERE]}
    services.area_place(
        scope=scope, owner=Owner(park=world.park_a), area=point, x=12.345, y=80, by=user, at=AT
    )
    point.refresh_from_db()
    theirs.refresh_from_db()
    assert (point.plan_x, point.plan_y) == (12.35, 80.0) and theirs.plan_x is None
    for other in (theirs, point):
        with pytest.raises(ValidationError) as caught:
            services.junction_create(
                scope=scope,
                owner=Owner(park=world.park_a),
                from_area=point,
                to_area=other,
                kind="buffer",
                by=user,
                at=AT,
            )
        expected = (
            services.PARK_JUNCTION_OTHER_OWNER if other is theirs else services.JUNCTION_SAME_AREA
        )
        assert caught.value.message_dict == {"to_area": [expected]}
    assert not Junction.objects.exists()
    j = services.junction_create(
        scope=scope,
        owner=Owner(park=world.park_a),
        from_area=road,
        to_area=point,
        kind="one_way",
        controlled=True,
        by=user,
        at=AT,
    )
    j.refresh_from_db()
    assert (j.park_id, j.enterprise_id, j.kind, j.controlled) == (
        world.park_a.pk, None, "one_way", True,
    )  # fmt: skip


def test_a_person_may_be_placed_in_their_parks_own_area_not_another_parks(world: World) -> None:
    point = _park_area(world)
    scope_b = scope_for_user(world.users["park_b_admin"])
    far = services.area_create(
        scope=scope_b,
        owner=Owner(park=world.park_b),
        name="乙园隔离点",
        block="living",
        capacity=3,
        by=world.users["park_b_admin"],
        at=AT,
    )
    officer = world.users["a1_officer"]
    scope = scope_for_user(officer)
    with pytest.raises(ValidationError) as caught:
        services.zone_move_request(
            scope=scope, person=world.a1_person, colour="orange", area=far,
            reason="转入园区隔离点观察", by=officer, at=AT,
        )  # fmt: skip
    assert caught.value.message_dict == {"area": [services.AREA_OTHER_ENTERPRISE]}
    move = services.zone_move_request(
        scope=scope, person=world.a1_person, colour="orange", area=point,
        reason="转入园区隔离点观察", by=officer, at=AT,
    )  # fmt: skip
    services.zone_move_decide(
        scope=_admin(world)[0], move=move, approve=True, by=world.users["park_a_admin"], at=AT
    )
    zone = PersonZone.objects.get(pk=world.a1_person.pk)
    assert zone.area_id == point.pk and zone.colour == "orange"
    assert ZoneMove.objects.get(pk=move.pk).state == "applied"


# --- pages and API ----------------------------------------------------------------------
def _placed_world(world: World) -> Area:
    scope, user = _admin(world)
    services.site_plan_upload(
        scope=scope, owner=Owner(park=world.park_a), data=PLAN, filename="p.svg", by=user, at=AT
    )
    point = _park_area(world)
    services.area_place(
        scope=scope, owner=Owner(park=world.park_a), area=point, x=50, y=50, by=user, at=AT
    )
    # One person of A1 and one of A2 in the park's isolation point now.
    for person in (world.a1_person, world.a2_person):
        move = ZoneMove.objects.create(
            person=person, colour="orange", area=point, reason="园区隔离点", state="applied",
            requested_at=AT,
        )  # fmt: skip
        PersonZone.objects.create(
            person=person, enterprise=person.enterprise, colour="orange", area=point, move=move,
            since=AT,
        )  # fmt: skip
    return point


def test_the_plan_api_counts_what_the_caller_sees(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    point = _placed_world(world)
    url = f"/api/v1/response/parks/{world.park_a.pk}/plan"
    body = client_as("park_a_admin").get(url).json()
    assert body["has_plan"] and body["svg_url"] == f"/response/parks/{world.park_a.pk}/plan.svg"
    assert [(a["id"], a["present"], a["x"], a["zone"]) for a in body["areas"]] == [
        (point.pk, 2, 50.0, "red")
    ]
    # An enterprise's officer reads the park's plan, counting only their own people.
    officer = client_as("a1_officer").get(url).json()
    assert [a["present"] for a in officer["areas"]] == [1]
    assert client_as("a1_officer").get(body["svg_url"]).status_code == 200
    for outsider in ("park_b_admin", "a1_employee", "a1_leader", None):
        client = client_as(outsider)
        for path in (url, f"/api/v1/response/parks/{world.park_a.pk}/areas", body["svg_url"]):
            assert client.get(path).status_code in {302, 401, 404}, (outsider, path)


def test_the_areas_api_creates_and_refuses_with_field_errors(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    url = f"/api/v1/response/parks/{world.park_a.pk}/areas"
    admin = client_as("park_a_admin")
    good = {"name": "北门交接点", "block": "handover", "capacity": 6}
    created = admin.post(url, json.dumps(good), content_type="application/json")
    assert created.status_code == 201
    area = Area.objects.get(pk=created.json()["id"])
    assert (area.park_id, area.name, area.block) == (world.park_a.pk, "北门交接点", "handover")
    again = admin.post(url, json.dumps(good), content_type="application/json")
    assert again.status_code == 422
    assert again.json() == {
        "detail": [{"loc": ["body", "payload", "name"], "msg": services.PARK_NAME_TAKEN}]
    }
    assert [a["name"] for a in admin.get(url).json()] == ["北门交接点"]
    # An enterprise's officer may read but not add; another park's admin sees nothing.
    officer = client_as("a1_officer")
    assert (
        officer.post(
            url, json.dumps(good | {"name": "越权"}), content_type="application/json"
        ).status_code
        == 403
    )
    assert officer.get(url).status_code == 200
    assert (
        client_as("park_b_admin")
        .post(url, json.dumps(good | {"name": "越权"}), content_type="application/json")
        .status_code
        == 404
    )
    assert not Area.objects.filter(name="越权").exists()


def test_the_junctions_api_refuses_an_enterprises_area(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    point = _park_area(world)
    theirs = Area.objects.create(
        enterprise=world.a1, name="甲一车间", block="production", capacity=9, created_at=AT
    )
    url = f"/api/v1/response/parks/{world.park_a.pk}/junctions"
    body = {"from_area_id": point.pk, "to_area_id": theirs.pk, "kind": "buffer"}
    refused = client_as("park_a_admin").post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"loc": ["body", "payload", "to_area"], "msg": services.PARK_JUNCTION_OTHER_OWNER}
    ]
    assert not Junction.objects.exists()


def test_the_pages_show_the_map_data_and_the_no_js_pins(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    _placed_world(world)
    page = client_as("park_a_admin").get(f"/response/parks/{world.park_a.pk}/plan/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="siteplan-map"' in text and 'id="siteplan-data"' in text
    assert "园区隔离点 2" in text and 'id="place-form"' in text
    officer = client_as("a1_officer").get(f"/response/parks/{world.park_a.pk}/plan/")
    assert "园区隔离点 1" in officer.content.decode()
    assert 'id="place-form"' not in officer.content.decode()
    zones = client_as("park_a_admin").get(f"/response/parks/{world.park_a.pk}/zones/")
    assert "添加园区区块" in zones.content.decode()
    home = client_as("park_a_admin").get(f"/park/{world.park_a.pk}/")
    assert f"/response/parks/{world.park_a.pk}/zones/" in home.content.decode()


def test_an_upload_page_refuses_a_malformed_svg_and_keeps_the_plan(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    _placed_world(world)
    response = client_as("park_a_admin").post(
        f"/response/parks/{world.park_a.pk}/plan/upload/",
        {"svg": SimpleUploadedFile("x.svg", DOCTYPE, content_type="image/svg+xml")},
        follow=True,
    )
    assert SVG_DOCTYPE in response.content.decode()
    assert "甲园区" in SitePlan.objects.get(park=world.park_a).svg


def test_the_enterprise_zones_page_offers_its_parks_own_areas_for_a_manual_move(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    point = _park_area(world)
    far = services.area_create(
        scope=scope_for_user(world.users["park_b_admin"]),
        owner=Owner(park=world.park_b),
        name="乙园隔离点",
        block="living",
        capacity=3,
        by=world.users["park_b_admin"],
        at=AT,
    )
    page = client_as("a1_officer").get(f"/response/enterprises/{world.a1.pk}/")
    text = page.content.decode()
    select = text[text.index('<select id="id_area"') :]
    select = select[: select.index("</select>")]
    # The park's own isolation point is offered; another park's area is not.
    assert f'<option value="{point.pk}">园区隔离点（园区隔离点）</option>' in select
    assert "园区自有区块（甲园区）" in select
    assert "乙园隔离点" not in select
    # Chosen on the page, it makes a pending move into the park's area.
    response = client_as("a1_officer").post(
        f"/response/enterprises/{world.a1.pk}/moves/",
        {
            "person": world.a1_person.pk,
            "colour": "orange",
            "area": point.pk,
            "reason": "转入园区隔离点观察",
        },
        follow=True,
    )
    assert "已提交，须由另一人复核后生效" in response.content.decode()
    move = ZoneMove.objects.get(person=world.a1_person)
    assert (move.area_id, move.state) == (point.pk, "pending")
    # Another park's area posted by hand is refused (404: the officer cannot read it), and
    # nothing more is written.
    refused = client_as("a1_officer").post(
        f"/response/enterprises/{world.a1.pk}/moves/",
        {"person": world.a1_person.pk, "colour": "orange", "area": far.pk, "reason": "越界转入"},
    )
    assert refused.status_code == 404
    assert ZoneMove.objects.filter(person=world.a1_person).count() == 1
    # An outsider (another park's admin) does not open the enterprise's page at all.
    assert client_as("park_b_admin").get(f"/response/enterprises/{world.a1.pk}/").status_code in {
        403,
        404,
    }
