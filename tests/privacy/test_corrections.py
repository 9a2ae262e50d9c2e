"""Correction requests (issue 18 §4, PIPL Art. 46): the person files one, an officer of their
enterprise answers by the deadline; overdue ones are flagged to the officers and the park."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client, override_settings

from parkguard.audit.models import AuditEvent
from parkguard.audit.services import audit_check
from parkguard.notify.choices import Kind
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.privacy import services
from parkguard.privacy.choices import CorrectionState
from parkguard.privacy.models import CorrectionRequest
from tests.factories import World

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def _file(world: World, who: str = "a1_employee", **kw: str) -> CorrectionRequest:
    user = world.users[who]
    fields = {"field": "phone", "text": "手机号已换成新号码，请更新"} | kw
    return services.correction_file(
        scope=scope_for_user(user), person=world.a1_employee_person, by=user, at=AT, **fields
    )


def _answer(world: World, request: CorrectionRequest, who: str = "a1_officer", **kw: str):
    user = world.users[who]
    fields = {"state": "corrected", "answer": "已按新号码更正"} | kw
    return services.correction_answer(
        scope=scope_for_user(user), request=request, by=user, at=AT + dt.timedelta(days=1), **fields
    )


@override_settings(PRIVACY_CORRECTION_DAYS=15)
def test_it_files_a_request_with_a_deadline_and_tells_the_officer(world: World) -> None:
    request = _file(world)
    request.refresh_from_db()
    assert request.state == CorrectionState.OPEN
    assert request.enterprise_id == world.a1.pk
    assert request.due_at == AT + dt.timedelta(days=15)
    message = Message.objects.get(user=world.users["a1_officer"])
    assert message.kind == Kind.PRIVACY
    assert message.link == f"/privacy/corrections/{request.pk}/"
    event = AuditEvent.objects.get(action="privacy_correction_file")
    assert list(event.subjects.values_list("person_id_ref", flat=True)) == [
        world.a1_employee_person.pk
    ]


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        ({"field": "nonsense"}, "field", services.FIELD_UNKNOWN),
        ({"text": "错"}, "text", services.TEXT_REQUIRED),
        ({"text": "错" * 501}, "text", services.TEXT_TOO_LONG),
    ],
)
def test_it_refuses_a_bad_request_and_changes_nothing(
    world: World, fields: dict[str, str], key: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _file(world, **fields)
    assert caught.value.message_dict[key] == [message]
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize("who", ["a1_officer", "a2_officer", "park_a_admin"])
def test_nobody_files_for_someone_else(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        _file(world, who=who)
    assert not CorrectionRequest.objects.exists()


def test_the_officer_answers_and_the_person_is_told(world: World) -> None:
    request = _file(world)
    _answer(world, request)
    request.refresh_from_db()
    assert request.state == CorrectionState.CORRECTED
    assert request.answer == "已按新号码更正"
    assert request.answered_by == world.users["a1_officer"]
    told = Message.objects.get(user=world.users["a1_employee"], kind=Kind.PRIVACY)
    assert "已更正" in told.title
    event = AuditEvent.objects.get(action="privacy_correction_answer")
    assert event.detail == {"state": "corrected", "late": False}
    assert event.reason == "已按新号码更正"
    assert audit_check() is None


@pytest.mark.parametrize("who", ["a2_officer", "park_b_admin", "a1_employee", "a1_leader"])
def test_only_an_officer_of_the_enterprise_answers(world: World, who: str) -> None:
    request = _file(world)
    with pytest.raises(PermissionDenied):
        _answer(world, request, who=who)
    request.refresh_from_db()
    assert request.state == CorrectionState.OPEN and request.answer == ""


def test_an_answer_needs_a_reason_and_comes_once(world: World) -> None:
    request = _file(world)
    with pytest.raises(ValidationError) as caught:
        _answer(world, request, state="refused", answer="不")
    assert caught.value.message_dict["answer"] == [services.ANSWER_REQUIRED]
    request.refresh_from_db()
    assert request.state == CorrectionState.OPEN
    _answer(world, request, state="refused", answer="记录与身份证一致，无需更正")
    with pytest.raises(ValidationError) as caught:
        _answer(world, request)
    assert caught.value.message_dict["__all__"] == [services.ALREADY_ANSWERED]
    request.refresh_from_db()
    assert request.state == CorrectionState.REFUSED


@override_settings(PRIVACY_CORRECTION_DAYS=15)
def test_overdue_requests_are_flagged_once_to_officer_and_park(world: World) -> None:
    request = _file(world)
    Message.objects.all().delete()
    assert services.corrections_flag_overdue(at=AT + dt.timedelta(days=14)) == 0
    assert services.corrections_flag_overdue(at=AT + dt.timedelta(days=16)) == 1
    request.refresh_from_db()
    assert request.overdue_flagged_at == AT + dt.timedelta(days=16)
    flagged = set(
        Message.objects.filter(kind=Kind.PRIVACY).values_list("user__username", flat=True)
    )
    assert flagged == {"a1_officer", "park_a_admin"}
    assert services.corrections_flag_overdue(at=AT + dt.timedelta(days=17)) == 0
    call_command("privacy", "overdue")
    assert Message.objects.filter(kind=Kind.PRIVACY).count() == 2


def test_the_pages_file_list_and_answer(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    employee = client_as("a1_employee")
    url = f"/me/privacy/{world.a1_employee_person.pk}/corrections/new/"
    assert employee.get(url).status_code == 200
    bad = employee.post(url, {"field": "phone", "text": "错"})
    assert bad.status_code == 200 and services.TEXT_REQUIRED in bad.content.decode()
    assert not CorrectionRequest.objects.exists()
    done = employee.post(url, {"field": "phone", "text": "手机号已换成新号码"})
    assert done.status_code == 302
    request = CorrectionRequest.objects.get()
    officer = client_as("a1_officer")
    listing = officer.get(f"/privacy/enterprises/{world.a1.pk}/corrections/")
    assert world.a1_employee_person.name in listing.content.decode()
    answered = officer.post(
        f"/privacy/corrections/{request.pk}/", {"state": "refused", "answer": "号码核对无误"}
    )
    assert answered.status_code == 302
    request.refresh_from_db()
    assert request.state == CorrectionState.REFUSED
    page = employee.get(f"/me/privacy/{world.a1_employee_person.pk}/").content.decode()
    assert "号码核对无误" in page


def test_another_enterprises_officer_cannot_see_or_answer(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    request = _file(world)
    outsider = client_as("a2_officer")
    assert outsider.get(f"/privacy/corrections/{request.pk}/").status_code == 404
    assert outsider.get(f"/privacy/enterprises/{world.a1.pk}/corrections/").status_code == 404
    posted = outsider.post(
        f"/privacy/corrections/{request.pk}/", {"state": "corrected", "answer": "越权答复"}
    )
    assert posted.status_code == 404
    request.refresh_from_db()
    assert request.state == CorrectionState.OPEN


def test_the_park_sees_overdue_requests(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    request = _file(world)
    CorrectionRequest.objects.filter(pk=request.pk).update(due_at=AT - dt.timedelta(days=1))
    page = client_as("park_a_admin").get(f"/privacy/parks/{world.park_a.pk}/")
    assert page.status_code == 200
    assert world.a1.name in page.content.decode()
    assert client_as("park_b_admin").get(f"/privacy/parks/{world.park_a.pk}/").status_code == 404
