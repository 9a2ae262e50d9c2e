"""Incidents and the three first times (Z-4.2), contact tracing, and the gate following a
zone move at once (Z-5.2f, Z-5.2e)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from parkguard.gate.models import AccessCheck, Gate
from parkguard.gate.services import gate_create
from parkguard.health.models import Alert
from parkguard.notify.models import Message
from parkguard.orgs.access import SYSTEM, Scope, scope_for_user
from parkguard.response import selectors, services
from parkguard.response.choices import ContactState, TimelineKind, ZoneColour
from parkguard.response.models import Area, Contact, Incident, LinkageTask, PersonZone
from parkguard.status.models import PersonStatus
from tests.factories import World, make_person
from tests.response.conftest import AT, R_PACK, isolation

pytestmark = pytest.mark.django_db


def _scope(world: World, who: str = "a1_officer") -> Scope:
    return scope_for_user(world.users[who])


def _open(world: World, **kw: object) -> Incident:
    return services.incident_open(
        scope=_scope(world),
        person=world.a1_person,
        title="员工发热 38.2 ℃",
        by=world.users["a1_officer"],
        at=AT,
        **kw,  # type: ignore[arg-type]
    )


def test_z_4_2_an_incident_from_an_alert_moves_to_orange_and_lists_the_linkage_tasks(
    response_world: World,
) -> None:
    w = response_world
    alert = Alert.objects.create(
        person=w.a1_person, kind="fever", reason="体温 38.2 ℃", source="t", opened_at=AT
    )
    incident = _open(w, evidence=alert.kind, source=alert.status_source, detected_at=AT)
    assert PersonZone.objects.get(pk=w.a1_person.pk).colour == ZoneColour.ORANGE
    assert PersonStatus.objects.get(pk=w.a1_person.pk).on_hold
    tasks = list(LinkageTask.objects.filter(incident=incident))
    assert [t.label for t in tasks] == [
        "车辆调度",
        "隔离用房",
        "人员转运",
        "核酸筛查",
        "划定管控区域",
        "重点区域消杀",
    ]
    # The pack's default: 120 minutes after detection, each task owned by the officer.
    assert {t.due_at for t in tasks} == {AT + dt.timedelta(minutes=120)}
    assert {t.owner for t in tasks} == {w.users["a1_officer"]}
    assert tasks[0].citation["pack_id"] == R_PACK and tasks[0].citation["requirement"] == "Z-4.2"
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds == [TimelineKind.OPENED, TimelineKind.ZONE]


def test_z_4_2_report_and_isolation_record_their_minutes(response_world: World) -> None:
    w = response_world
    incident = _open(w)
    sent = services.incident_report(
        scope=_scope(w),
        incident=incident,
        by=w.users["a1_officer"],
        at=AT + dt.timedelta(minutes=12),
    )
    # The park's leading group (park admin) and the person's community liaison.
    assert sent >= 2
    assert Message.objects.filter(user=w.users["park_a_admin"], title__contains="发热").exists()
    assert Message.objects.filter(user=w.users["liaison_a"]).exists()
    services.incident_isolate(
        scope=_scope(w),
        incident=incident,
        by=w.users["a1_officer"],
        at=AT + dt.timedelta(minutes=25),
    )
    incident.refresh_from_db()
    assert incident.minutes_to_report == 12 and incident.minutes_to_isolation == 25
    assert incident.transfer_requested_at is not None
    zone = PersonZone.objects.get(pk=w.a1_person.pk)
    assert zone.area == isolation(w) and zone.colour == ZoneColour.ORANGE
    with pytest.raises(ValidationError) as again:
        services.incident_report(scope=_scope(w), incident=incident, by=None, at=AT)
    assert services.ALREADY_REPORTED in again.value.messages
    assert Message.objects.filter(user=w.users["park_a_admin"]).count() == 1
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds == [
        TimelineKind.OPENED,
        TimelineKind.REPORTED,
        TimelineKind.ISOLATED,
        TimelineKind.TRANSFER,
    ]
    task = incident.tasks.first()
    assert task is not None
    services.linkage_task_done(scope=_scope(w), task=task, by=None, at=AT)
    task.refresh_from_db()
    assert task.done_at == AT


def test_isolation_without_an_isolation_area_is_refused(response_world: World) -> None:
    w = response_world
    incident = _open(w)
    Area.objects.filter(is_isolation=True).delete()
    with pytest.raises(ValidationError) as refused:
        services.incident_isolate(scope=_scope(w), incident=incident, by=None, at=AT)
    assert services.NO_ISOLATION_AREA in refused.value.messages
    incident.refresh_from_db()
    assert incident.isolated_at is None and not PersonZone.objects.exists()


def test_lower_roles_may_not_open_incidents(response_world: World) -> None:
    w = response_world
    for who in ("a1_leader", "a1_employee", "a2_officer"):
        with pytest.raises(PermissionDenied):
            services.incident_open(
                scope=_scope(w, who), person=w.a1_person, title="越权", by=None, at=AT
            )
    assert not Incident.objects.exists()


def _gate(world: World) -> Gate:
    return gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        name="甲一东门",
        place="plant_gate",
        at=AT,
        by=None,
    )


def _pass(gate: Gate, person_id: int, at: dt.datetime) -> None:
    AccessCheck.objects.create(
        at=at,
        recorded_at=at,
        gate=gate,
        park=gate.park,
        enterprise=gate.enterprise,
        direction="in",
        method="place_code",
        person_id=person_id,
        allowed=True,
        reasons=[],
    )


def test_tracing_proposes_who_passed_the_same_gate_within_n_minutes_and_confirms_to_orange(
    response_world: World,
) -> None:
    w = response_world
    gate = _gate(w)
    earlier = AT - dt.timedelta(days=1)
    _pass(gate, w.a1_person.pk, earlier)
    # Within the pack's 15 minutes: a candidate. An hour later: not.
    _pass(gate, w.a1_employee_person.pk, earlier + dt.timedelta(minutes=10))
    incident = _open(w)
    added = services.contacts_trace(scope=_scope(w), incident=incident, by=None, at=AT)
    assert added == 1
    contact = Contact.objects.get(incident=incident)
    assert contact.person == w.a1_employee_person and "甲一东门" in contact.basis
    services.contact_review(
        scope=_scope(w), contact=contact, confirm=True, by=w.users["a1_officer"], at=AT
    )
    contact.refresh_from_db()
    assert contact.state == ContactState.CONFIRMED
    zone = PersonZone.objects.get(pk=w.a1_employee_person.pk)
    assert zone.colour == ZoneColour.ORANGE and zone.move.citation["requirement"] == "Z-5.1"
    with pytest.raises(ValidationError) as again:
        services.contact_review(
            scope=_scope(w), contact=contact, confirm=False, by=w.users["a1_officer"], at=AT
        )
    assert services.CONTACT_REVIEWED in again.value.messages


def test_tracing_outside_n_minutes_finds_nobody_and_a_backwards_window_is_refused(
    response_world: World,
) -> None:
    w = response_world
    gate = _gate(w)
    earlier = AT - dt.timedelta(days=1)
    _pass(gate, w.a1_person.pk, earlier)
    _pass(gate, w.a1_employee_person.pk, earlier + dt.timedelta(hours=1))
    incident = _open(w)
    assert services.contacts_trace(scope=_scope(w), incident=incident, by=None, at=AT) == 0
    with pytest.raises(ValidationError) as refused:
        services.contacts_trace(
            scope=_scope(w),
            incident=incident,
            start=AT,
            end=AT - dt.timedelta(hours=1),
            by=None,
            at=AT,
        )
    assert refused.value.message_dict["end"] == [services.WINDOW_BACKWARDS]


def test_the_incident_page_and_api_show_the_minutes(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    incident = _open(w)
    officer = client_as("a1_officer")
    officer.post(f"/response/incidents/{incident.pk}/report/")
    page = officer.get(f"/response/incidents/{incident.pk}/").content.decode()
    assert "三个“第一时间”" in page and "重点区域消杀" in page
    body = officer.get(f"/api/v1/response/incidents/{incident.pk}").json()
    assert body["reported_at"] is not None and body["minutes_to_report"] is not None
    assert len(body["tasks"]) == 6
    board = client_as("park_a_admin").get(f"/response/parks/{w.park_a.pk}/").content.decode()
    assert incident.title in board and "发现到报告" in board


def test_the_api_refuses_a_manual_move_without_reason(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    response = client_as("a1_officer").post(
        "/api/v1/response/moves",
        {"person_id": w.a1_person.pk, "colour": "orange", "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == services.REASON_REQUIRED
    assert not PersonZone.objects.exists()


def test_the_park_overview_sums_the_minutes(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    incident = _open(w)
    services.incident_report(
        scope=_scope(w), incident=incident, by=None, at=AT + dt.timedelta(minutes=7)
    )
    page = client_as("park_a_admin").get(f"/park/{w.park_a.pk}/").content.decode()
    assert "<b>7</b><span>发现到报告合计分钟（1 起）" in page
    assert "未划定临时隔离区域的企业" in page


def test_tracing_counts_n_minutes_and_the_window_inclusively_to_the_microsecond(
    response_world: World,
) -> None:
    """The edges of the (gate, at) ranges: exactly N minutes apart is a contact, a microsecond
    more is not, on both sides; an index passage exactly on the window's start or end counts,
    one a microsecond outside it does not; a person met at two gates is given the gate the
    index person passed first, with that first time."""
    w = response_world
    gate = _gate(w)
    other = gate_create(
        scope=SYSTEM,
        park=w.park_a,
        enterprise=w.a1,
        name="甲一西门",
        place="plant_gate",
        at=AT,
        by=None,
    )
    gap = dt.timedelta(minutes=15)
    tick = dt.timedelta(microseconds=1)
    start = dt.datetime(2022, 10, 1, 8, 0, 0, 250_000, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=1)
    mates = [make_person(w.a1, f"甲一同事{k}", 400 + k) for k in range(8)]
    _pass(gate, w.a1_person.pk, start)  # on the window's start
    _pass(gate, mates[0].pk, start + gap)  # exactly N minutes after
    _pass(gate, mates[1].pk, start - gap)  # exactly N minutes before
    _pass(gate, mates[2].pk, start + gap + tick)  # a microsecond too late
    _pass(gate, mates[3].pk, start - gap - tick)  # a microsecond too early
    _pass(other, w.a1_person.pk, end)  # on the window's end
    _pass(other, mates[4].pk, end + gap)
    _pass(other, mates[0].pk, end)  # met again later, at the other gate
    _pass(other, w.a1_person.pk, end + dt.timedelta(hours=2) + tick)  # outside the window
    _pass(other, mates[5].pk, end + dt.timedelta(hours=2))
    found = selectors.co_passages(
        person_id=w.a1_person.pk, enterprise_id=w.a1.pk, start=start, end=end, gap=gap
    )
    assert set(found) == {mates[0].pk, mates[1].pk, mates[4].pk}
    assert found[mates[0].pk] == selectors.CoPassage("甲一东门", start)
    assert found[mates[4].pk] == selectors.CoPassage("甲一西门", end)
    inside = selectors.co_passages(
        person_id=w.a1_person.pk,
        enterprise_id=w.a1.pk,
        start=start + tick,
        end=end - tick,
        gap=gap,
    )
    assert inside == {}


def test_tracing_never_proposes_a_person_of_another_enterprise(response_world: World) -> None:
    """Someone of another enterprise at the same gate, the same minute, is not a candidate of
    this enterprise's incident; nor is anyone seen only at another enterprise's gate."""
    w = response_world
    gate = _gate(w)
    theirs = gate_create(
        scope=SYSTEM,
        park=w.park_a,
        enterprise=w.a2,
        name="甲二南门",
        place="plant_gate",
        at=AT,
        by=None,
    )
    earlier = AT - dt.timedelta(days=1)
    _pass(gate, w.a1_person.pk, earlier)
    _pass(gate, w.a2_person.pk, earlier + dt.timedelta(minutes=1))
    _pass(theirs, w.a1_employee_person.pk, earlier)  # same minute, but at the other gate
    incident = _open(w)
    assert services.contacts_trace(scope=_scope(w), incident=incident, by=None, at=AT) == 0
    assert not Contact.objects.filter(incident=incident).exists()
