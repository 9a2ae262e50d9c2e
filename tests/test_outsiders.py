"""Every route, walked from the URL resolver: outsiders get nothing of enterprise A1.

The outsiders are an officer of another enterprise in the same park (A2), the admin of
another park (B) and an anonymous caller. New routes join automatically; a route with a
parameter this test does not know fails until a victim object is named for it below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from parkguard.audit.services import audit_record
from parkguard.orgs.models import ApiToken, Membership, SupervisionOffice
from parkguard.orgs.services import api_token_create
from parkguard.people.models import HouseholdMember, PersonImport
from tests.factories import TODAY, World

# Routes anyone may open (they carry no tenant data).
PUBLIC = {"login", "healthz", "admin:login", "admin:logout", "logout"}
# Parameters that select nothing of a tenant; the value is fixed.
NEUTRAL = {
    "app_label": "orgs",
    "url": "nowhere/",
    "pack_id": "zhengyang-2022-20",
    "mode": "schedule",
}
DENIED = {302, 401, 403, 404, 405}
# A write may also fail validation first (the body is empty): it still reveals and changes nothing.
WRITE_DENIED = DENIED | {400, 422}
OUTSIDERS = [None, "a2_officer", "park_b_admin"]


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: list[str]
    admin_model: type[Model] | None


def _walk(patterns: list[Any], prefix: str = "", ns: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            namespace = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), namespace)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
            names = [a or b for a, b in params]
            model_admin = getattr(p.callback, "model_admin", None)
            yield Route(
                name=f"{ns}{p.name or route}",
                route=route,
                params=names,
                admin_model=model_admin.model if model_admin else None,
            )


def _victims(world: World) -> dict[str, Any]:
    token, _ = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    event = audit_record(actor=None, action="test", at=_now(), enterprise_id=world.a1.pk)
    membership = Membership.objects.get(user=world.users["a1_officer"])
    member = HouseholdMember.objects.create(
        person=world.a1_person, name="甲一家属", relation="配偶"
    )
    batch = PersonImport.objects.create(enterprise=world.a1, filename="甲一台账.xlsx")
    office = SupervisionOffice.objects.create(jurisdiction=world.park_a, name="甲园区应急办")
    return {
        "enterprise_id": world.a1.pk,
        "unit_id": world.a1_unit.pk,
        "person_id": world.a1_person.pk,
        "jurisdiction_id": world.park_a.pk,
        "token_id": token.pk,  # the outsider walker tries to revoke A1's token
        "member_id": member.pk,
        "import_id": batch.pk,
        "office_id": office.pk,  # park A's supervising office (H-3)
        "id": world.users["a1_officer"].pk,  # admin's password-change page for a user
        "models": {
            "Enterprise": world.a1,
            "OrgUnit": world.a1_unit,
            "Person": world.a1_person,
            "Jurisdiction": world.park_a,
            "Membership": membership,
            "ApiToken": token,
            "AuditEvent": event,
            "HouseholdMember": member,
            "PersonImport": batch,
            "SupervisionOffice": office,
            "User": world.users["a1_officer"],
        },
    }


def _now() -> Any:
    import datetime as dt

    return dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)


def _url(route: Route, victims: dict[str, Any]) -> str | None:
    path = route.route.lstrip("^").rstrip("$")
    for param in route.params:
        if param in NEUTRAL:
            value: Any = NEUTRAL[param]
        elif param in {"object_id", "id"} and route.admin_model is not None:
            victim = victims["models"].get(route.admin_model.__name__)
            if victim is None:
                return None  # a model with nothing of A1's to find (e.g. groups)
            value = victim.pk
        elif param == "content_type_id":
            return None  # admin's "view on site" shortcut; no tenant data behind it
        elif param in victims:
            value = victims[param]
        else:
            pytest.fail(f"{route.name}: name a victim object for parameter {param!r}")
        path = re.sub(rf"<(?:\w+:)?{param}>|\(\?P<{param}>[^)]*\)", str(value), path, count=1)
    path = re.sub(r"\\(.)", r"\1", path)
    return "/" + path


def _assert_nothing_leaks(body: bytes, world: World, where: str) -> None:
    text = body.decode("utf-8", errors="replace")
    for marker in world.markers():
        assert marker not in text, f"{where}: leaks {marker!r}"


@pytest.mark.django_db
def test_it_denies_every_route_to_outsiders(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    victims = _victims(world)
    before = _row_counts()
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) > 20, "the walker found too few routes"
    checked = 0
    for persona in OUTSIDERS:
        client = client_as(persona)
        for route in routes:
            url = _url(route, victims)
            if url is None:
                continue
            where = f"{persona or 'anonymous'} GET {url} ({route.name})"
            response = client.get(url)
            checked += 1
            _assert_nothing_leaks(response.content, world, where)
            if route.name in PUBLIC:
                continue
            if persona is None or any(p not in NEUTRAL for p in route.params):
                assert response.status_code in DENIED, f"{where}: {response.status_code}"
            if any(p not in NEUTRAL for p in route.params):
                for method, status, body in _writes(client, url):
                    _assert_nothing_leaks(body, world, f"{where} {method}")
                    assert status in WRITE_DENIED, f"{where} {method}: {status}"
    assert checked >= len(routes) * len(OUTSIDERS) * 0.8
    assert _row_counts() == before, "an outsider's request changed data"


# Valid JSON bodies for the API's writes, so a missing scope check cannot hide behind a
# validation error: with these, an outsider must get 401/403/404, nothing else.
API_BODIES: dict[str, dict[str, Any]] = {
    "units": {"name": "外人单元", "kind": "department"},
    "people": {
        "name": "外人",
        "id_number": "450222199001011234",
        "phone": "13800000000",
        "category": "regular",
    },
    "reveal": {"reason": "越权查看"},
    "person": {"name": "被改名"},
}


def _writes(client: Client, url: str) -> list[tuple[str, int, bytes]]:
    """POST (and for the API, PATCH) to a route that names a tenant's object."""
    if not url.startswith("/api/"):
        response = client.post(url, {})
        return [("POST", response.status_code, response.content)]
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    key = tail if tail in API_BODIES else "person"
    body = json.dumps(API_BODIES[key])
    results = []
    for method in ("post", "patch"):
        response = getattr(client, method)(url, body, content_type="application/json")
        results.append((method.upper(), response.status_code, response.content))
    strict = [r for r in results if r[1] not in DENIED | {405}]
    assert not strict, f"{url}: a valid body got past the scope check: {strict}"
    return results


def _row_counts() -> dict[str, int]:
    # Login attempts and sessions are bookkeeping, not tenant data.
    skip = {"LoginThrottle", "Session", "AuditEvent"}
    return {
        m.__name__: m._default_manager.count() for m in apps.get_models() if m.__name__ not in skip
    }


@pytest.mark.django_db
def test_it_redirects_anonymous_pages_to_login(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as(None).get(f"/enterprises/{world.a1.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL.join(["/accounts/", "/"])[:16])


@pytest.mark.django_db
def test_it_refuses_a_device_token_of_another_enterprise(world: World) -> None:
    _, clear = api_token_create(name="甲二门岗", created_by=None, enterprise=world.a2)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert client.get(f"/api/v1/enterprises/{world.a1.pk}").status_code == 404
    assert client.get(f"/api/v1/enterprises/{world.a2.pk}").status_code == 200
    listed = client.get("/api/v1/enterprises").json()
    assert [e["name"] for e in listed] == [world.a2.name]


@pytest.mark.django_db
def test_it_refuses_a_revoked_token(world: World) -> None:
    token, clear = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=_now())
    response = Client(HTTP_AUTHORIZATION=f"Bearer {clear}").get("/api/v1/enterprises")
    assert response.status_code == 401
    assert response.json()["detail"] == "未登录，或设备令牌无效、已吊销"


@pytest.mark.django_db
def test_it_keeps_personal_data_from_device_tokens(world: World) -> None:
    """A gate or lab token reads enterprises and units, never the staff ledger."""
    _, enterprise_token = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    _, park_token = api_token_create(name="甲园区", created_by=None, jurisdiction=world.park_a)
    for clear in (enterprise_token, park_token):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
        assert client.get(f"/api/v1/enterprises/{world.a1.pk}").status_code == 200
        listed = client.get(f"/api/v1/enterprises/{world.a1.pk}/people")
        assert listed.status_code == 200 and listed.json() == []
        assert client.get(f"/api/v1/people/{world.a1_person.pk}").status_code == 404
        _assert_nothing_leaks(
            client.get(f"/api/v1/parks/{world.park_a.pk}/id-conflicts").content,
            world,
            "token id-conflicts",
        )
        assert world.a1_person.name not in client.get("/api/v1/roster").content.decode()
