"""Subject transparency (issue 18 §4, PIPL Art. 44-45): the person sees who viewed or changed
their data and why, and downloads everything ParkGuard holds about them; nobody else does."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent, AuditSubject
from parkguard.audit.services import audit_check, audit_record
from parkguard.health.models import Declaration
from parkguard.orgs.access import scope_for_user
from parkguard.people.services import ledger_export, person_id_reveal, person_update
from parkguard.privacy import selectors
from tests.factories import TODAY, World

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def _reveal(world: World, person_pk: int, reason: str = "核对返岗人员身份") -> None:
    officer = world.users["a1_officer"]
    person = world.a1_employee_person if person_pk == world.a1_employee_person.pk else None
    assert person is not None
    person_id_reveal(
        scope=scope_for_user(officer), person=person, actor=officer, reason=reason, at=AT
    )


def test_it_records_the_person_a_reveal_an_export_and_an_edit_concern(world: World) -> None:
    officer = world.users["a1_officer"]
    scope = scope_for_user(officer)
    _reveal(world, world.a1_employee_person.pk)
    ledger_export(
        scope=scope,
        enterprise=world.a1,
        people=[world.a1_person, world.a1_employee_person],
        actor=officer,
        at=AT,
    )
    person_update(
        scope=scope, person=world.a1_employee_person, today=TODAY, actor=officer, post="质检员"
    )
    subjects = AuditSubject.objects.filter(person_id_ref=world.a1_employee_person.pk)
    actions = sorted(subjects.values_list("event__action", flat=True))
    assert actions == ["id_reveal", "person_export", "person_update"]
    export = AuditEvent.objects.get(action="person_export")
    assert sorted(export.subjects.values_list("person_id_ref", flat=True)) == sorted(
        [world.a1_person.pk, world.a1_employee_person.pk]
    )
    update = AuditEvent.objects.get(action="person_update")
    assert update.detail == {"fields": ["岗位"]}
    assert audit_check() is None


def test_it_shows_the_person_who_viewed_their_data_and_why(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    _reveal(world, world.a1_employee_person.pk, reason="核对返岗人员身份")
    response = client_as("a1_employee").get(f"/me/privacy/{world.a1_employee_person.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "查看完整身份证号" in body
    assert "a1_officer" in body
    assert "核对返岗人员身份" in body


def test_it_leaves_out_what_concerns_someone_else(world: World) -> None:
    officer = world.users["a1_officer"]
    person_id_reveal(
        scope=scope_for_user(officer),
        person=world.a1_person,
        actor=officer,
        reason="别人的事由",
        at=AT,
    )
    log = selectors.person_access_log(person=world.a1_employee_person, user_ids=frozenset())
    assert log == []


def test_it_finds_entries_written_before_the_subject_index_by_their_target(world: World) -> None:
    audit_record(
        actor=world.users["a1_officer"], action="id_reveal", at=AT, target=world.a1_employee_person
    )
    log = selectors.person_access_log(person=world.a1_employee_person, user_ids=frozenset())
    assert [e.what for e in log] == ["查看完整身份证号"]


def test_me_redirects_the_employee_to_their_own_page(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("a1_employee").get("/me/privacy/")
    assert response.status_code == 302
    assert response["Location"] == f"/me/privacy/{world.a1_employee_person.pk}/"


@pytest.mark.parametrize("persona", ["a1_officer", "a2_officer", "park_a_admin", "a1_leader"])
def test_nobody_else_sees_a_persons_transparency_page(
    world: World, client_as: Callable[[str | None], Client], persona: str
) -> None:
    """Not another enterprise's officer, and not the person's own officer or park either."""
    client = client_as(persona)
    for url in (
        f"/me/privacy/{world.a1_employee_person.pk}/",
        f"/me/privacy/{world.a1_employee_person.pk}/export/",
        f"/me/privacy/{world.a1_employee_person.pk}/corrections/new/",
    ):
        assert client.get(url).status_code == 404


def test_an_employee_sees_only_their_own(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_employee")
    assert client.get(f"/me/privacy/{world.a1_person.pk}/").status_code == 404
    assert client.get(f"/me/privacy/{world.a1_person.pk}/export/").status_code == 404
    with pytest.raises(Http404):
        selectors.own_person(
            scope=scope_for_user(world.users["a1_employee"]), person_id=world.a1_person.pk
        )


def test_the_export_holds_the_record_across_apps_and_is_audited(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    Declaration.objects.create(
        person=world.a1_employee_person,
        on=TODAY,
        temperature="36.6",
        code_colour="green",
        submitted_at=AT,
    )
    _reveal(world, world.a1_employee_person.pk, reason="核对返岗人员身份")
    response = client_as("a1_employee").get(f"/me/privacy/{world.a1_employee_person.pk}/export/")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert {"说明", "基本信息", "健康申报", "谁查看或修改了我的信息", "档案修改记录"} <= set(
        book.sheet_names
    )
    basic = book.get_sheet_by_name("基本信息").to_python()
    assert ["姓名", world.a1_employee_person.name] in basic
    # The stored secrets never appear, not even to the person: only the masked forms.
    text = repr([book.get_sheet_by_name(n).to_python() for n in book.sheet_names])
    assert world.a1_employee_person.id_digest not in text
    assert world.a1_employee_person.id_encrypted not in text
    assert world.a1_employee_person.id_masked in text
    declarations = book.get_sheet_by_name("健康申报").to_python()
    assert "36.6" in repr(declarations)
    log = book.get_sheet_by_name("谁查看或修改了我的信息").to_python()
    assert any("核对返岗人员身份" in str(row) for row in log)
    own = AuditEvent.objects.get(action="privacy_own_export")
    assert list(own.subjects.values_list("person_id_ref", flat=True)) == [
        world.a1_employee_person.pk
    ]


def test_the_record_refuses_anyone_but_the_person(world: World) -> None:
    with pytest.raises(Http404):
        selectors.person_record(
            scope=scope_for_user(world.users["a1_officer"]), person=world.a1_employee_person
        )


def test_verify_finds_a_changed_subject_row(world: World, audit_tamperable: None) -> None:
    _reveal(world, world.a1_employee_person.pk)
    AuditSubject.objects.filter(person_id_ref=world.a1_employee_person.pk).update(
        person_id_ref=world.a1_person.pk
    )
    finding = audit_check()
    assert finding is not None and finding.kind == "edited"
    assert "涉及人员" in finding.message
    with pytest.raises(Exception, match="涉及人员"):
        call_command("audit", "verify")


def test_verify_finds_an_added_subject_row(world: World, audit_tamperable: None) -> None:
    event = audit_record(actor=None, action="login", at=AT)
    AuditSubject.objects.create(event=event, person_id_ref=world.a1_person.pk)
    finding = audit_check()
    assert finding is not None and finding.entry_id == event.pk


def test_a_refused_export_of_anothers_record_leaves_no_audit(world: World) -> None:
    from parkguard.privacy.services import own_record_export_audit

    with pytest.raises(PermissionDenied):
        own_record_export_audit(
            scope=scope_for_user(world.users["a2_officer"]),
            person=world.a1_employee_person,
            by=world.users["a2_officer"],
            at=AT,
        )
    assert not AuditEvent.objects.filter(action="privacy_own_export").exists()
