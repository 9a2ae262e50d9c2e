"""The site plan (Z-5.1, Z-5.1b): an uploaded SVG, sanitised, with areas placed on it and
drawn in their zone colours with their head counts now."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from parkguard.audit.models import AuditEvent
from parkguard.lib.uploads import UPLOAD_TOO_LARGE
from parkguard.orgs.access import scope_for_user
from parkguard.response import services
from parkguard.response.models import Area, PersonZone, SitePlan, ZoneMove
from parkguard.response.owners import Owner
from parkguard.response.svg import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    SVG_DOCTYPE,
    SVG_INVALID,
    SVG_TOO_COMPLEX,
    SVG_TOO_DEEP,
    SvgRefused,
    svg_sanitise,
)
from parkguard.response.views import SVG_POLICY
from tests.factories import World
from tests.response.conftest import AT, isolation

pytestmark = pytest.mark.django_db

PLAN = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100">'
    b'<rect x="0" y="0" width="200" height="100" fill="#eee"/>'
    b'<text x="10" y="20">\xe4\xb8\x80\xe5\x8f\xb7\xe8\xbd\xa6\xe9\x97\xb4</text></svg>'
)
EVIL = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  viewBox="0 0 10 10" onload="alert(1)">
  <script>alert('x')</script>
  <style>@import url(https://evil.example/x.css);</style>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
  <a href="javascript:alert(2)"><rect width="5" height="5"/></a>
  <rect width="5" height="5" onclick="alert(3)" style="fill:red" fill="url(https://evil.example/#g)"/>
  <use xlink:href="https://evil.example/sprite.svg#a"/>
  <use href="#keep"/>
  <image href="https://evil.example/track.png"/>
  <circle id="keep" cx="5" cy="5" r="2" fill="url(#grad)"/>
</svg>"""
ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;&lol;</text></svg>"""


def _officer(world: World) -> Client:
    client = Client()
    client.force_login(world.users["a1_officer"])
    return client


def _upload(client: Client, world: World, data: bytes, name: str = "plan.svg") -> str:
    response = client.post(
        f"/response/enterprises/{world.a1.pk}/plan/upload/",
        {"svg": SimpleUploadedFile(name, data, content_type="image/svg+xml")},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_malicious_svg_keeps_only_shapes_and_local_links() -> None:
    clean = svg_sanitise(EVIL)
    lowered = clean.lower()
    for gone in ("script", "alert", "onload", "onclick", "javascript", "evil.example"):
        assert gone not in lowered, gone
    for gone in ("foreignobject", "<style", "style=", "<image", "html"):
        assert gone not in lowered, gone
    assert 'href="#keep"' in clean and 'fill="url(#grad)"' in clean
    assert "<circle" in clean and clean.startswith("<svg")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (ENTITY, SVG_DOCTYPE),
        (b"<!doctype svg><svg xmlns='http://www.w3.org/2000/svg'/>", SVG_DOCTYPE),
        (b"%PDF-1.4 not a plan", SVG_INVALID),
        (b"<html><body>not svg</body></html>", SVG_INVALID),
        (b"<svg><rect/></svg>", SVG_INVALID),  # no SVG namespace
    ],
)
def test_what_is_not_a_plain_svg_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(SvgRefused) as caught:
        svg_sanitise(data)
    assert caught.value.message == message


def test_too_deep_or_too_many_elements_is_refused_not_a_crash() -> None:
    deep = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 5000 + b"</g>" * 5000 + b"</svg>"
    with pytest.raises(SvgRefused) as caught:
        svg_sanitise(deep)
    assert caught.value.message == SVG_TOO_DEEP.format(limit=MAX_DEPTH)
    many = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<rect/>" * 20_001 + b"</svg>"
    with pytest.raises(SvgRefused) as caught:
        svg_sanitise(many)
    assert caught.value.message == SVG_TOO_COMPLEX.format(limit=MAX_ELEMENTS)


def test_an_officer_uploads_a_plan_and_it_is_served_sanitised(response_world: World) -> None:
    world = response_world
    client = _officer(world)
    page = _upload(client, world, EVIL, "evil.svg")
    assert "已上传平面图" in page
    plan = SitePlan.objects.get(enterprise=world.a1)
    assert "script" not in plan.svg and plan.filename == "evil.svg"
    assert AuditEvent.objects.filter(action="site_plan_upload").exists()
    served = client.get(f"/response/enterprises/{world.a1.pk}/plan.svg")
    assert served.status_code == 200 and served["Content-Type"] == "image/svg+xml"
    assert served["Content-Security-Policy"] == SVG_POLICY
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"alert" not in served.content


@pytest.mark.parametrize("data", [ENTITY, b"GIF89a\x00\x00 binary"])
def test_a_refused_file_changes_nothing(response_world: World, data: bytes) -> None:
    world = response_world
    client = _officer(world)
    _upload(client, world, PLAN)
    before = SitePlan.objects.get(enterprise=world.a1).svg
    page = _upload(client, world, data)
    assert SVG_DOCTYPE in page or SVG_INVALID in page or "UTF-8" in page
    assert SitePlan.objects.get(enterprise=world.a1).svg == before


@override_settings(SITE_PLAN_MAX_BYTES=1024)
def test_an_oversized_plan_is_refused_before_it_is_read(response_world: World) -> None:
    world = response_world
    big = PLAN.replace(b"</svg>", b"<g>" + b" " * 2000 + b"</g></svg>")
    page = _upload(_officer(world), world, big)
    assert UPLOAD_TOO_LARGE.format(limit="1 KB") in page
    assert not SitePlan.objects.filter(enterprise=world.a1).exists()


def test_areas_are_placed_and_drawn_with_zone_and_head_count(response_world: World) -> None:
    world = response_world
    client = _officer(world)
    _upload(client, world, PLAN)
    area = isolation(world)
    move = ZoneMove.objects.create(
        person=world.a1_person,
        colour="red",
        area=area,
        reason="检测阳性",
        state="applied",
        requested_at=AT,
    )
    PersonZone.objects.create(
        person=world.a1_person, enterprise=world.a1, colour="red", area=area, move=move, since=AT
    )
    response = client.post(
        f"/response/enterprises/{world.a1.pk}/plan/place/",
        {"area": area.pk, "x": "25.5", "y": "70"},
        follow=True,
    )
    area.refresh_from_db()
    assert (area.plan_x, area.plan_y) == (25.5, 70.0)
    page = response.content.decode()
    assert f'src="/response/enterprises/{world.a1.pk}/plan.svg"' in page
    # Placed by static/js/parkguard.js through the CSSOM: CSP refuses style= attributes.
    assert 'class="pin zone zone-red" data-pin-x="25.50" data-pin-y="70.00"' in page
    assert f"{area.name} 1</span>" in page
    assert "response/siteplan.js" in page
    zones = client.get(f"/response/enterprises/{world.a1.pk}/").content.decode()
    assert f"/response/enterprises/{world.a1.pk}/plan/" in zones


def test_an_area_of_another_enterprise_is_refused(response_world: World) -> None:
    world = response_world
    admin = world.users["park_a_admin"]
    scope = scope_for_user(admin)
    services.site_plan_upload(
        scope=scope, owner=Owner(enterprise=world.a1), data=PLAN, filename="p.svg", by=admin, at=AT
    )
    theirs = Area.objects.create(
        enterprise=world.a2, name="甲二仓库", block="production", capacity=5, created_at=AT
    )
    with pytest.raises(ValidationError) as caught:
        services.area_place(
            scope=scope, owner=Owner(enterprise=world.a1), area=theirs, x=10, y=10, by=admin, at=AT
        )
    assert caught.value.message_dict == {"area": [services.AREA_NOT_HERE]}
    theirs.refresh_from_db()
    assert theirs.plan_x is None and theirs.plan_y is None
    # Through the page: the park admin sees both, the service still refuses by message.
    client = Client()
    client.force_login(admin)
    page = client.post(
        f"/response/enterprises/{world.a1.pk}/plan/place/",
        {"area": theirs.pk, "x": "10", "y": "10"},
        follow=True,
    ).content.decode()
    assert services.AREA_NOT_HERE in page
    theirs.refresh_from_db()
    assert theirs.plan_x is None
    # A1's officer does not even see A2's area.
    refused = _officer(world).post(
        f"/response/enterprises/{world.a1.pk}/plan/place/",
        {"area": theirs.pk, "x": "10", "y": "10"},
    )
    assert refused.status_code == 404


@pytest.mark.parametrize(("x", "y"), [(-1, 10), (10, 101), (None, 5), (float("nan"), 5)])
def test_a_place_off_the_plan_is_refused(
    response_world: World, x: float | None, y: float | None
) -> None:
    world = response_world
    officer = world.users["a1_officer"]
    scope = scope_for_user(officer)
    area = isolation(world)
    services.site_plan_upload(
        scope=scope,
        owner=Owner(enterprise=world.a1),
        data=PLAN,
        filename="p.svg",
        by=officer,
        at=AT,
    )
    with pytest.raises(ValidationError) as caught:
        services.area_place(
            scope=scope, owner=Owner(enterprise=world.a1), area=area, x=x, y=y, by=officer, at=AT
        )
    assert caught.value.message_dict == {"x": [services.PLACE_INVALID]}
    area.refresh_from_db()
    assert area.plan_x is None


def test_no_place_before_a_plan(response_world: World) -> None:
    world = response_world
    officer = world.users["a1_officer"]
    area = isolation(world)
    with pytest.raises(ValidationError) as caught:
        services.area_place(
            scope=scope_for_user(officer),
            owner=Owner(enterprise=world.a1),
            area=area,
            x=5,
            y=5,
            by=officer,
            at=AT,
        )
    assert caught.value.message_dict == {"area": [services.NO_SITE_PLAN]}


def test_lower_roles_and_outsiders_may_not_upload(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    world = response_world
    for who in ("a2_officer", "a1_employee"):
        response = client_as(who).post(
            f"/response/enterprises/{world.a1.pk}/plan/upload/",
            {"svg": SimpleUploadedFile("p.svg", PLAN)},
        )
        assert response.status_code in (403, 404), who
    assert not SitePlan.objects.exists()
