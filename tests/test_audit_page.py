"""The audit log page (issue 18 §1: "searchable by park admins in Chinese").

Who reads which entries is decided by `orgs.access` ("read_audit"): a park admin reads its
park's entries, its enterprises' and its own people's logins; an enterprise officer its
enterprise's; lower roles nothing; another park nothing of park A.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkguard.audit.models import AuditEvent
from parkguard.audit.services import audit_record
from parkguard.orgs.access import scope_for_user, visible
from tests.factories import World, valid_id

URL = "/audit/"


def _at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2022, 11, day, hour, 0))


@pytest.fixture
def entries(world: World) -> dict[str, AuditEvent]:
    """Entries of park A (its enterprise A1, the park itself, a login of A1's officer), of
    park B, and a failed login that names no one."""
    u = world.users
    u["a1_officer"].first_name = "甲一周官"
    u["a1_officer"].save()
    return {
        "a1_reveal": audit_record(
            actor=u["a1_officer"],
            action="id_reveal",
            at=_at(10),
            target=world.a1_person,
            enterprise_id=world.a1.pk,
            reason="甲一流调核对身份",
        ),
        "a2_export": audit_record(
            actor=u["a2_officer"],
            action="person_export",
            at=_at(12),
            enterprise_id=world.a2.pk,
            jurisdiction_id=world.park_a.pk,
            reason="甲二月度报送",
        ),
        "park_a_pack": audit_record(
            actor=u["park_a_admin"],
            action="pack_adopt",
            at=_at(14),
            jurisdiction_id=world.park_a.pk,
            reason="甲园区采用新规则",
        ),
        "a1_login": audit_record(actor=u["a1_officer"], action="login", at=_at(15)),
        "b1_export": audit_record(
            actor=u["park_b_admin"],
            action="person_export",
            at=_at(13),
            enterprise_id=world.b1.pk,
            jurisdiction_id=world.park_b.pk,
            reason="乙园区导出台账",
        ),
        "b_login": audit_record(actor=u["park_b_admin"], action="login", at=_at(16)),
        "failed": audit_record(
            actor=None, action="login_failed", at=_at(17), detail={"username": "138****0101"}
        ),
    }


def _reasons(response: object) -> set[str]:
    rows = response.context["rows"]  # type: ignore[attr-defined]
    return {r.reason for r in rows}


def _visible_ids(world: World, persona: str) -> set[int]:
    scope = scope_for_user(world.users[persona])
    return set(visible(scope, AuditEvent, "read_audit").values_list("pk", flat=True))


@pytest.mark.django_db
def test_park_admin_sees_park_entries_newest_first_in_chinese(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_a_admin").get(URL)
    assert response.status_code == 200
    rows = response.context["rows"]
    # A1's entry (enterprise only), A2's, the park's own and A1's officer's login; nothing
    # of park B, and no failed login (it names no one).
    assert [r.action for r in rows] == [
        "登录",
        "采用规则包",
        "导出人员台账（脱敏）",
        "查看完整身份证号",
    ]
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    body = response.content.decode()
    assert "甲一流调核对身份" in body and "甲一精工有限公司" in body
    assert "2022-11-10 10:00:00" in body  # local time, as written
    assert "甲一周官（a1_officer）" in body
    assert "乙园区" not in body and "登录失败" not in body.split("<tbody>")[1]
    assert reverse("audit_list") == URL


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "pack_adopt"}, {"甲园区采用新规则"}),
        ({"actor": "a2_off"}, {"甲二月度报送"}),
        ({"actor": "周官"}, {"甲一流调核对身份", ""}),  # display name: the reveal and the login
        ({"text": "月度"}, {"甲二月度报送"}),
        ({"text": "人员"}, {"甲一流调核对身份"}),  # the object's Chinese name (Person)
        (
            {"date_from": "2022-11-12", "date_to": "2022-11-14"},
            {"甲二月度报送", "甲园区采用新规则"},
        ),
        ({"date_to": "2022-11-10"}, {"甲一流调核对身份"}),
    ],
)
def test_park_admin_finds_an_entry_by_each_filter(
    world: World,
    entries: dict[str, AuditEvent],
    client_as: Callable[[str | None], Client],
    query: dict[str, str],
    expected: set[str],
) -> None:
    response = client_as("park_a_admin").get(URL, query)
    assert response.status_code == 200
    assert _reasons(response) == expected


@pytest.mark.django_db
def test_park_admin_filters_by_enterprise_of_the_park_only(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("park_a_admin")
    assert _reasons(client.get(URL, {"enterprise": world.a1.pk})) == {"甲一流调核对身份"}
    # Park B's enterprise is not a choice: a Chinese field error, and no entries at all.
    response = client.get(URL, {"enterprise": world.b1.pk})
    assert response.status_code == 200
    assert "请从列表中选择企业" in response.content.decode()
    assert response.context["rows"] == []


@pytest.mark.django_db
def test_a_bad_date_range_gives_a_chinese_field_error(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_a_admin").get(
        URL, {"date_from": "2022-11-14", "date_to": "2022-11-12"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"date_to": ["结束日期不能早于开始日期"]}
    assert "结束日期：结束日期不能早于开始日期" in response.content.decode()
    assert response.context["rows"] == []
    bad = client_as("park_a_admin").get(URL, {"date_from": "2022-13-40"})
    assert bad.status_code == 200
    assert "请输入有效的日期" in bad.content.decode()


@pytest.mark.django_db
def test_enterprise_officer_sees_only_their_enterprise(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("a1_officer").get(URL)
    assert response.status_code == 200
    assert _reasons(response) == {"甲一流调核对身份"}
    assert _visible_ids(world, "a2_officer") == {entries["a2_export"].pk}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["a1_employee", "a1_leader", "a1_guard", "liaison_a"])
def test_lower_roles_are_refused(
    world: World,
    entries: dict[str, AuditEvent],
    client_as: Callable[[str | None], Client],
    persona: str,
) -> None:
    response = client_as(persona).get(URL)
    assert response.status_code == 403
    assert "甲一流调核对身份" not in response.content.decode()
    assert _visible_ids(world, persona) == set()


@pytest.mark.django_db
def test_another_parks_admin_never_sees_park_a(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_b_admin").get(URL)
    assert response.status_code == 200
    assert _reasons(response) == {"乙园区导出台账", ""}  # its export and its own login
    body = response.content.decode()
    assert "甲" not in body.split("<tbody>")[1]
    assert _visible_ids(world, "park_b_admin") == {entries["b1_export"].pk, entries["b_login"].pk}
    # Searching park A's enterprise by id finds nothing either.
    assert client_as("park_b_admin").get(URL, {"enterprise": world.a1.pk}).context["rows"] == []


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    response = client_as(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_no_phone_or_id_number_is_shown(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """Entries hold masked data (login_label); the page masks digit runs again, whatever a
    reason was written with, and never shows an entry's detail."""
    phone_user = world.users["a1_employee"]
    phone_user.username = "13812345678"
    phone_user.save()
    person = world.a1_person
    id_number = valid_id(101)  # A1's person's, as built
    audit_record(
        actor=phone_user,
        action="phone_reveal",
        at=_at(11),
        target=person,
        enterprise_id=world.a1.pk,
        reason=f"回电 {person.phone}，核对 {id_number}",
        detail={"phone": person.phone},
    )
    event = AuditEvent.objects.get(action="phone_reveal")
    assert event.actor_label == "138****5678"
    body = client_as("park_a_admin").get(URL).content.decode()
    assert "138****5678" in body and "回电" in body
    assert person.phone not in body
    assert id_number not in body and id_number[-6:] not in body
    assert "13812345678" not in body


@pytest.mark.django_db
def test_the_page_is_paginated(world: World, client_as: Callable[[str | None], Client]) -> None:
    for i in range(55):
        audit_record(
            actor=world.users["park_a_admin"],
            action="pack_adopt",
            at=_at(1) + dt.timedelta(minutes=i),
            jurisdiction_id=world.park_a.pk,
            reason=f"第{i}次",
        )
    client = client_as("park_a_admin")
    first = client.get(URL, {"action": "pack_adopt"})
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0].reason == "第54次"
    second = client.get(URL, {"action": "pack_adopt", "page": "2"})
    assert [r.reason for r in second.context["rows"]] == [f"第{i}次" for i in range(4, -1, -1)]
    assert "第 2 / 2 页" in second.content.decode()
