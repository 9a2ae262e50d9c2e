"""The demo county is deterministic, idempotent and realistic (issue: foundation, item 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from stdnum.cn import ric, uscc

from parkguard.demo.builder import DEMO_PASSWORD, DEMO_USERNAMES
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership, OrgUnit
from parkguard.people.choices import StaffCategory
from parkguard.people.identity import id_decrypt
from parkguard.people.models import Person
from parkguard.rules.params import large_enterprise_headcount


def snapshot() -> tuple[object, ...]:
    return (
        list(Enterprise.objects.order_by("name").values_list("name", "credit_code")),
        Person.objects.count(),
        list(Person.objects.order_by("id_digest").values_list("id_digest", "name")[:50]),
        OrgUnit.objects.count(),
        Membership.objects.count(),
        Jurisdiction.objects.count(),
    )


@pytest.mark.django_db
def test_it_builds_the_same_demo_county_twice_without_duplicates() -> None:
    call_command("demo_load", verbosity=0)
    first = snapshot()
    call_command("demo_load", verbosity=0)
    assert snapshot() == first
    call_command("demo_load", "--if-empty", verbosity=0)
    assert snapshot() == first


@pytest.mark.django_db
def test_it_builds_a_realistic_county() -> None:
    call_command("demo_load", verbosity=0)
    parks = Jurisdiction.objects.filter(kind="park")
    assert parks.count() == 2
    sizes = dict(Enterprise.objects.annotate(n=Count("people")).values_list("name", "n"))
    assert 10 <= len(sizes) <= 14
    assert 2800 <= sum(sizes.values()) <= 3200
    park_a = parks.get(name="云溪工业园区")
    threshold = large_enterprise_headcount(park=park_a, on=dt.date(2022, 11, 20))
    assert threshold is not None  # park A follows notice J, which sets the 200+ measures
    assert max(sizes.values()) >= threshold
    assert Enterprise.objects.filter(whitelisted=True).exists()
    assert all(
        uscc.is_valid(code) for code in Enterprise.objects.values_list("credit_code", flat=True)
    )
    categories = set(Person.objects.values_list("category", flat=True))
    assert categories == set(StaffCategory.values)
    for person in Person.objects.order_by("?")[:50]:
        number = id_decrypt(person.id_encrypted)
        assert ric.is_valid(number)
        assert person.id_masked == f"{number[:3]}{'*' * 13}{number[-2:]}"
    assert OrgUnit.objects.filter(kind="team").count() >= 12


@pytest.mark.django_db
def test_it_gives_every_demo_login_a_working_home_page() -> None:
    call_command("demo_load", verbosity=0)
    for username in DEMO_USERNAMES:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD), username
        response = client.get("/", follow=True)
        assert response.status_code == 200, username
        if username == "employee":
            me = Membership.objects.get(user__username="employee").person
            assert me is not None
            assert f"/people/{me.pk}/" in response.content.decode()  # their own file


@pytest.mark.django_db
def test_h_3_each_demo_park_has_its_own_supervising_offices() -> None:
    """H-3: park B keeps notice H's offices (cited); park A has its own; each enterprise
    names an office of its own park."""
    from parkguard.orgs.models import SupervisionOffice

    call_command("demo_load", verbosity=0)
    park_b = Jurisdiction.objects.get(name="东岭产业园")
    b_offices = SupervisionOffice.objects.filter(jurisdiction=park_b)
    assert set(b_offices.values_list("name", flat=True)) == {"应急办", "经发办", "规环办", "市监所"}
    assert all("红炉府发〔2021〕10号" in o.basis for o in b_offices)
    a_names = set(
        SupervisionOffice.objects.filter(jurisdiction__name="云溪工业园区").values_list(
            "name", flat=True
        )
    )
    assert a_names and a_names.isdisjoint({"应急办", "规环办"})
    for e in Enterprise.objects.select_related("supervision_office"):
        assert e.supervision_office is not None, e.name
        assert e.supervision_office.jurisdiction_id == e.jurisdiction_id, e.name


@pytest.mark.django_db
def test_it_leaves_the_demo_officer_a_sheet_of_pending_employee_logins() -> None:
    """Issue 7 §1: a few employee logins wait for activation; the officer reissues and prints."""
    call_command("demo_load", verbosity=0)
    from parkguard.demo.builder import DEMO_PENDING_COUNT

    officer = Client()
    assert officer.login(username="officer", password=DEMO_PASSWORD)
    a1 = Membership.objects.get(user__username="officer").enterprise
    assert a1 is not None
    page = officer.get(f"/enterprises/{a1.pk}/accounts/?pending=1")
    body = page.content.decode()
    assert body.count('name="user"') == DEMO_PENDING_COUNT
    pending = Membership.objects.filter(
        enterprise=a1, role="employee", user__username__startswith="YX"
    ).values_list("user_id", flat=True)
    sheet = officer.post(f"/enterprises/{a1.pk}/accounts/reissue/", {"user": list(pending)})
    assert sheet.content.decode().count('class="slip"') == DEMO_PENDING_COUNT
