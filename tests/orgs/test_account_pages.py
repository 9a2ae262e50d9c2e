"""Accounts through the pages and the API: the issue's "Done when", and outsiders (issue 7 §1).

Z-2.1 / J-2.3: from an empty database a park admin creates an enterprise, its admin and its
epidemic officer; the officer hands out employee activation codes; each employee logs in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from parkguard.orgs import accounts
from parkguard.orgs.choices import JurisdictionKind, Role
from parkguard.orgs.models import AccountActivation, Enterprise, Membership, OrgUnit
from parkguard.orgs.services import jurisdiction_create
from tests.factories import PASSWORD, World, make_person, make_user, valid_credit_code

NEW_PASSWORD = "Zq7-hall-lantern"
CODE = re.compile(r'<span class="code">([\d ]+)</span>')


def _codes(html: str) -> list[str]:
    return [c.replace(" ", "") for c in CODE.findall(html)]


def _activate(login: str, code: str) -> Any:
    return Client().post(
        "/accounts/activate/",
        {"login": login, "code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def _login(username: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.mark.django_db
def test_it_takes_a_park_from_an_empty_database_to_employees_logged_in() -> None:
    """The issue's "Done when", through the pages a park admin and an officer use."""
    county = jurisdiction_create(name="云溪县", kind=JurisdictionKind.COUNTY)
    park = jurisdiction_create(name="云溪园区", kind=JurisdictionKind.PARK, parent=county)
    root = User.objects.create_superuser("root", password=PASSWORD)
    # Only a superuser appoints a park admin; from there on, the park runs itself.
    admin_client = _login("boss", _login_as_superuser_and_create_park_admin(root, park.pk))

    response = admin_client.post(
        "/enterprises/new/",
        {
            "name": "云溪精工有限公司",
            "credit_code": valid_credit_code(77),
            "jurisdiction": park.pk,
            "legal_representative": "王法人",
            "industry": "制造",
            "supervision_category": "industry",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    enterprise = Enterprise.objects.get(name="云溪精工有限公司")

    page = admin_client.get(f"/enterprises/{enterprise.pk}/accounts/")
    assert page.status_code == 200
    made = {}
    for login, role in [("yx-admin", Role.ENTERPRISE_ADMIN), ("yx-officer", Role.EPIDEMIC_OFFICER)]:
        response = admin_client.post(
            f"/enterprises/{enterprise.pk}/accounts/",
            {"login": login, "full_name": login, "role": role},
        )
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("max-age=0")  # codes are never cached
        (made[login],) = _codes(response.content.decode())
    for login, code in made.items():
        assert _activate(login, code).status_code == 302
    officer = _login("yx-officer")

    unit = OrgUnit.objects.create(enterprise=enterprise, kind="department", name="生产部")
    staff = [
        make_person(enterprise, name, 500 + i, org_unit=unit)
        for i, name in enumerate(["赵一", "钱二", "孙三"])
    ]
    listing = officer.get(f"/enterprises/{enterprise.pk}/logins/?unit={unit.pk}")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert all(p.name in body for p in staff) and staff[0].phone not in body
    sheet = officer.post(
        f"/enterprises/{enterprise.pk}/logins/",
        {
            "unit": unit.pk,
            "everyone": "on",
            "login_by": "number",
            "number_prefix": "YX",
            "start": 1,
        },
    )
    assert sheet.status_code == 200
    html = sheet.content.decode()
    codes = _codes(html)
    assert len(codes) == 3
    assert staff[0].phone_masked in html and staff[0].phone not in html
    for index, code in enumerate(codes, start=1):
        assert _activate(f"YX{index}", code).status_code == 302
        employee = _login(f"YX{index}")
        assert employee.get("/").status_code in (200, 302)
    links = Membership.objects.filter(enterprise=enterprise, role=Role.EMPLOYEE)
    assert {m.person_id for m in links} == {p.pk for p in staff}


def _login_as_superuser_and_create_park_admin(root: User, park_id: int) -> str:
    client = Client()
    client.force_login(root)
    sheet = client.post(
        f"/park/{park_id}/accounts/",
        {"login": "boss", "full_name": "周园区", "role": Role.PARK_ADMIN},
    )
    assert sheet.status_code == 200
    (code,) = _codes(sheet.content.decode())
    assert _activate("boss", code).status_code == 302
    return NEW_PASSWORD


@pytest.fixture
def a1_admin(world: World) -> User:
    user = make_user("a1_admin")
    Membership.objects.create(user=user, role=Role.ENTERPRISE_ADMIN, enterprise=world.a1)
    world.users["a1_admin"] = user
    return user


def _state(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    roles = sorted(Membership.objects.filter(user=user).values_list("role", "enterprise_id"))
    codes = sorted(AccountActivation.objects.filter(user=user).values_list("digest", "voided_at"))
    return (user.is_active, user.password, tuple(roles), tuple(codes))


@pytest.mark.django_db
def test_it_shows_and_changes_accounts_to_no_outsider_or_lower_role(
    world: World, a1_admin: User, client_as: Callable[[str | None], Client]
) -> None:
    """Another enterprise's officer, another park's admin, A1's own team leader and
    employee, and anonymous callers neither see nor change A1's accounts."""
    victims = [world.users["a1_employee"], world.users["a1_officer"], a1_admin]
    accounts.accounts_reset(
        scope=_superuser(), actor=None, users=[world.users["a1_employee"]], at=_now()
    )
    before = {u.pk: _state(u) for u in victims}
    e = world.a1.pk
    for persona in [None, "a2_officer", "park_b_admin", "a1_leader", "a1_employee"]:
        client = client_as(persona)
        for victim in victims:
            v = victim.pk
            for url in (f"/users/{v}/", f"/api/v1/users/{v}"):
                response = client.get(url)
                assert response.status_code in (302, 401, 403, 404), (persona, url)
                assert victim.username not in response.content.decode()
            for url, data in [
                (f"/users/{v}/deactivate/", {}),
                (f"/users/{v}/reset/", {}),
                (f"/users/{v}/roles/", {"grant": f"enterprise:{e}:gate_guard"}),
                (f"/users/{v}/roles/remove/", {"membership": _first_role(victim)}),
            ]:
                response = client.post(url, data)
                assert response.status_code in (302, 403, 404), (persona, url)
                if response.status_code == 302:
                    assert "/accounts/login/" in response["Location"], (persona, url)
            for url, body in [
                (f"/api/v1/users/{v}/deactivate", {}),
                (f"/api/v1/users/{v}/reset", {}),
                (f"/api/v1/users/{v}/roles", {"role": "gate_guard", "enterprise_id": e}),
                (
                    f"/api/v1/users/{v}/roles/remove",
                    {"membership_id": _first_role(victim)},
                ),
            ]:
                response = client.post(url, json.dumps(body), content_type="application/json")
                assert response.status_code in (401, 403, 404), (persona, url, response.content)
        for url in (f"/enterprises/{e}/accounts/", f"/api/v1/enterprises/{e}/accounts"):
            response = client.get(url)
            assert response.status_code in (302, 401, 403, 404), (persona, url)
        response = client.post(
            f"/enterprises/{e}/logins/", {"person_ids": [world.a1_person.pk], "login_by": "phone"}
        )
        assert response.status_code in (302, 403, 404), persona
        response = client.post(
            f"/api/v1/enterprises/{e}/employee-logins",
            json.dumps({"person_ids": [world.a1_person.pk]}),
            content_type="application/json",
        )
        assert response.status_code in (401, 403, 404), persona
    assert {u.pk: _state(u) for u in victims} == before
    assert not Membership.objects.filter(person=world.a1_person).exists()


@pytest.mark.django_db
def test_it_keeps_the_officer_to_employee_logins(
    world: World, a1_admin: User, client_as: Callable[[str | None], Client]
) -> None:
    """An officer sees and resets employee logins, not the admin's or the leader's."""
    officer = client_as("a1_officer")
    page = officer.get(f"/enterprises/{world.a1.pk}/accounts/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "a1_employee" in body and "a1_leader" not in body and "a1_admin" not in body
    before = _state(a1_admin)
    assert officer.post(f"/users/{a1_admin.pk}/deactivate/").status_code == 404
    response = officer.post(
        f"/enterprises/{world.a1.pk}/accounts/",
        {"login": "guard2", "full_name": "门岗", "role": Role.GATE_GUARD},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode() or "无权" in response.content.decode()
    assert not User.objects.filter(username="guard2").exists()
    assert _state(a1_admin) == before
    api = officer.post(
        f"/api/v1/enterprises/{world.a1.pk}/accounts",
        json.dumps({"login": "guard2", "full_name": "门岗", "role": "gate_guard"}),
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["detail"][0]["msg"] == accounts.ROLE_NOT_GRANTABLE
    assert not User.objects.filter(username="guard2").exists()


@pytest.mark.django_db
def test_it_deactivates_resets_and_reactivates_through_the_pages(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    officer = client_as("a1_officer")
    employee = world.users["a1_employee"]
    detail = officer.get(f"/users/{employee.pk}/")
    assert detail.status_code == 200 and "停用账号" in detail.content.decode()
    assert officer.post(f"/users/{employee.pk}/deactivate/").status_code == 302
    employee.refresh_from_db()
    assert not employee.is_active
    refused = officer.post(f"/users/{employee.pk}/reset/", follow=True)
    assert accounts.ACCOUNT_INACTIVE_RESET in refused.content.decode()
    assert officer.post(f"/users/{employee.pk}/reactivate/").status_code == 302
    sheet = officer.post(f"/users/{employee.pk}/reset/")
    (code,) = _codes(sheet.content.decode())
    employee.refresh_from_db()
    assert employee.is_active and not employee.has_usable_password()
    assert _activate("a1_employee", code).status_code == 302
    _login("a1_employee")
    again = _activate("a1_employee", code)
    assert accounts.ACTIVATION_USED in again.content.decode()


@pytest.mark.django_db
def test_it_answers_bad_activation_input_in_chinese_on_the_page(world: World) -> None:
    page = _activate("nobody", "123412341234")
    assert page.status_code == 200
    assert accounts.ACTIVATION_FAILED in page.content.decode()
    api = Client().post(
        "/api/v1/accounts/activate",
        json.dumps({"login": "nobody", "code": "1", "password1": "x", "password2": "x"}),
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["detail"][0]["msg"] == accounts.ACTIVATION_FAILED


@pytest.mark.django_db
def test_it_links_accounts_from_the_nav_of_those_who_manage_them(
    world: World, a1_admin: User, client_as: Callable[[str | None], Client]
) -> None:
    for persona in ("park_a_admin", "a1_officer", "a1_admin"):
        page = client_as(persona).get("/enterprises/")
        assert 'href="/accounts/"' in page.content.decode(), persona
    for persona in ("a1_leader", "a1_employee", "liaison_a"):
        page = client_as(persona).get("/enterprises/")
        assert 'href="/accounts/"' not in page.content.decode(), persona
    assert client_as("a1_employee").get("/accounts/").status_code == 403
    assert client_as("park_a_admin").get("/accounts/").status_code == 200
    assert client_as("a1_officer").get("/accounts/").status_code == 302


def _first_role(user: User) -> int:
    return Membership.objects.filter(user=user).values_list("pk", flat=True)[0]


def _superuser() -> Any:
    from parkguard.orgs.access import Scope

    return Scope(superuser=True)


def _now() -> Any:
    from tests.orgs.test_accounts import AT

    return AT
