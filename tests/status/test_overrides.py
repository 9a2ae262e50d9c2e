"""Manual status overrides (issue 18 §2): a reason, a second approver, and a rate limit.

A person's entry status changes from evidence; a manual change takes effect only when a
second person approves it, and a burst of them is refused and reported to the park.
Requirement: Z-5.2e (entry decisions rest on records), Z-6 (oversight of what was done).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from parkguard.audit.models import AuditEvent
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.status import overrides
from parkguard.status.choices import HoldKind, OverrideAction, OverrideState
from parkguard.status.models import PersonStatus, StatusHold, StatusOverride
from parkguard.status.services import status_hold_open
from tests.factories import World

AT = dt.datetime(2022, 11, 15, 8, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def _fever_hold(world: World) -> StatusHold:
    status_hold_open(
        person_ids=[world.a1_person.pk],
        kind=HoldKind.FEVER,
        reason="体温 37.6 ℃",
        citation={},
        source="health.alert:1",
        at=AT,
    )
    return StatusHold.objects.get(person=world.a1_person, kind=HoldKind.FEVER)


def _request(world: World, who: str, action: str, **kw: object) -> StatusOverride:
    user = world.users[who]
    return overrides.status_override_request(
        scope=scope_for_user(user),
        person=world.a1_person,
        action=action,
        by=user,
        at=AT,
        **kw,  # type: ignore[arg-type]
    )


def _decide(world: World, who: str, o: StatusOverride, approve: bool) -> StatusOverride:
    user = world.users[who]
    return overrides.status_override_decide(
        scope=scope_for_user(user), override=o, approve=approve, by=user, at=AT
    )


def _on_hold(world: World) -> bool:
    return PersonStatus.objects.get(pk=world.a1_person.pk).on_hold


def test_a_release_takes_effect_only_when_a_second_person_approves(world: World) -> None:
    hold = _fever_hold(world)
    proposal = _request(world, "a1_officer", OverrideAction.RELEASE, hold=hold, reason="复测正常")
    hold.refresh_from_db()
    assert hold.cleared_at is None and _on_hold(world)

    with pytest.raises(ValidationError) as refused:
        _decide(world, "a1_officer", proposal, approve=True)
    assert overrides.SELF_APPROVAL in refused.value.messages
    proposal.refresh_from_db()
    assert proposal.state == OverrideState.PENDING and _on_hold(world)

    _decide(world, "park_a_admin", proposal, approve=True)
    proposal.refresh_from_db()
    hold.refresh_from_db()
    assert proposal.state == OverrideState.APPROVED
    assert proposal.decided_by == world.users["park_a_admin"]
    assert hold.cleared_at == AT and hold.cleared_by == world.users["park_a_admin"]
    assert not _on_hold(world)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"status_override_request", "status_override_approve"} <= actions


def test_an_approved_manual_hold_keeps_the_person_out_with_its_reason(world: World) -> None:
    proposal = _request(world, "a1_officer", OverrideAction.HOLD, reason="社区通知为密接，待核实")
    assert not PersonStatus.objects.filter(pk=world.a1_person.pk, on_hold=True).exists()
    _decide(world, "park_a_admin", proposal, approve=True)
    row = PersonStatus.objects.get(pk=world.a1_person.pk)
    assert row.on_hold and row.holds[0]["kind"] == HoldKind.MANUAL
    assert "社区通知为密接" in row.holds[0]["reason"]
    proposal.refresh_from_db()
    assert proposal.hold is not None and proposal.hold.kind == HoldKind.MANUAL


def test_a_refusal_changes_nothing(world: World) -> None:
    hold = _fever_hold(world)
    proposal = _request(world, "a1_officer", OverrideAction.RELEASE, hold=hold, reason="复测正常")
    _decide(world, "park_a_admin", proposal, approve=False)
    proposal.refresh_from_db()
    hold.refresh_from_db()
    assert proposal.state == OverrideState.REFUSED and hold.cleared_at is None
    assert _on_hold(world)
    with pytest.raises(ValidationError) as again:
        _decide(world, "park_a_admin", proposal, approve=True)
    assert overrides.NOT_PENDING in again.value.messages


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"action": OverrideAction.HOLD, "reason": "  "}, "reason", overrides.REASON_REQUIRED),
        ({"action": OverrideAction.RELEASE, "reason": "复测正常"}, "hold", overrides.HOLD_REQUIRED),
    ],
)
def test_bad_proposals_say_why_and_write_nothing(
    world: World, kw: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as bad:
        _request(world, "a1_officer", **kw)
    assert bad.value.message_dict[field] == [message]
    assert not StatusOverride.objects.exists()


def test_outsiders_and_lower_roles_can_neither_propose_nor_decide(world: World) -> None:
    proposal = _request(world, "a1_officer", OverrideAction.HOLD, reason="社区通知为密接")
    for who in ("a2_officer", "park_b_admin", "a1_guard", "a1_leader"):
        with pytest.raises(PermissionDenied):
            _request(world, who, OverrideAction.HOLD, reason="我来试试看")
        with pytest.raises(PermissionDenied):
            _decide(world, who, proposal, approve=True)
    proposal.refresh_from_db()
    assert proposal.state == OverrideState.PENDING
    assert StatusOverride.objects.count() == 1


@override_settings(STATUS_OVERRIDES_PER_HOUR=2)
def test_a_burst_of_overrides_is_refused_and_the_park_is_alerted(world: World) -> None:
    for _ in range(2):
        _request(world, "a1_officer", OverrideAction.HOLD, reason="社区通知为密接")
    with pytest.raises(ValidationError) as burst:
        _request(world, "a1_officer", OverrideAction.HOLD, reason="社区通知为密接")
    assert overrides.TOO_MANY.format(limit=2) in burst.value.messages
    assert StatusOverride.objects.count() == 2
    alert = Message.objects.get(user=world.users["park_a_admin"])
    assert overrides.ALERT_TITLE in alert.title
    assert AuditEvent.objects.filter(action="status_override_blocked").exists()
    # An hour later the enterprise may propose again.
    later = overrides.status_override_request(
        scope=scope_for_user(world.users["a1_officer"]),
        person=world.a1_person,
        action=OverrideAction.HOLD,
        reason="社区通知为密接",
        by=world.users["a1_officer"],
        at=AT + overrides.WINDOW + dt.timedelta(seconds=1),
    )
    assert later.pk is not None


def test_the_board_proposes_and_a_second_person_approves(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    hold = _fever_hold(world)
    officer = client_as("a1_officer")
    board = reverse("status_board", args=[world.a1.pk])
    page = officer.get(board)
    assert page.status_code == 200 and world.a1_person.name in page.content.decode()
    officer.post(
        reverse("status_override_request", args=[world.a1.pk]),
        {"action": "release", "person": world.a1_person.pk, "hold": hold.pk, "reason": "复测正常"},
    )
    proposal = StatusOverride.objects.get()
    decide = reverse("status_override_decide", args=[proposal.pk])
    officer.post(decide, {"approve": "1"})
    proposal.refresh_from_db()
    assert proposal.state == OverrideState.PENDING
    client_as("park_a_admin").post(decide, {"approve": "1"})
    proposal.refresh_from_db()
    assert proposal.state == OverrideState.APPROVED and not _on_hold(world)
    assert client_as("a1_employee").get(board).status_code in {403, 404}


def test_the_api_proposes_and_refuses_outsiders(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    body = {"person_id": world.a1_person.pk, "action": "hold", "reason": "社区通知为密接"}
    outsider = client_as("a2_officer").post(
        "/api/v1/status/overrides", body, content_type="application/json"
    )
    assert outsider.status_code == 404 and not StatusOverride.objects.exists()
    short = client_as("a1_officer").post(
        "/api/v1/status/overrides", {**body, "reason": "短"}, content_type="application/json"
    )
    assert short.status_code == 422
    assert [d["msg"] for d in short.json()["detail"]] == [overrides.REASON_REQUIRED]
    made = client_as("a1_officer").post(
        "/api/v1/status/overrides", body, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["state"] == "pending"
    own = client_as("a1_officer").post(
        f"/api/v1/status/overrides/{made.json()['id']}/decision",
        {"approve": True},
        content_type="application/json",
    )
    assert own.status_code == 422
    assert [d["msg"] for d in own.json()["detail"]] == [overrides.SELF_APPROVAL]
    assert StatusOverride.objects.get().state == OverrideState.PENDING
    listed = client_as("park_a_admin").get(f"/api/v1/status/enterprises/{world.a1.pk}/overrides")
    assert [o["id"] for o in listed.json()] == [made.json()["id"]]
