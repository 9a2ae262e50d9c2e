"""Names on the incident, tracing and zone screens are masked (issue 14): the incident page and
its API, the candidates, the chain-of-transmission graph's JSON, the zone lists, the report's
inbox messages. Only a caller who may reveal (the enterprise's officers and admins, the park's
admins) gets a link to the person's file, where the full ID number is revealed with a reason
(audited); the park's cadres and inspectors, who read incidents, see masks and no link."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.gate.models import AccessCheck
from parkguard.gate.services import gate_create
from parkguard.notify.models import Message
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.response import selectors, services
from parkguard.response.models import Contact, Incident
from tests.factories import World, make_user
from tests.response.conftest import AT

pytestmark = pytest.mark.django_db

READERS_WHO_MAY_NOT_REVEAL = ("park_a_cadre", "park_a_inspector")
READERS_WHO_MAY_REVEAL = ("a1_officer", "park_a_admin")
PICKERS = re.compile(r'<select id="id_(?:inc_)?person".*?</select>', re.S)


def _leading_group(world: World) -> None:
    for name, role in (("park_a_cadre", Role.PARK_CADRE), ("park_a_inspector", Role.INSPECTOR)):
        world.users[name] = make_user(name)
        Membership.objects.create(user=world.users[name], role=role, jurisdiction=world.park_a)


def _drill(world: World) -> Incident:
    """An incident of 甲一张三, reported; tracing proposes 欧阳娜娜 (same gate), who is
    confirmed, so the chain has a link."""
    officer = world.users["a1_officer"]
    scope = scope_for_user(officer)
    # Two surnames, so that the two masks differ (甲一… would both be 甲***).
    world.a1_employee_person.name = "欧阳娜娜"
    world.a1_employee_person.save(update_fields=["name"])
    gate = gate_create(
        scope=scope,
        park=world.park_a,
        enterprise=world.a1,
        name="甲一东门",
        place="plant_gate",
        at=AT,
        by=None,
    )
    for person, minutes in ((world.a1_person, 0), (world.a1_employee_person, 5)):
        at = AT - dt.timedelta(hours=2) + dt.timedelta(minutes=minutes)
        AccessCheck.objects.create(
            at=at,
            recorded_at=at,
            gate=gate,
            park=world.park_a,
            enterprise=world.a1,
            direction="in",
            method="place_code",
            person_id=person.pk,
            allowed=True,
            reasons=[],
        )
    incident = services.incident_open(
        scope=scope, person=world.a1_person, title="员工发热", evidence="fever", by=officer, at=AT
    )
    services.incident_report(scope=scope, incident=incident, by=officer, at=AT)
    assert services.contacts_trace(scope=scope, incident=incident, by=officer, at=AT) == 1
    contact = Contact.objects.get(incident=incident)
    services.contact_review(scope=scope, contact=contact, confirm=True, by=officer, at=AT)
    return incident


def _full_names(world: World) -> list[str]:
    return [world.a1_person.name, world.a1_employee_person.name]


def test_no_screen_of_an_incident_shows_a_full_name_to_any_reader(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    _leading_group(w)
    incident = _drill(w)
    masked = name_mask(w.a1_employee_person.name)
    for who in READERS_WHO_MAY_NOT_REVEAL + READERS_WHO_MAY_REVEAL:
        client = client_as(who)
        screens = {
            "incident page": client.get(f"/response/incidents/{incident.pk}/"),
            "incident api": client.get(f"/api/v1/response/incidents/{incident.pk}"),
            "zones page": client.get(f"/response/enterprises/{w.a1.pk}/"),
            "zones api": client.get(f"/api/v1/response/enterprises/{w.a1.pk}/zones"),
        }
        if who != "a1_officer":  # the park's board is the park's staff's
            screens["park board"] = client.get(f"/response/parks/{w.park_a.pk}/")
        for screen, response in screens.items():
            assert response.status_code == 200, (who, screen, response.status_code)
            text = response.content.decode()
            for name in _full_names(w):
                # The zones page's pickers (for who may reveal) list people to choose from.
                if who in READERS_WHO_MAY_REVEAL:
                    text = PICKERS.sub("", text)
                assert name not in text, (who, screen, name)
        assert masked in screens["incident page"].content.decode(), who
        body = screens["incident api"].json()
        assert body["person_name"] == name_mask(w.a1_person.name)
        assert [c["name"] for c in body["contacts"]] == [masked]
        zone_names = {z["name"] for z in screens["zones api"].json()}
        assert zone_names == {name_mask(w.a1_person.name), masked}


def test_the_chain_graph_carries_masked_names_only(response_world: World) -> None:
    w = response_world
    _leading_group(w)
    incident = _drill(w)
    chain = selectors.chain_of(scope=scope_for_user(w.users["park_a_cadre"]), incident=incident)
    assert {n["name"] for n in chain["nodes"]} == {
        name_mask(w.a1_person.name),
        name_mask(w.a1_employee_person.name),
    }
    assert chain["links"] and not any(name in str(chain) for name in _full_names(w))


def test_only_a_caller_who_may_reveal_gets_the_link_to_the_persons_file(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    _leading_group(w)
    incident = _drill(w)
    files = [f"/people/{p.pk}/" for p in (w.a1_person, w.a1_employee_person)]
    for who in READERS_WHO_MAY_REVEAL:
        page = client_as(who).get(f"/response/incidents/{incident.pk}/").content.decode()
        assert all(f in page for f in files), who
    for who in READERS_WHO_MAY_NOT_REVEAL:
        client = client_as(who)
        for url in (f"/response/incidents/{incident.pk}/", f"/response/enterprises/{w.a1.pk}/"):
            page = client.get(url).content.decode()
            assert not any(f in page for f in files), (who, url)
            # Nor the pickers, which list full names to choose a person by.
            assert 'id="id_person"' not in page and 'id="id_inc_person"' not in page


def test_the_reports_inbox_messages_mask_the_name(response_world: World) -> None:
    w = response_world
    _leading_group(w)
    incident = _drill(w)
    sent = Message.objects.filter(link=f"/response/incidents/{incident.pk}/")
    recipients = set(sent.values_list("user__username", flat=True))
    assert {"park_a_cadre", "park_a_inspector", "liaison_a"} <= recipients
    for message in sent:
        assert name_mask(w.a1_person.name) in message.body
        assert w.a1_person.name not in message.body + message.title


def test_outsiders_get_no_incident_screen(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    incident = _drill(w)
    for who in ("a2_officer", "park_b_admin", "a1_leader", "a1_employee", None):
        client = client_as(who)
        for url in (
            f"/response/incidents/{incident.pk}/",
            f"/api/v1/response/incidents/{incident.pk}",
        ):
            response = client.get(url)
            assert response.status_code in (302, 401, 403, 404), (who, url)
            assert w.a1_person.name not in response.content.decode()
            assert name_mask(w.a1_employee_person.name) not in response.content.decode()
