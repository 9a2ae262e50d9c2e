"""Areas and zones, people moving by evidence and by hand (Z-5.1, Z-5.1b, Z-5.2f)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import Scope, scope_for_user
from parkguard.response import services
from parkguard.response.choices import MoveState, ZoneColour
from parkguard.response.models import Area, PersonZone, ZoneMove
from parkguard.response.owners import Owner
from parkguard.status.choices import HoldKind
from parkguard.status.models import PersonStatus, StatusHold
from tests.factories import World
from tests.response.conftest import AT, R_PACK, isolation

pytestmark = pytest.mark.django_db


def _scope(world: World, who: str) -> Scope:
    return scope_for_user(world.users[who])


def _on_hold(world: World) -> bool:
    row = PersonStatus.objects.filter(pk=world.a1_person.pk).first()
    return bool(row and row.on_hold)


def test_z_5_1_the_isolation_area_is_managed_as_red(response_world: World) -> None:
    area = isolation(response_world)
    assert area.zone == ZoneColour.RED and area.block == "living" and area.capacity == 4


def test_z_5_1b_an_area_needs_a_name_a_block_and_a_capacity(response_world: World) -> None:
    before = Area.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.area_create(
            scope=_scope(response_world, "a1_officer"),
            owner=Owner(enterprise=response_world.a1),
            name=" ",
            block="garden",
            capacity=0,
            by=response_world.users["a1_officer"],
            at=AT,
        )
    errors = refused.value.message_dict
    assert errors["name"] == [services.NAME_REQUIRED]
    assert errors["block"] == [services.BLOCK_INVALID]
    assert errors["capacity"] == [services.CAPACITY_INVALID]
    assert Area.objects.count() == before


def test_z_5_2f_a_fever_moves_the_person_to_orange_and_the_gate_follows(
    response_world: World,
) -> None:
    move = services.zone_move_by_evidence(
        scope=_scope(response_world, "a1_officer"),
        person=response_world.a1_person,
        evidence="fever",
        at=AT,
    )
    assert move is not None and move.colour == ZoneColour.ORANGE
    assert move.citation["pack_id"] == R_PACK and move.citation["requirement"] == "Z-5.2f"
    zone = PersonZone.objects.get(pk=response_world.a1_person.pk)
    assert zone.colour == ZoneColour.ORANGE
    assert _on_hold(response_world)
    hold = StatusHold.objects.get(person=response_world.a1_person, kind=HoldKind.ZONE)
    assert hold.cleared_at is None and hold.citation["requirement"] == "Z-5.2f"


def test_z_5_1_a_positive_moves_to_red_into_the_isolation_area(response_world: World) -> None:
    scope = _scope(response_world, "a1_officer")
    person = response_world.a1_person
    services.zone_move_by_evidence(scope=scope, person=person, evidence="symptom", at=AT)
    later = AT + dt.timedelta(hours=5)
    move = services.zone_move_by_evidence(scope=scope, person=person, evidence="positive", at=later)
    assert move is not None and move.colour == ZoneColour.RED
    zone = PersonZone.objects.get(pk=person.pk)
    assert zone.colour == ZoneColour.RED and zone.area == isolation(response_world)
    # One open zone hold, the red one; the orange one was replaced.
    holds = StatusHold.objects.filter(person=person, kind=HoldKind.ZONE, cleared_at__isnull=True)
    assert [h.source for h in holds] == [f"response.move:{move.pk}"]
    # Evidence never moves anyone to a milder zone.
    again = services.zone_move_by_evidence(scope=scope, person=person, evidence="fever", at=later)
    assert again is None
    assert PersonZone.objects.get(pk=person.pk).colour == ZoneColour.RED


def test_evidence_without_a_pack_rule_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.zone_move_by_evidence(
            scope=_scope(world, "a1_officer"), person=world.a1_person, evidence="positive", at=AT
        )
    assert services.NO_ZONE_RULE in refused.value.messages
    assert not PersonZone.objects.exists()


def test_a_manual_move_needs_a_second_approver_of_another_person(response_world: World) -> None:
    w = response_world
    move = services.zone_move_request(
        scope=_scope(w, "a1_officer"),
        person=w.a1_person,
        colour=ZoneColour.ORANGE,
        reason="社区通报为次密接",
        by=w.users["a1_officer"],
        at=AT,
    )
    assert not PersonZone.objects.exists() and not _on_hold(w)
    with pytest.raises(ValidationError) as refused:
        services.zone_move_decide(
            scope=_scope(w, "a1_officer"), move=move, approve=True, by=w.users["a1_officer"], at=AT
        )
    assert services.SELF_APPROVAL_MOVE in refused.value.messages
    move.refresh_from_db()
    assert move.state == MoveState.PENDING and not PersonZone.objects.exists()

    services.zone_move_decide(
        scope=_scope(w, "park_a_admin"), move=move, approve=True, by=w.users["park_a_admin"], at=AT
    )
    move.refresh_from_db()
    assert move.state == MoveState.APPLIED
    assert (
        move.requested_by == w.users["a1_officer"] and move.approved_by == w.users["park_a_admin"]
    )
    assert PersonZone.objects.get(pk=w.a1_person.pk).colour == ZoneColour.ORANGE
    assert _on_hold(w)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"zone_move_request", "zone_move_approve"} <= actions

    # Back to green by hand: the zone hold clears, the gate lets them in again.
    back = services.zone_move_request(
        scope=_scope(w, "park_a_admin"),
        person=w.a1_person,
        colour=ZoneColour.GREEN,
        reason="排除密接，解除观察",
        by=w.users["park_a_admin"],
        at=AT,
    )
    services.zone_move_decide(
        scope=_scope(w, "a1_officer"), move=back, approve=True, by=w.users["a1_officer"], at=AT
    )
    assert PersonZone.objects.get(pk=w.a1_person.pk).colour == ZoneColour.GREEN
    assert not _on_hold(w)


def test_a_manual_move_without_reason_or_into_another_enterprises_area_is_refused(
    response_world: World,
) -> None:
    w = response_world
    other = Area.objects.create(
        enterprise=w.a2, name="甲二隔离点", block="living", capacity=2, created_at=AT
    )
    with pytest.raises(ValidationError) as refused:
        services.zone_move_request(
            scope=_scope(w, "a1_officer"),
            person=w.a1_person,
            colour=ZoneColour.RED,
            area=other,
            reason=" ",
            by=w.users["a1_officer"],
            at=AT,
        )
    errors = refused.value.message_dict
    assert errors["reason"] == [services.REASON_REQUIRED]
    assert errors["area"] == [services.AREA_OTHER_ENTERPRISE]
    assert not ZoneMove.objects.exists()


def test_lower_roles_and_other_enterprises_may_not_move_people(response_world: World) -> None:
    w = response_world
    for who in ("a1_leader", "a1_employee", "a2_officer"):
        with pytest.raises(PermissionDenied):
            services.zone_move_request(
                scope=_scope(w, who),
                person=w.a1_person,
                colour=ZoneColour.ORANGE,
                reason="越权调整分区",
                by=w.users[who],
                at=AT,
            )
    assert not ZoneMove.objects.exists()


def test_the_pages_flag_an_enterprise_without_an_isolation_area(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    officer: Client = client_as("a1_officer")
    page = officer.get(f"/response/enterprises/{world.a1.pk}/").content.decode()
    assert "尚未划定独立的临时隔离管控区域" in page
    park = client_as("park_a_admin").get(f"/response/parks/{world.park_a.pk}/").content.decode()
    assert world.a1.name in park and "未划定临时隔离管控区域的企业" in park


def test_the_officer_adds_an_area_and_requests_a_move_on_the_page(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    officer: Client = client_as("a1_officer")
    officer.post(
        f"/response/enterprises/{w.a1.pk}/areas/",
        {"name": "食堂", "block": "living", "capacity": "120", "zone": "green"},
    )
    assert Area.objects.filter(enterprise=w.a1, name="食堂", capacity=120).exists()
    response = officer.post(
        f"/response/enterprises/{w.a1.pk}/moves/",
        {"person": w.a1_person.pk, "colour": "orange", "reason": ""},
        follow=True,
    )
    assert services.REASON_REQUIRED in response.content.decode()
    assert not ZoneMove.objects.exists()
    page = officer.get(f"/response/enterprises/{w.a1.pk}/").content.decode()
    assert "临时隔离点" in page and "尚未划定" not in page


def test_z_5_2f_open_alerts_and_positives_move_people_without_a_page(
    response_world: World,
) -> None:
    from parkguard.health.models import Alert
    from parkguard.status.services import status_hold_open

    w = response_world
    Alert.objects.create(
        person=w.a1_person, kind="symptom", reason="干咳", source="t", opened_at=AT
    )
    status_hold_open(
        person_ids=[w.a1_employee_person.pk],
        kind=HoldKind.POSITIVE,
        reason="核酸阳性",
        citation={},
        source="sampling.result:1",
        at=AT,
    )
    assert services.zones_follow_evidence(at=AT) == 2
    assert PersonZone.objects.get(pk=w.a1_person.pk).colour == ZoneColour.ORANGE
    red = PersonZone.objects.get(pk=w.a1_employee_person.pk)
    assert red.colour == ZoneColour.RED and red.area == isolation(w)
    # Each piece of evidence moves a person once.
    assert services.zones_follow_evidence(at=AT) == 0
    assert ZoneMove.objects.count() == 2
