"""Contact tracing by dormitory and by shift and team (Z-5.1: close and secondary contacts
are orange), as the response pack's version 2 says, and the isolation plan of a confirmed
contact; the chain of transmission on the incident page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.mobility.choices import IsolationKind
from parkguard.mobility.models import IsolationRecord
from parkguard.orgs.access import Scope, scope_for_user
from parkguard.people.models import Person
from parkguard.response import services
from parkguard.response.choices import ContactDegree, ContactState, Evidence, ZoneColour
from parkguard.response.models import Contact, Incident, PersonZone
from tests.factories import World, make_person

pytestmark = pytest.mark.django_db

# The pack's version 2 is in force from 2022-11-16.
AT2 = dt.datetime(2022, 11, 16, 10, 0, tzinfo=dt.UTC)


def _scope(world: World) -> Scope:
    return scope_for_user(world.users["a1_officer"])


def _index(world: World) -> Person:
    person = world.a1_person
    person.dormitory, person.shift = "3号楼 201", "白班"
    person.save(update_fields=["dormitory", "shift"])
    return person


def _open(world: World, person: Person) -> Incident:
    return services.incident_open(
        scope=_scope(world), person=person, title="员工发热", by=world.users["a1_officer"], at=AT2
    )


def test_z_5_1_dormitory_mates_are_close_and_shift_team_mates_secondary(
    response_world: World,
) -> None:
    w = response_world
    index = _index(w)
    roommate = make_person(w.a1, "甲一室友", 111, dormitory="3号楼 201")
    teammate = make_person(w.a1, "甲一同班", 112, org_unit=w.a1_unit, shift="白班")
    other_shift = make_person(w.a1, "甲一夜班", 113, org_unit=w.a1_unit, shift="夜班")
    elsewhere = make_person(w.a2, "甲二室友", 211, dormitory="3号楼 201")
    incident = _open(w, index)
    added = services.contacts_trace(scope=_scope(w), incident=incident, by=None, at=AT2)
    found = {c.person_id: c for c in Contact.objects.filter(incident=incident)}
    assert added == 2 and set(found) == {roommate.pk, teammate.pk}
    assert other_shift.pk not in found and elsewhere.pk not in found
    assert found[roommate.pk].degree == ContactDegree.CLOSE
    assert "3号楼 201" in found[roommate.pk].basis
    assert found[teammate.pk].degree == ContactDegree.SECONDARY
    assert "白班" in found[teammate.pk].basis


def test_the_park_may_count_shift_team_mates_as_close(response_world: World) -> None:
    w = response_world
    adoption = w.park_a.pack_adoptions.get(pack_id="zhengyang-2022-20-response")
    adoption.params = {"trace_shift_team_close": True, "trace_dormitory_close": False}
    adoption.save(update_fields=["params"])
    index = _index(w)
    roommate = make_person(w.a1, "甲一室友", 111, dormitory="3号楼 201")
    teammate = make_person(w.a1, "甲一同班", 112, org_unit=w.a1_unit, shift="白班")
    incident = _open(w, index)
    services.contacts_trace(scope=_scope(w), incident=incident, by=None, at=AT2)
    degree = dict(Contact.objects.filter(incident=incident).values_list("person_id", "degree"))
    assert degree == {roommate.pk: ContactDegree.SECONDARY, teammate.pk: ContactDegree.CLOSE}


def test_confirmed_contacts_go_orange_with_the_packs_isolation_plan(
    response_world: World,
) -> None:
    w = response_world
    index = _index(w)
    roommate = make_person(w.a1, "甲一室友", 111, dormitory="3号楼 201")
    teammate = make_person(w.a1, "甲一同班", 112, org_unit=w.a1_unit, shift="白班")
    incident = _open(w, index)
    services.contacts_trace(scope=_scope(w), incident=incident, by=None, at=AT2)
    officer = w.users["a1_officer"]
    for contact in Contact.objects.filter(incident=incident):
        services.contact_review(scope=_scope(w), contact=contact, confirm=True, by=officer, at=AT2)
    close = Contact.objects.get(incident=incident, person=roommate)
    secondary = Contact.objects.get(incident=incident, person=teammate)
    assert close.state == secondary.state == ContactState.CONFIRMED
    for contact, evidence in ((close, Evidence.CLOSE_CONTACT), (secondary, "secondary_contact")):
        zone = PersonZone.objects.get(pk=contact.person_id)
        assert zone.colour == ZoneColour.ORANGE and zone.move.evidence == evidence
        assert zone.move.citation["version"] == 2
    assert close.isolation is not None and secondary.isolation is not None
    assert close.isolation.kind == IsolationKind.CENTRALISED
    assert close.isolation.ends_at == AT2 + dt.timedelta(days=7)
    assert close.isolation.citation["clause"].startswith("四、二是")
    assert secondary.isolation.kind == IsolationKind.HOME
    assert IsolationRecord.objects.filter(person=roommate, released_at__isnull=True).count() == 1
    texts = list(incident.timeline.values_list("text", flat=True))
    assert any("确认密接" in t and "集中隔离 7 天" in t for t in texts)
    assert any("确认次密接" in t and "居家隔离" in t for t in texts)


def test_a_dismissed_candidate_stays_green_without_a_plan(response_world: World) -> None:
    w = response_world
    index = _index(w)
    roommate = make_person(w.a1, "甲一室友", 111, dormitory="3号楼 201")
    incident = _open(w, index)
    services.contacts_trace(scope=_scope(w), incident=incident, by=None, at=AT2)
    contact = Contact.objects.get(incident=incident)
    services.contact_review(
        scope=_scope(w), contact=contact, confirm=False, by=w.users["a1_officer"], at=AT2
    )
    contact.refresh_from_db()
    assert contact.state == ContactState.DISMISSED and contact.isolation is None
    assert not PersonZone.objects.filter(pk=roommate.pk).exists()
    assert not IsolationRecord.objects.filter(person=roommate).exists()


def test_the_incident_page_draws_the_chain_of_transmission(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    index = _index(w)
    make_person(w.a1, "甲一室友", 111, dormitory="3号楼 201")
    incident = _open(w, index)
    services.contacts_trace(scope=_scope(w), incident=incident, by=None, at=AT2)
    page = client_as("a1_officer").get(f"/response/incidents/{incident.pk}/").content.decode()
    assert 'id="chain-data"' in page and "response/chain.js" in page
    assert "<script>" not in page
    # Masked names only in the graph's data.
    assert "甲一室友" not in page.split('id="chain-data"')[1].split("</script>")[0]
