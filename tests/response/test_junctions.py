"""Junctions between blocks (Z-5.1b, L-4.4): where two areas of one enterprise meet, edited on
the zones page, listed in each area's row, drawn on the site plan, served by the plan API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import scope_for_user
from parkguard.response import services
from parkguard.response.models import Area, Junction
from parkguard.response.owners import Owner
from tests.factories import World
from tests.response.conftest import AT, isolation
from tests.response.test_site_plan import PLAN

pytestmark = pytest.mark.django_db


def _workshop(world: World) -> Area:
    return Area.objects.get(enterprise=world.a1, name="一号车间")


def _theirs(world: World) -> Area:
    return Area.objects.create(
        enterprise=world.a2, name="甲二仓库", block="production", capacity=5, created_at=AT
    )


def _junction(world: World, **fields: object) -> Junction:
    officer = world.users["a1_officer"]
    args: dict[str, object] = {
        "from_area": _workshop(world),
        "to_area": isolation(world),
        "kind": "buffer",
        "controlled": True,
        "note": "隔离通道",
        **fields,
    }
    return services.junction_create(
        scope=scope_for_user(officer),
        owner=Owner(enterprise=world.a1),
        by=officer,
        at=AT,
        **args,  # type: ignore[arg-type]
    )


def test_it_records_a_junction_and_shows_it_in_each_areas_row(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    officer = client_as("a1_officer")
    response = officer.post(
        f"/response/enterprises/{world.a1.pk}/junctions/",
        {
            "from_area": _workshop(world).pk,
            "to_area": isolation(world).pk,
            "kind": "one_way",
            "controlled": "1",
            "note": "只进不出",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已添加接合部" in page
    junction = Junction.objects.get()
    assert (junction.from_area, junction.to_area) == (_workshop(world), isolation(world))
    assert junction.kind == "one_way" and junction.controlled and junction.note == "只进不出"
    assert junction.enterprise == world.a1
    # Both areas' rows name the other side; the one-way passage shows its direction.
    assert "→临时隔离点（单向通道，有管控）" in page
    assert "←一号车间（单向通道，有管控）" in page
    assert AuditEvent.objects.filter(action="junction_create").count() == 1


def test_the_same_area_twice_is_refused(response_world: World) -> None:
    world = response_world
    with pytest.raises(ValidationError) as caught:
        _junction(world, to_area=_workshop(world))
    assert caught.value.message_dict == {"to_area": [services.JUNCTION_SAME_AREA]}
    assert not Junction.objects.exists()


def test_areas_of_two_enterprises_are_refused(response_world: World) -> None:
    world = response_world
    theirs = _theirs(world)
    admin = world.users["park_a_admin"]
    for pair in ((_workshop(world), theirs), (theirs, _workshop(world))):
        with pytest.raises(ValidationError) as caught:
            services.junction_create(
                scope=scope_for_user(admin),
                owner=Owner(enterprise=world.a1),
                from_area=pair[0],
                to_area=pair[1],
                kind="passage",
                by=admin,
                at=AT,
            )
        assert caught.value.message_dict == {"to_area": [services.JUNCTION_OTHER_ENTERPRISE]}
    # The park admin sees both enterprises: the page names the refusal.
    client = Client()
    client.force_login(admin)
    page = client.post(
        f"/response/enterprises/{world.a1.pk}/junctions/",
        {"from_area": _workshop(world).pk, "to_area": theirs.pk, "kind": "passage"},
        follow=True,
    ).content.decode()
    assert services.JUNCTION_OTHER_ENTERPRISE in page
    assert not Junction.objects.exists()


def test_a_duplicate_either_way_and_a_bad_kind_are_refused(response_world: World) -> None:
    world = response_world
    first = _junction(world)
    with pytest.raises(ValidationError) as caught:
        _junction(world, from_area=isolation(world), to_area=_workshop(world))
    assert caught.value.message_dict == {"to_area": [services.JUNCTION_TAKEN]}
    with pytest.raises(ValidationError) as caught:
        _junction(world, kind="tunnel")
    assert caught.value.message_dict == {"kind": [services.JUNCTION_KIND_INVALID]}
    assert list(Junction.objects.all()) == [first]


def test_outsiders_and_lower_roles_neither_add_nor_delete(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    kept = _junction(world)
    add = {"from_area": isolation(world).pk, "to_area": _workshop(world).pk, "kind": "passage"}
    for who in ("a2_officer", "a1_employee", "park_b_admin", None):
        client = client_as(who)
        added = client.post(f"/response/enterprises/{world.a1.pk}/junctions/", add)
        deleted = client.post(f"/response/enterprises/{world.a1.pk}/junctions/{kept.pk}/delete/")
        api = client.post(
            f"/api/v1/response/enterprises/{world.a1.pk}/junctions",
            {"from_area_id": add["from_area"], "to_area_id": add["to_area"], "kind": "passage"},
            content_type="application/json",
        )
        plan = client.get(f"/api/v1/response/enterprises/{world.a1.pk}/plan")
        if who is None:
            assert added.status_code == 302 and "/login" in added["Location"]
            assert deleted.status_code == 302
            assert api.status_code == 401 and plan.status_code == 401
        else:
            assert added.status_code in (403, 404), who
            assert deleted.status_code in (403, 404), who
            assert api.status_code in (403, 404), who
            assert plan.status_code in (403, 404), who
    kept.refresh_from_db()
    assert list(Junction.objects.all()) == [kept] and kept.kind == "buffer"


def test_a_junction_of_another_enterprise_is_not_deleted_through_this_one(
    response_world: World,
) -> None:
    world = response_world
    admin = world.users["park_a_admin"]
    theirs = _theirs(world)
    other = Area.objects.create(
        enterprise=world.a2, name="甲二宿舍", block="living", capacity=5, created_at=AT
    )
    junction = services.junction_create(
        scope=scope_for_user(admin),
        owner=Owner(enterprise=world.a2),
        from_area=theirs,
        to_area=other,
        kind="passage",
        by=admin,
        at=AT,
    )
    client = Client()
    client.force_login(admin)
    page = client.post(
        f"/response/enterprises/{world.a1.pk}/junctions/{junction.pk}/delete/", follow=True
    ).content.decode()
    assert services.JUNCTION_NOT_HERE in page
    assert Junction.objects.filter(pk=junction.pk).exists()


def test_the_officer_deletes_a_junction(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    junction = _junction(world)
    client_as("a1_officer").post(
        f"/response/enterprises/{world.a1.pk}/junctions/{junction.pk}/delete/"
    )
    assert not Junction.objects.exists()
    assert AuditEvent.objects.filter(action="junction_delete").count() == 1


def test_the_site_plan_draws_a_line_between_placed_areas(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    officer = world.users["a1_officer"]
    scope = scope_for_user(officer)
    services.site_plan_upload(
        scope=scope,
        owner=Owner(enterprise=world.a1),
        data=PLAN,
        filename="p.svg",
        by=officer,
        at=AT,
    )
    _junction(world)
    client = client_as("a1_officer")
    page = client.get(f"/response/enterprises/{world.a1.pk}/plan/").content.decode()
    # Listed, but no line while an end is not placed.
    assert "一号车间 ↔ 临时隔离点：缓冲区，有管控" in page
    assert "<line" not in page
    for area, (x, y) in ((_workshop(world), (10, 20)), (isolation(world), (80, 70))):
        services.area_place(
            scope=scope, owner=Owner(enterprise=world.a1), area=area, x=x, y=y, by=officer, at=AT
        )
    page = client.get(f"/response/enterprises/{world.a1.pk}/plan/").content.decode()
    assert (
        '<line class="junction-buffer controlled" x1="10.00" y1="20.00" x2="80.00" y2="70.00">'
        in page
    )


def test_the_plan_api_gives_places_colours_heads_and_junctions(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    officer = world.users["a1_officer"]
    scope = scope_for_user(officer)
    client = client_as("a1_officer")
    empty = client.get(f"/api/v1/response/enterprises/{world.a1.pk}/plan").json()
    assert empty["has_plan"] is False and empty["svg_url"] is None
    services.site_plan_upload(
        scope=scope,
        owner=Owner(enterprise=world.a1),
        data=PLAN,
        filename="p.svg",
        by=officer,
        at=AT,
    )
    services.area_place(
        scope=scope,
        owner=Owner(enterprise=world.a1),
        area=isolation(world),
        x=50,
        y=40,
        by=officer,
        at=AT,
    )
    junction = _junction(world)
    body = client.get(f"/api/v1/response/enterprises/{world.a1.pk}/plan").json()
    assert body["has_plan"] is True
    assert body["svg_url"] == f"/response/enterprises/{world.a1.pk}/plan.svg"
    by_name = {a["name"]: a for a in body["areas"]}
    assert by_name["临时隔离点"] | {"id": 0} == {
        "id": 0,
        "name": "临时隔离点",
        "block": "living",
        "capacity": 4,
        "zone": "red",
        "is_isolation": True,
        "present": 0,
        "x": 50.0,
        "y": 40.0,
        "region": "",
    }
    assert by_name["一号车间"]["x"] is None
    assert body["junctions"] == [
        {
            "id": junction.pk,
            "from_area_id": _workshop(world).pk,
            "to_area_id": isolation(world).pk,
            "kind": "buffer",
            "direction": "both",
            "controlled": True,
            "note": "隔离通道",
            "gate_id": None,
        }
    ]


def test_the_api_adds_a_junction_and_refuses_one_across_enterprises(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    officer = client_as("a1_officer")
    url = f"/api/v1/response/enterprises/{world.a1.pk}/junctions"
    same = officer.post(
        url,
        {"from_area_id": isolation(world).pk, "to_area_id": isolation(world).pk, "kind": "door"},
        content_type="application/json",
    )
    assert same.status_code == 422
    assert same.json()["detail"][0]["msg"] == services.JUNCTION_SAME_AREA
    made = officer.post(
        url,
        {"from_area_id": _workshop(world).pk, "to_area_id": isolation(world).pk, "kind": "door"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert Junction.objects.get().kind == "door"
    theirs = _theirs(world)
    across = client_as("park_a_admin").post(
        url,
        {"from_area_id": _workshop(world).pk, "to_area_id": theirs.pk, "kind": "passage"},
        content_type="application/json",
    )
    assert across.status_code == 422
    assert across.json()["detail"][0]["msg"] == services.JUNCTION_OTHER_ENTERPRISE
    assert Junction.objects.count() == 1
