"""Inspections and the rectification ledger: checklist from the packs, findings with photos,
replies with evidence, close/reopen, overdue escalation, reporting upward (Z-6, J-2.4, J-2.5)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.oversight import selectors, services
from parkguard.oversight.choices import EventKind, InspectionStatus, RectificationStatus
from parkguard.oversight.exporting import TITLE, ledger_xlsx
from parkguard.oversight.models import Finding, Inspection, Photo, Rectification
from parkguard.oversight.photos import PHOTO_BAD_TYPE, PHOTO_TOO_LARGE, CheckedPhoto, photos_check
from parkguard.rules.models import PackAdoption
from tests.factories import TODAY, World
from tests.oversight.conftest import AT, JPEG, PNG

J_CHECKLIST_KINDS = {"外出差旅", "返岗人员", "市外来访人员", "商务活动", "出入管理", "关键岗位"}


def _photo(data: bytes = PNG) -> list[CheckedPhoto]:
    return photos_check([ContentFile(data)], field="photos")


def _plan(world: World, inspector: User) -> Inspection:
    return services.inspection_plan(
        scope=scope_for_user(inspector),
        enterprise=world.a1,
        planned_on=TODAY,
        inspector=inspector,
        purpose="J-2.5 抽查",
        at=AT,
    )


def _finding(world: World, inspector: User, **overrides: object) -> Rectification:
    fields: dict[str, object] = {
        "item_key": "jinjiang-xiyuan-2022-81:entry-control",
        "description": "2号门未测温扫码",
        "owner_name": "王主任",
        "deadline": TODAY + dt.timedelta(days=3),
        "photos": _photo(),
    }
    fields.update(overrides)
    return services.finding_add(
        scope=scope_for_user(inspector),
        inspection=_plan(world, inspector),
        at=AT,
        by=inspector,
        **fields,  # type: ignore[arg-type]
    )


def _reply(world: World, item: Rectification) -> None:
    officer = world.users["a1_officer"]
    services.rectification_reply(
        scope=scope_for_user(officer),
        rectification=item,
        text="已安排专人值守，张贴场所码",
        evidence=_photo(JPEG),
        at=AT,
        by=officer,
    )


def test_it_builds_the_checklist_from_the_packs_in_force_with_citations(
    world: World, inspector: User
) -> None:
    """Z-6, J-2.5: every pack item cites its notice and clause; the park's own items follow."""
    services.checklist_item_add(
        scope=scope_for_user(inspector),
        park=world.park_a,
        kind="园区自设",
        text="食堂错峰就餐",
        basis="园区防控办要求",
        at=AT,
    )
    entries = selectors.checklist_for(park=world.park_a, on=TODAY)
    from_pack = [e for e in entries if e.citation.get("pack_id")]
    assert {e.kind for e in from_pack} >= J_CHECKLIST_KINDS
    assert all(e.citation["document_number"] == "晋政西〔2022〕81号" for e in from_pack)
    assert all(e.citation["clause"] for e in from_pack)
    assert entries[-1].text == "食堂错峰就餐" and entries[-1].basis == "园区防控办要求"


def test_it_records_a_visit_item_by_item(world: World, inspector: User) -> None:
    """Z-6: the checklist is stored as it stood, with each result and its citation."""
    visit = _plan(world, inspector)
    key = "jinjiang-xiyuan-2022-81:entry-control"
    services.inspection_record(
        scope=scope_for_user(inspector),
        inspection=visit,
        results={key: ("problem", "2号门无人值守")},
        summary="总体较好",
        at=AT,
    )
    visit.refresh_from_db()
    assert visit.status == InspectionStatus.DONE and visit.visited_at == AT
    row = next(r for r in visit.checklist if r["key"] == key)
    assert row["result"] == "problem" and row["note"] == "2号门无人值守"
    assert row["citation"]["requirement"] == "J-2.5"


def test_it_refuses_a_finding_with_no_deadline_and_writes_nothing(
    world: World, inspector: User
) -> None:
    """Bad input (issue 16): a finding with no deadline."""
    with pytest.raises(ValidationError) as exc:
        _finding(world, inspector, deadline=None)
    assert exc.value.message_dict["deadline"] == [services.FINDING_NO_DEADLINE]
    assert not Finding.objects.exists() and not Rectification.objects.exists()
    assert not Photo.objects.exists()


def test_it_refuses_a_photo_that_is_not_an_image(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        photos_check([ContentFile(b"<html>not a photo</html>")], field="photos")
    assert exc.value.message_dict["photos"] == [PHOTO_BAD_TYPE]
    big = ContentFile(PNG + bytes(8 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        photos_check([big], field="photos")
    assert exc.value.message_dict["photos"] == [PHOTO_TOO_LARGE]


def test_it_turns_a_finding_into_an_item_and_tells_the_enterprise(
    world: World, inspector: User
) -> None:
    """Z-6: every finding becomes a ledger item with owner and deadline; officers are told."""
    item = _finding(world, inspector)
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN and item.owner_name == "王主任"
    assert item.finding.citation["clause"].startswith("专项工作组主要职责五")
    assert item.photos.get().content_type == "image/png"
    assert Message.objects.filter(user=world.users["a1_officer"], title__contains="整改").exists()


def test_it_refuses_a_reply_without_evidence_and_keeps_the_item(
    world: World, inspector: User
) -> None:
    """Bad input (issue 16): a reply without evidence changes nothing."""
    item = _finding(world, inspector)
    officer = world.users["a1_officer"]
    with pytest.raises(ValidationError) as exc:
        services.rectification_reply(
            scope=scope_for_user(officer),
            rectification=item,
            text="已整改",
            evidence=[],
            at=AT,
            by=officer,
        )
    assert exc.value.message_dict["evidence"] == [services.REPLY_NO_EVIDENCE]
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN
    assert list(item.events.values_list("kind", flat=True)) == [EventKind.OPENED]


def test_it_lets_only_the_enterprise_reply_and_only_the_inspector_decide(
    world: World, inspector: User
) -> None:
    item = _finding(world, inspector)
    with pytest.raises(PermissionDenied):
        services.rectification_reply(
            scope=scope_for_user(inspector),
            rectification=item,
            text="代为回复",
            evidence=_photo(),
            at=AT,
            by=inspector,
        )
    _reply(world, item)
    officer = world.users["a1_officer"]
    with pytest.raises(PermissionDenied):
        services.rectification_close(
            scope=scope_for_user(officer), rectification=item, note="自行销号", at=AT, by=officer
        )
    item.refresh_from_db()
    assert item.status == RectificationStatus.REPLIED and item.closed_at is None


def test_it_closes_an_item_and_audits_it(world: World, inspector: User) -> None:
    item = _finding(world, inspector)
    _reply(world, item)
    services.rectification_close(
        scope=scope_for_user(inspector),
        rectification=item,
        note="现场复核通过",
        at=AT,
        by=inspector,
    )
    item.refresh_from_db()
    assert item.status == RectificationStatus.CLOSED and item.closed_at == AT
    assert AuditEvent.objects.filter(action="rectification_close", target_id=str(item.pk)).exists()


def test_it_reports_an_enterprise_upward_after_the_parks_refusals(
    world: World, inspector: User
) -> None:
    """J-2.4: after the refusals the pack's park parameter names (default 2), report upward
    with the task force's deadline; not before."""
    item = _finding(world, inspector)
    scope = scope_for_user(inspector)
    deadline = TODAY + dt.timedelta(days=5)
    for round_ in range(2):
        _reply(world, item)
        services.rectification_reopen(
            scope=scope, rectification=item, reason="照片不清晰", deadline=None, at=AT, by=inspector
        )
        if round_ == 0:
            with pytest.raises(ValidationError) as exc:
                services.rectification_report(
                    scope=scope, rectification=item, deadline=deadline, note="", at=AT, by=inspector
                )
            assert exc.value.message_dict["__all__"] == [
                services.REPORT_TOO_EARLY.format(count=1, needed=2)
            ]
    with pytest.raises(ValidationError) as exc:
        services.rectification_report(
            scope=scope, rectification=item, deadline=None, note="", at=AT, by=inspector
        )
    assert exc.value.message_dict["deadline"] == [services.REPORT_NO_DEADLINE]
    item.refresh_from_db()
    assert item.reported_at is None
    services.rectification_report(
        scope=scope, rectification=item, deadline=deadline, note="拒不整改", at=AT, by=inspector
    )
    item.refresh_from_db()
    assert item.refusals == 2 and item.reported_at == AT and item.report_deadline == deadline
    assert item.report_citation["requirement"] == "J-2.4"
    assert item.report_citation["refusals"] == 2
    assert AuditEvent.objects.filter(action="rectification_report").exists()
    assert AuditEvent.objects.filter(action="rectification_reopen").count() == 2
    assert list(selectors.notices(scope=scope, park=world.park_a)) == [item]


def test_it_takes_the_refusals_from_the_parks_parameter(world: World, inspector: User) -> None:
    """J-2.4: a park that sets refusals_before_report to 3 reports only at the third."""
    PackAdoption.objects.filter(jurisdiction=world.park_a).update(
        params={"refusals_before_report": 3}
    )
    threshold = selectors.threshold_for(park=world.park_a, on=TODAY)
    assert threshold is not None and threshold.refusals == 3


def test_it_escalates_overdue_items_once(world: World, inspector: User) -> None:
    """Z-6: an item open past its deadline is escalated to the park and the cadre, once."""
    item = _finding(world, inspector)
    admin = world.users["park_a_admin"]
    later = AT + dt.timedelta(days=5)
    assert services.rectifications_escalate_overdue(at=AT) == 0
    assert services.rectifications_escalate_overdue(at=later) == 1
    item.refresh_from_db()
    assert item.escalated_at == later
    assert Message.objects.filter(user=admin, title__startswith="整改逾期").count() == 1
    assert services.rectifications_escalate_overdue(at=later) == 0
    overdue = selectors.ledger(
        scope=scope_for_user(admin), park=world.park_a, overdue_on=later.date()
    )
    assert list(overdue) == [item]


def test_it_exports_the_ledger_in_the_official_layout(world: World, inspector: User) -> None:
    item = _finding(world, inspector)
    data = ledger_xlsx(park_name="甲园区", rows=[item], replies={item.pk: "已整改"}, today=TODAY)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == TITLE
    assert rows[2][:2] == ["序号", "企业名称"]
    assert rows[3][1] == world.a1.name and rows[3][4] == "2号门未测温扫码"
    assert rows[3][8] == "已整改"
