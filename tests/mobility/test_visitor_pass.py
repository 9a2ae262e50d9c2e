"""A visitor's temporary gate pass (J-1.2, issue 12 §5 and issue 13 §1): the enterprise's
officer issues it from the visitor board, valid from the earliest entry the visitor's plan
allows until the departure the officer enters; the visitor's own page shows its QR code; a
re-issue or a cancelled visit revokes it; bad input and outsiders change nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.gate import tokens
from parkguard.gate.models import TemporaryPass
from parkguard.mobility import visitors
from parkguard.mobility.models import Visitor
from parkguard.mobility.services import StayDeclared
from parkguard.orgs.access import SYSTEM, scope_for_user
from tests.factories import World
from tests.gate.test_pages import decode, qr_content
from tests.mobility.conftest import at
from tests.mobility.journeys import Clock

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"
ARRIVES = at("2022-11-18", "10:00")
SAMPLED = at("2022-11-17", "08:00")


def _filled(world: World, *, sampled: dt.datetime | None = SAMPLED) -> Visitor:
    """J-1.2.4: a visitor from another province, arriving 11-18 10:00 with a negative sample
    of 11-17 08:00; no isolation, so the plan allows entry from arrival."""
    visitor = visitors.visitor_register(
        scope=SYSTEM,
        host=world.a1_employee_person,
        purpose="商务洽谈",
        origin_code=SHANGHAI,
        arrives_at=ARRIVES,
        by=None,
        at=at("2022-11-15"),
    )
    return visitors.visitor_fill(
        visitor=visitor,
        name="访客甲",
        phone="13900000001",
        stays=[StayDeclared(SHANGHAI, dt.date(2022, 11, 10), dt.date(2022, 11, 18))],
        certificates=[(sampled, "negative")] if sampled else [],
        at=at("2022-11-16"),
    )


def _issue(world: World, visitor: Visitor, departs: dt.datetime, when: dt.datetime) -> Any:
    officer = world.users["a1_officer"]
    return visitors.visitor_pass_issue(
        scope=scope_for_user(officer), visitor=visitor, departs_at=departs, at=when, by=officer
    )


def test_it_issues_the_pass_from_the_earliest_entry_to_the_departure(jinjiang: World) -> None:
    world = jinjiang
    visitor = _filled(world)
    assert visitor.earliest_entry == ARRIVES
    issued = _issue(world, visitor, at("2022-11-18", "18:00"), at("2022-11-16", "10:00"))
    issued.refresh_from_db()
    visitor.refresh_from_db()
    assert visitor.temporary_pass == issued
    assert (issued.valid_from, issued.valid_until) == (ARRIVES, at("2022-11-18", "18:00"))
    assert issued.negative_sampled_at == SAMPLED  # from the visitor's certificates
    assert (issued.kind, issued.name, issued.enterprise) == ("visitor", "访客甲", world.a1)
    assert issued.source == f"mobility.visitor:{visitor.pk}"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"mobility.visitor.pass_issue", "gate.temporary_pass.issue"} <= actions


def test_it_starts_a_late_issued_pass_now(jinjiang: World) -> None:
    """Issued after the earliest entry has passed: valid from the moment of issue."""
    world = jinjiang
    visitor = _filled(world)
    issued = _issue(world, visitor, at("2022-11-19", "18:00"), at("2022-11-19", "09:00"))
    assert issued.valid_from == at("2022-11-19", "09:00")


def test_a_re_issue_revokes_the_previous_pass(jinjiang: World) -> None:
    world = jinjiang
    visitor = _filled(world)
    first = _issue(world, visitor, at("2022-11-18", "18:00"), at("2022-11-16", "10:00"))
    second = _issue(world, visitor, at("2022-11-19", "18:00"), at("2022-11-17", "10:00"))
    first.refresh_from_db()
    visitor.refresh_from_db()
    assert first.revoked_at == at("2022-11-17", "10:00")
    assert second.revoked_at is None and visitor.temporary_pass == second
    assert AuditEvent.objects.filter(action="gate.temporary_pass.revoke").count() == 1


def test_cancelling_the_visit_revokes_its_pass_and_voids_the_link(jinjiang: World) -> None:
    world = jinjiang
    visitor = _filled(world)
    issued = _issue(world, visitor, at("2022-11-18", "18:00"), at("2022-11-16", "10:00"))
    token = visitors.visitor_link(visitor)
    host = world.users["a1_employee"]  # the host may cancel their own visitor
    visitors.visitor_cancel(
        scope=scope_for_user(host), visitor=visitor, at=at("2022-11-17"), by=host
    )
    issued.refresh_from_db()
    visitor.refresh_from_db()
    assert issued.revoked_at == at("2022-11-17")
    assert (visitor.state, visitor.cancelled_at) == ("cancelled", at("2022-11-17"))
    assert visitors.visitor_from_token(token=token, at=at("2022-11-17")) is None
    assert visitors.visitor_pass(visitor) is None
    assert AuditEvent.objects.filter(action="mobility.visitor.cancel").exists()
    with pytest.raises(ValidationError) as twice:
        visitors.visitor_cancel(scope=SYSTEM, visitor=visitor, at=at("2022-11-17"), by=None)
    assert twice.value.message_dict["__all__"] == [visitors.VISIT_ALREADY_CANCELLED]


def _refused(world: World, visitor: Visitor, departs: dt.datetime | None) -> dict[str, Any]:
    """The service refuses; nothing is saved: no pass, the visitor's pass unchanged."""
    passes = list(TemporaryPass.objects.values_list("pk", "revoked_at"))
    visitor.refresh_from_db()
    before = visitor.temporary_pass_id
    officer = world.users["a1_officer"]
    with pytest.raises(ValidationError) as refused:
        visitors.visitor_pass_issue(
            scope=scope_for_user(officer),
            visitor=visitor,
            departs_at=departs,
            at=at("2022-11-16", "10:00"),
            by=officer,
        )
    visitor.refresh_from_db()
    assert visitor.temporary_pass_id == before
    assert list(TemporaryPass.objects.values_list("pk", "revoked_at")) == passes
    return refused.value.message_dict


def test_bad_departures_are_field_errors_and_save_nothing(jinjiang: World) -> None:
    world = jinjiang
    visitor = _filled(world)
    kept = _issue(world, visitor, at("2022-11-18", "18:00"), at("2022-11-16", "09:30"))
    # Departure before the pass's start (the arrival) and after the bound.
    before = _refused(world, visitor, at("2022-11-18", "09:00"))
    assert before["departs_at"] == [visitors.DEPARTS_BEFORE_ENTRY.format(start="11-18 10:00")]
    too_late = _refused(world, visitor, ARRIVES + dt.timedelta(days=8))
    assert too_late["departs_at"] == [visitors.DEPARTS_TOO_LATE.format(days=7)]
    assert _refused(world, visitor, None)["departs_at"] == [visitors.DEPARTS_REQUIRED]
    kept.refresh_from_db()
    assert kept.revoked_at is None  # the live pass survives a refused re-issue


def test_no_plan_yet_a_plan_that_forbids_entry_and_a_cancelled_visit_are_refused(
    jinjiang: World,
) -> None:
    world = jinjiang
    registered = visitors.visitor_register(
        scope=SYSTEM,
        host=world.a1_employee_person,
        purpose="商务洽谈",
        origin_code=SHANGHAI,
        arrives_at=ARRIVES,
        by=None,
        at=at("2022-11-15"),
    )
    departs = at("2022-11-18", "18:00")
    assert _refused(world, registered, departs)["__all__"] == [visitors.PASS_NOT_FILLED]
    visitor = _filled(world)
    # A plan with no known entry (held until something the plan cannot date) forbids entry.
    Visitor.objects.filter(pk=visitor.pk).update(earliest_entry=None)
    visitor.refresh_from_db()
    assert _refused(world, visitor, departs)["__all__"] == [visitors.PASS_ENTRY_FORBIDDEN]
    visitors.visitor_cancel(scope=SYSTEM, visitor=registered, at=at("2022-11-16"), by=None)
    assert _refused(world, registered, departs)["__all__"] == [visitors.PASS_CANCELLED]
    assert TemporaryPass.objects.count() == 0


@pytest.mark.parametrize("persona", ["a1_employee", "a1_guard", "a1_leader", "park_a_admin"])
def test_lower_roles_the_host_and_the_park_may_not_issue(jinjiang: World, persona: str) -> None:
    """Only the enterprise's officers issue a gate pass; the host registers and cancels."""
    world = jinjiang
    visitor = _filled(world)
    user = world.users[persona]
    with pytest.raises(PermissionDenied):
        visitors.visitor_pass_issue(
            scope=scope_for_user(user),
            visitor=visitor,
            departs_at=at("2022-11-18", "18:00"),
            at=at("2022-11-16"),
            by=user,
        )
    assert TemporaryPass.objects.count() == 0


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("persona", "statuses"),
    [
        (None, {401}),
        ("a2_officer", {404}),  # another enterprise's visitor
        ("park_b_admin", {404}),  # another park
        ("liaison_a", {404}),  # a community liaison: the visit is not filed with it
        ("a1_employee", {403}),  # the host: may cancel, not issue
        ("a1_guard", {403, 404}),
        ("a1_leader", {403, 404}),
    ],
)
def test_outsiders_neither_issue_nor_cancel_nor_see_the_pass(
    jinjiang: World,
    client_as: Any,
    persona: str | None,
    statuses: set[int],
) -> None:
    world = jinjiang
    visitor = _filled(world)
    issued = _issue(world, visitor, at("2022-11-18", "18:00"), at("2022-11-16", "10:00"))
    client = client_as(persona)
    api = f"/api/v1/mobility/visitors/{visitor.pk}"
    answer = _post(client, f"{api}/pass", {"departs_at": "2022-11-19T18:00:00+08:00"})
    assert answer.status_code in statuses, answer.content
    assert issued.serial not in answer.content.decode()
    page = client.post(f"/mobility/visitors/{visitor.pk}/pass/", {"departs_at": "2022-11-19T18:00"})
    assert page.status_code in {302, 403, 404}
    if page.status_code == 302:  # anonymous: to the login page
        assert "/login" in page["Location"] or "/accounts/" in page["Location"]
    if persona != "a1_employee":  # the host may cancel; see the next test
        cancel = _post(client, f"{api}/cancel", {})
        assert cancel.status_code in statuses | {403}, cancel.content
        assert client.post(f"/mobility/visitors/{visitor.pk}/cancel/").status_code in {
            302,
            403,
            404,
        }
    read = client.get(f"/mobility/visitors/{visitor.pk}/")
    assert issued.serial not in read.content.decode()
    issued.refresh_from_db()
    visitor.refresh_from_db()
    assert issued.revoked_at is None and visitor.state == "filled"
    assert visitor.temporary_pass == issued
    assert TemporaryPass.objects.count() == 1


def test_the_api_issues_and_answers_bad_input_with_field_errors(
    jinjiang: World, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = jinjiang
    Clock(monkeypatch, at("2022-11-16", "10:00"))
    visitor = _filled(world)
    officer = client_as("a1_officer")
    url = f"/api/v1/mobility/visitors/{visitor.pk}/pass"
    bad = _post(officer, url, {"departs_at": "2022-11-18T09:00:00+08:00"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "departs_at"
    assert bad.json()["detail"][0]["msg"].startswith("离开时间应晚于")
    assert TemporaryPass.objects.count() == 0
    made = _post(officer, url, {"departs_at": "2022-11-18T18:00:00+08:00"})
    assert made.status_code == 201, made.content
    issued = TemporaryPass.objects.get()
    assert made.json()["code"] == tokens.temporary_code(issued.serial)
    assert dt.datetime.fromisoformat(made.json()["valid_from"]) == ARRIVES
    listed = officer.get(f"/api/v1/mobility/visitors/{visitor.pk}").json()
    assert dt.datetime.fromisoformat(listed["pass_valid_until"]) == at("2022-11-18", "18:00")
    # Another enterprise's visitor: not found, and nothing issued.
    assert _post(client_as("a2_officer"), url, {"departs_at": None}).status_code == 404
    assert TemporaryPass.objects.count() == 1


def test_the_visitor_page_shows_a_scannable_pass_with_its_window(
    jinjiang: World, client_as: Any
) -> None:
    world = jinjiang
    visitor = _filled(world)
    token = visitors.visitor_link(visitor)
    before = client_as(None).get(f"/v/{token}/").content.decode()
    assert 'id="visitor-pass"' not in before
    issued = _issue(world, visitor, at("2022-11-18", "18:00"), at("2022-11-16", "10:00"))
    html = client_as(None).get(f"/v/{token}/").content.decode()
    code = tokens.temporary_code(issued.serial)
    assert qr_content(html, [code]) == code and decode(code) == code
    assert "有效时段：11月18日 10:00 — 11月18日 18:00" in html
    own = client_as(None).get(f"/api/v1/mobility/visitor-links/{token}").json()
    assert own["pass"]["code"] == code
    # The officer's board shows the window and the link to resend; the host sees no form.
    board = client_as("a1_officer").get(f"/mobility/visitors/{visitor.pk}/").content.decode()
    assert 'id="visitor-pass-form"' in board and f"/v/{token[:10]}" in board
    host = client_as("a1_employee").get(f"/mobility/visitors/{visitor.pk}/").content.decode()
    assert 'id="visitor-pass-form"' not in host and 'id="visitor-cancel-form"' in host
    # Revoked by a cancel: the link shows nothing any more.
    visitors.visitor_cancel(scope=SYSTEM, visitor=visitor, at=at("2022-11-17"), by=None)
    gone = client_as(None).get(f"/v/{token}/")
    assert gone.status_code == 404 and issued.serial not in gone.content.decode()


def test_the_page_issues_and_shows_field_errors(
    jinjiang: World, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = jinjiang
    Clock(monkeypatch, at("2022-11-16", "10:00"))
    visitor = _filled(world)
    officer = client_as("a1_officer")
    url = f"/mobility/visitors/{visitor.pk}/pass/"
    bad = officer.post(url, {"departs_at": "2022-11-18T09:00"})
    assert bad.status_code == 422 and "离开时间应晚于" in bad.content.decode()
    assert TemporaryPass.objects.count() == 0
    empty = officer.post(url, {"departs_at": ""})
    assert empty.status_code == 422 and visitors.DEPARTS_REQUIRED in empty.content.decode()
    made = officer.post(url, {"departs_at": "2022-11-18T18:00"})
    assert made.status_code == 302
    issued = TemporaryPass.objects.get()
    assert issued.valid_until == at("2022-11-18", "18:00")
    cancelled = officer.post(f"/mobility/visitors/{visitor.pk}/cancel/")
    assert cancelled.status_code == 302
    issued.refresh_from_db()
    assert issued.revoked_at is not None
