"""Ledger pages and API (issue 4, items 2, 4, 5): scoped, masked, reveals audited.

Requirements: B-2.2 (personal file), J-2.1 (community roster), J-1.5b (household,
vaccination), J-1.5c (wide-contact posts), Z-5.2a (every category).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import SYSTEM, scope_for_user, visible
from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.services import api_token_create, jurisdiction_create
from parkguard.people import identity, selectors, services
from parkguard.people.identity import id_decrypt
from parkguard.people.models import HouseholdMember, IdConflictReview, Person
from tests.factories import TODAY, World, adopt, make_person, valid_id

Clients = Callable[[str | None], Client]


def _clear(person: Person) -> str:
    return id_decrypt(person.id_encrypted)


def _rows(response_content: bytes) -> list[list[Any]]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response_content)).get_sheet_by_index(0)
    return sheet.to_python()


def test_it_shows_an_employee_only_themselves(world: World, client_as: Clients) -> None:
    client = client_as("a1_employee")
    page = client.get(f"/enterprises/{world.a1.pk}/people/").content.decode()
    assert world.a1_employee_person.name in page
    assert world.a1_person.name not in page
    assert client.get(f"/people/{world.a1_person.pk}/").status_code == 404
    assert client.get(f"/people/{world.a1_employee_person.pk}/").status_code == 200
    listed = client.get(f"/api/v1/enterprises/{world.a1.pk}/people").json()
    assert [p["name"] for p in listed] == [world.a1_employee_person.name]


def test_it_shows_a_team_leader_only_their_unit(world: World, client_as: Clients) -> None:
    page = client_as("a1_leader").get(f"/enterprises/{world.a1.pk}/people/").content.decode()
    assert world.a1_person.name in page
    assert world.a1_employee_person.name not in page


def test_it_gives_the_liaison_a_roster_of_their_community_only(
    world: World, client_as: Clients
) -> None:
    """J-2.1: the community's roster of residents across enterprises, current status."""
    make_person(world.a2, "甲二社区甲", 401, home_community=world.community_a)
    make_person(world.b1, "乙一社区甲", 402, home_community=world.community_a)
    client = client_as("liaison_a")
    page = client.get("/roster/").content.decode()
    for name in ["甲一张三", "甲二社区甲", "乙一社区甲"]:
        assert name in page
    for name in [world.a1_employee_person.name, world.a2_person.name, world.b1_person.name]:
        assert name not in page
    assert world.a1_person.id_masked in page and _clear(world.a1_person) not in page
    assert client.get(f"/roster/?community={world.community_b.pk}").status_code == 404
    assert client.get(f"/people/{world.a2_person.pk}/").status_code == 404
    api = client.get("/api/v1/roster").json()
    assert sorted(p["name"] for p in api) == ["乙一社区甲", "甲一张三", "甲二社区甲"]
    assert client.get("/people/").status_code == 302


def test_it_pages_a_long_roster_and_keeps_each_enterprises_count(
    world: World, client_as: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A community of a thousand residents was one 1 MB page with a reveal form per row
    (seconds to open on a phone): the roster comes a page at a time, grouped as before,
    each enterprise still with its whole count, and the last page reaches everyone."""
    from parkguard.people import views

    monkeypatch.setattr(views, "ROSTER_PAGE_SIZE", 2)
    make_person(world.a1, "甲一社区乙", 403, home_community=world.community_a)
    make_person(world.a2, "甲二社区甲", 401, home_community=world.community_a)
    client = client_as("liaison_a")
    first = client.get("/roster/").content.decode()
    assert "第 1 / 2 页" in first and "page=2" in first
    assert "本社区 2 人" in first  # 甲一's group counts both of its residents
    assert "甲二社区甲" not in first
    second = client.get("/roster/?page=2").content.decode()
    assert "甲二社区甲" in second and "甲一社区乙" not in second and "甲一张三" not in second
    assert "上一页" in second and "下一页" not in second


def test_it_hides_another_enterprises_people(world: World, client_as: Clients) -> None:
    client = client_as("a2_officer")
    assert client.get(f"/people/{world.a1_person.pk}/").status_code == 404
    assert client.get(f"/enterprises/{world.a1.pk}/people/").status_code == 404
    assert client.get(f"/api/v1/people/{world.a1_person.pk}").status_code == 404
    reveal = client.post(
        f"/api/v1/people/{world.a1_person.pk}/reveal",
        json.dumps({"reason": "核对身份信息"}),
        content_type="application/json",
    )
    assert reveal.status_code == 404


def test_it_shows_the_personal_file_masked(world: World, client_as: Clients) -> None:
    """B-2.2: the person's page is their personal file; no clear ID without a reveal."""
    HouseholdMember.objects.create(
        person=world.a1_person, name="家属甲", relation="配偶", phone="13900001111"
    )
    page = client_as("a1_officer").get(f"/people/{world.a1_person.pk}/").content.decode()
    assert world.a1_person.id_masked in page
    assert _clear(world.a1_person) not in page
    assert world.a1_person.phone not in page and world.a1_person.phone_masked in page
    assert "家属甲" in page and "139****1111" in page and "13900001111" not in page
    assert "建档" in page  # employment history


def test_it_reveals_an_id_with_a_reason_and_audits_it(world: World, client_as: Clients) -> None:
    clear = _clear(world.a1_person)
    client = client_as("a1_officer")
    refused = client.post(f"/people/{world.a1_person.pk}/reveal/", {"reason": ""})
    assert clear not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="id_reveal").exists()
    shown = client.post(f"/people/{world.a1_person.pk}/reveal/", {"reason": "核对核酸检测登记信息"})
    assert clear in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="id_reveal")
    assert event.reason == "核对核酸检测登记信息"
    assert event.target_id == str(world.a1_person.pk)
    assert clear not in json.dumps(event.detail, ensure_ascii=False)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("a1_officer", True),
        ("park_a_admin", True),
        ("a1_leader", False),
        ("a1_employee", False),
        ("liaison_a", False),
        ("a2_officer", False),
        ("park_b_admin", False),
    ],
)
def test_it_lets_only_officers_and_park_admins_reveal(
    world: World, client_as: Clients, persona: str, allowed: bool
) -> None:
    target = world.a1_employee_person if persona == "a1_employee" else world.a1_person
    response = client_as(persona).post(f"/people/{target.pk}/reveal/", {"reason": "核对身份信息"})
    assert (_clear(target) in response.content.decode()) is allowed
    assert AuditEvent.objects.filter(action="id_reveal").exists() is allowed


def test_it_reveals_through_the_api_with_a_reason(world: World, client_as: Clients) -> None:
    client = client_as("park_a_admin")
    url = f"/api/v1/people/{world.a1_person.pk}/reveal"
    short = client.post(url, json.dumps({"reason": "查"}), content_type="application/json")
    assert short.status_code == 422
    assert short.json()["detail"][0]["msg"] == services.REASON_REQUIRED
    ok = client.post(url, json.dumps({"reason": "核对检测信息"}), content_type="application/json")
    assert ok.json() == {"id_number": _clear(world.a1_person)}
    assert AuditEvent.objects.filter(action="id_reveal").count() == 1


def test_it_never_reveals_to_a_device_token(world: World) -> None:
    _, clear = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    response = client.post(
        f"/api/v1/people/{world.a1_person.pk}/reveal",
        json.dumps({"reason": "核对身份信息"}),
        content_type="application/json",
    )
    # Device tokens read no personal data at all (orgs.access: scope_token_readable).
    assert response.status_code == 404
    assert _clear(world.a1_person) not in response.content.decode()
    assert not AuditEvent.objects.filter(action="id_reveal").exists()
    assert client.get(f"/api/v1/enterprises/{world.a1.pk}/people").json() == []
    assert client.get(f"/api/v1/people/{world.a1_person.pk}").status_code == 404


def test_it_exports_the_ledger_masked_by_default(world: World, client_as: Clients) -> None:
    response = client_as("a1_officer").get(f"/enterprises/{world.a1.pk}/people/export/")
    assert response.status_code == 200
    text = str(_rows(response.content))
    assert world.a1_person.id_masked in text and _clear(world.a1_person) not in text
    assert world.a1_person.phone not in text
    event = AuditEvent.objects.get(action="person_export")
    assert event.detail == {"rows": 2, "masked": True}


def test_it_exports_full_numbers_only_with_a_recorded_reason(
    world: World, client_as: Clients
) -> None:
    url = f"/enterprises/{world.a1.pk}/people/export/"
    client = client_as("a1_officer")
    form = client.post(url + "?unmasked=1", {"reason": ""})
    assert form.status_code == 200 and "spreadsheetml" not in form["Content-Type"]
    full = client.post(url, {"reason": "报送街道核酸检测名单"})
    assert "spreadsheetml" in full["Content-Type"]
    assert _clear(world.a1_person) in str(_rows(full.content))
    assert AuditEvent.objects.get(action="person_export_unmasked").reason == "报送街道核酸检测名单"
    leader = client_as("a1_leader").post(url, {"reason": "报送街道核酸检测名单"})
    assert leader.status_code == 403


def test_it_neutralises_formulas_in_exports(world: World, client_as: Clients) -> None:
    make_person(world.a1, '=HYPERLINK("http://x","点我")', 103, post="@SUM(A1)")
    make_person(world.a1, "+cmd", 104, dormitory="-2+3")
    rows = _rows(client_as("a1_officer").get(f"/enterprises/{world.a1.pk}/people/export/").content)
    cells = [str(c) for r in rows for c in r]
    assert '\'=HYPERLINK("http://x","点我")' in cells
    assert "'@SUM(A1)" in cells and "'+cmd" in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "@", "-")) for c in cells)


def test_it_prints_the_ledger_masked(world: World, client_as: Clients) -> None:
    page = client_as("a1_officer").get(f"/enterprises/{world.a1.pk}/people/print/")
    text = page.content.decode()
    assert world.a1_person.id_masked in text and _clear(world.a1_person) not in text
    assert "企业负责人（签字）" in text


def test_it_filters_the_ledger(world: World, client_as: Clients) -> None:
    """Filters: category, org unit, status, post, wide-contact posts (J-1.5c), ID tail search."""
    guard = make_person(world.a1, "甲一保安", 105, post="保安", wide_contact=True)
    intern = make_person(world.a1, "甲一实习", 106, category="intern")
    client = client_as("a1_officer")
    url = f"/enterprises/{world.a1.pk}/people/"

    def names(query: str) -> set[str]:
        body = client.get(url + "?" + query, HTTP_HX_REQUEST="true").content.decode()
        return {p.name for p in Person.objects.filter(enterprise=world.a1) if p.name in body}

    assert names("wide_contact=1") == {guard.name}
    assert names("category=intern") == {intern.name}
    assert names(f"org_unit={world.a1_unit.pk}") == {world.a1_person.name}
    assert names("post=保安") == {guard.name}
    assert names(f"q={_clear(guard)[-4:]}") == {guard.name}
    assert names("q=实习") == {intern.name}
    assert names("status=left") == set()


def test_it_creates_a_person_with_field_errors_in_chinese(world: World, client_as: Clients) -> None:
    adopt(world.park_a)  # J-1.5c: the J pack asks for the agency of outsourced staff
    client = client_as("a1_officer")
    url = f"/enterprises/{world.a1.pk}/people/new/"
    before = Person.objects.count()
    bad = client.post(
        url,
        {
            "name": "新员工",
            "id_number": _clear(world.a2_person)[:17],
            "phone": "123",
            "category": "outsourced",
            "vaccination_doses": 2,
            "status": "active",
        },
    )
    page = bad.content.decode()
    assert identity.ID_LENGTH in page and identity.PHONE_INVALID in page
    assert services.AGENCY_REQUIRED in page
    assert Person.objects.count() == before
    good = client.post(
        url,
        {
            "name": "新员工",
            "id_number": _clear(world.a2_person),
            "phone": "13900002222",
            "category": "regular",
            "vaccination_doses": 2,
            "status": "active",
        },
    )
    assert good.status_code == 302
    duplicate = client.post(
        url,
        {
            "name": "又一人",
            "id_number": _clear(world.a1_person),
            "phone": "13900002223",
            "category": "regular",
            "vaccination_doses": 0,
            "status": "active",
        },
    )
    assert services.PERSON_DUPLICATE in duplicate.content.decode()


def test_it_edits_a_person_and_keeps_the_id_unless_corrected(
    world: World, client_as: Clients
) -> None:
    person = world.a1_person
    response = client_as("a1_officer").post(
        f"/people/{person.pk}/edit/",
        {
            "name": "甲一张三",
            "id_number": "",
            "phone": "",
            "category": "regular",
            "org_unit": world.a1_unit.pk,
            "post": "食堂",
            "wide_contact": "on",
            "vaccination_doses": 3,
            "status": "active",
            "home_community": world.community_a.pk,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.post, person.vaccination_doses, person.wide_contact) == ("食堂", 3, True)
    assert _clear(person) == id_decrypt(world.a1_person.id_encrypted)
    assert person.phone == "13800000101"


def test_it_shows_the_park_the_same_id_in_two_enterprises(world: World, client_as: Clients) -> None:
    """The same ID in two enterprises of the park is a conflict to resolve."""
    twin = services.person_create(
        scope=SYSTEM,
        enterprise=world.a2,
        id_number=_clear(world.a1_person),
        phone="13900003333",
        today=TODAY,
        name="甲二张三",
        category="labour_dispatch",
        labour_agency="某劳务",
    )
    services.person_create(
        scope=SYSTEM,
        enterprise=world.b1,
        id_number=_clear(world.a2_person),
        phone="13900003334",
        today=TODAY,
        name="乙一另一园区",
        category="regular",
    )
    url = f"/park/{world.park_a.pk}/id-conflicts/"
    client = client_as("park_a_admin")
    page = client.get(url).content.decode()
    assert twin.name in page and world.a1_person.name in page
    assert "乙一另一园区" not in page  # another park's enterprise is not this park's conflict
    assert _clear(world.a1_person) not in page
    assert client_as("a2_officer").get(url).status_code == 404
    api = client.get(f"/api/v1/parks/{world.park_a.pk}/id-conflicts").json()
    assert [len(c["people"]) for c in api] == [2]
    client.post(url, {"id_digest": twin.id_digest, "note": "派遣人员两处服务，已核实"})
    review = IdConflictReview.objects.get()
    assert review.note == "派遣人员两处服务，已核实"
    assert AuditEvent.objects.filter(action="id_conflict_review").exists()


def test_it_adds_household_members(world: World, client_as: Clients) -> None:
    """J-1.5b: people who live with the employee."""
    client = client_as("a1_officer")
    url = f"/people/{world.a1_person.pk}/household/"
    bad = client.post(url, {"name": "家属", "relation": "子女", "phone": "123"})
    assert identity.PHONE_INVALID in bad.content.decode()
    client.post(url, {"name": "家属", "relation": "子女", "phone": "13900004444"})
    assert world.a1_person.household.get().phone == "13900004444"
    assert client_as("a1_employee").post(url, {"name": "x", "relation": "y"}).status_code == 404


def test_it_creates_through_the_api_with_chinese_field_errors(
    world: World, client_as: Clients
) -> None:
    client = client_as("a1_officer")
    url = f"/api/v1/enterprises/{world.a1.pk}/people"
    body = {"name": "接口员工", "id_number": "123", "phone": "1", "category": "regular"}
    bad = client.post(url, json.dumps(body), content_type="application/json")
    assert bad.status_code == 422
    errors = {e["loc"][-1]: e["msg"] for e in bad.json()["detail"]}
    assert errors == {"id_number": identity.ID_LENGTH, "phone": identity.PHONE_INVALID}
    enum = client.post(
        url, json.dumps({**body, "category": "boss"}), content_type="application/json"
    )
    assert enum.status_code == 422 and "取值不在允许范围内" in enum.json()["detail"][0]["msg"]
    body.update(id_number=_clear(world.a2_person), phone="13900005555")
    ok = client.post(url, json.dumps(body), content_type="application/json")
    assert ok.status_code == 201 and ok.json()["id_masked"] == world.a2_person.id_masked
    assert "id_number" not in ok.json()
    employee = client_as("a1_employee").post(url, json.dumps(body), content_type="application/json")
    assert employee.status_code == 403


def test_it_clears_the_grid_when_only_the_community_changes(
    world: World, client_as: Clients
) -> None:
    """B-1.2/J-2.1: a grid belongs to its community; moving community drops the old grid."""
    grid_a = jurisdiction_create(
        name="甲社区一网格", kind=JurisdictionKind.GRID, parent=world.community_a
    )
    grid_b = jurisdiction_create(
        name="乙社区一网格", kind=JurisdictionKind.GRID, parent=world.community_b
    )
    person = world.a1_person
    services.person_update(scope=SYSTEM, person=person, today=TODAY, home_grid=grid_a)
    client = client_as("a1_officer")
    url = f"/api/v1/people/{person.pk}"

    moved = client.patch(
        url,
        json.dumps({"home_community_id": world.community_b.pk}),
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["home_community_id"] == world.community_b.pk
    assert moved.json()["home_grid_id"] is None
    person.refresh_from_db()
    assert (person.home_community_id, person.home_grid_id) == (world.community_b.pk, None)

    # A grid of another community is still a Chinese field error, naming home_grid_id.
    wrong = client.patch(
        url, json.dumps({"home_grid_id": grid_a.pk}), content_type="application/json"
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == [
        {"loc": ["body", "payload", "home_grid_id"], "msg": services.GRID_INVALID}
    ]
    both = client.patch(
        url,
        json.dumps({"home_community_id": world.community_a.pk, "home_grid_id": grid_b.pk}),
        content_type="application/json",
    )
    assert both.status_code == 422
    # Community and a grid of it in one request; the same community again keeps the grid.
    ok = client.patch(
        url,
        json.dumps({"home_community_id": world.community_b.pk, "home_grid_id": grid_b.pk}),
        content_type="application/json",
    )
    assert ok.json()["home_grid_id"] == grid_b.pk
    same = client.patch(
        url,
        json.dumps({"home_community_id": world.community_b.pk}),
        content_type="application/json",
    )
    assert same.json()["home_grid_id"] == grid_b.pk
    cleared = client.patch(
        url, json.dumps({"home_community_id": None}), content_type="application/json"
    )
    assert cleared.json()["home_grid_id"] is None


def test_it_hides_household_members_from_a_team_leader(world: World, client_as: Clients) -> None:
    """J-1.5b: household members are read through `visible()` like everything else.

    A team leader sees the files of their unit but not the people living with them
    (docs/people.md); the enterprise's officers, the park, the community and the
    employee themselves do.
    """
    HouseholdMember.objects.create(
        person=world.a1_person, name="家属甲", relation="配偶", phone="13900001111"
    )
    leader = client_as("a1_leader")
    page = leader.get(f"/people/{world.a1_person.pk}/")
    assert page.status_code == 200
    assert "家属甲" not in page.content.decode() and "139****1111" not in page.content.decode()
    assert selectors.HOUSEHOLD_HIDDEN in page.content.decode()
    api = leader.get(f"/api/v1/people/{world.a1_person.pk}")
    assert api.status_code == 200 and api.json()["household"] == []
    for persona in ("a1_officer", "park_a_admin", "liaison_a"):
        client = client_as(persona)
        assert "家属甲" in client.get(f"/people/{world.a1_person.pk}/").content.decode()
        household = client.get(f"/api/v1/people/{world.a1_person.pk}").json()["household"]
        assert [m["name"] for m in household] == ["家属甲"]


@pytest.mark.parametrize(
    "persona", ["a1_officer", "park_a_admin", "a1_leader", "liaison_a", "a1_employee"]
)
def test_it_decides_household_visibility_as_visible_does(
    world: World, client_as: Clients, persona: str
) -> None:
    """`selectors.can_see_household` (which picks the page's wording) agrees with `visible()`."""
    for person in Person.objects.all():
        HouseholdMember.objects.create(person=person, name=f"家属{person.pk}", relation="子女")
    scope = scope_for_user(world.users[persona])
    for person in visible(scope, Person).select_related("enterprise"):
        shown = visible(scope, HouseholdMember).filter(person=person).exists()
        assert selectors.can_see_household(scope, person) is shown, person.name


def test_it_keeps_a_change_history_and_audits_id_corrections(
    world: World, client_as: Clients
) -> None:
    """B-2.2: the personal file shows who changed what and when; IDs only ever masked.

    Correcting an ID number is audited with the old and new masked values only.
    """
    person = world.a1_person
    old_clear, old_masked = _clear(person), person.id_masked
    new_clear = valid_id(777)
    response = client_as("a1_officer").post(
        f"/people/{person.pk}/edit/",
        {
            "name": person.name,
            "id_number": new_clear,
            "phone": "",
            "category": "regular",
            "org_unit": world.a1_unit.pk,
            "post": "质检",
            "vaccination_doses": 0,
            "status": "active",
            "home_community": world.community_a.pk,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert _clear(person) == new_clear and person.id_masked != old_masked

    latest = person.history.first()
    assert latest is not None and latest.history_type == "~"
    assert latest.history_user == world.users["a1_officer"]
    assert person.history.count() == 2  # 建档, then this edit
    tracked = {f.name for f in type(latest)._meta.fields}
    assert "id_encrypted" not in tracked  # no old ciphertext outlives a correction

    event = AuditEvent.objects.get(action="id_correct")
    assert event.target_id == str(person.pk) and event.actor == world.users["a1_officer"]
    assert event.detail == {"old": old_masked, "new": person.id_masked}
    logged = json.dumps(event.detail, ensure_ascii=False)
    assert old_clear not in logged and new_clear not in logged

    for persona in ("a1_officer", "a1_leader"):
        page = client_as(persona).get(f"/people/{person.pk}/").content.decode()
        assert "变更记录" in page
        assert "a1_officer" in page and "身份证号" in page and "岗位" in page and "建档" in page
        assert old_clear not in page and new_clear not in page
        assert old_masked not in page  # the old number is not even shown masked on the page

    # Without a correction there is no id_correct event.
    services.person_update(scope=SYSTEM, person=person, today=TODAY, post="仓管")
    assert AuditEvent.objects.filter(action="id_correct").count() == 1
    assert person.history.count() == 3
