"""The daily report (L-4.3, Z-5.2c, J-2.5): pre-filled from the platform's records, reviewed
with corrections and a note, submitted by the pack's deadline; twice or late without a reason
is refused and changes nothing; a report where nothing happened is a zero report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from parkguard.audit.models import AuditEvent
from parkguard.notify.models import Message
from parkguard.orgs.access import Scope, scope_for_user
from parkguard.reporting import services
from parkguard.reporting.choices import BoardStatus, ReportState
from parkguard.reporting.contributors import Contribution, Timer
from parkguard.reporting.models import DailyReport, DailyReportRow
from parkguard.reporting.rules import report_due
from tests.factories import World
from tests.reporting.conftest import AT, DUE, LATE_AT, ON, REPORT_PACK

pytestmark = pytest.mark.django_db


def _admin(world: World) -> Scope:
    return scope_for_user(world.users["park_a_admin"])


def _prepare(world: World, at: dt.datetime = AT) -> DailyReport:
    return services.daily_report_prepare(
        scope=_admin(world), unit=world.park_a, on=ON, at=at, by=world.users["park_a_admin"]
    )


def _row(report: DailyReport, world: World, which: str = "a1") -> DailyReportRow:
    return report.rows.get(enterprise=getattr(world, which))


def test_it_takes_the_deadline_from_the_pack_l43(report_world: World) -> None:
    due = report_due(unit=report_world.park_a, on=ON)
    assert due is not None and due.due_at == DUE
    assert due.citation["pack_id"] == REPORT_PACK and due.citation["requirement"] == "L-4.3"
    assert "每天下午" in due.citation["clause"]


def test_it_prefills_each_enterprise_from_the_records(a1_day: World) -> None:
    """L-4.3 per enterprise: epidemic situation, supplies, logistics, production."""
    report = _prepare(a1_day)
    assert report.state == ReportState.DRAFT and report.due_at == DUE
    assert set(report.rows.values_list("enterprise_id", flat=True)) == {
        a1_day.a1.pk,
        a1_day.a2.pk,
    }
    a1 = _row(report, a1_day)
    assert (a1.headcount, a1.declared, a1.abnormal) == (2, 2, 1)
    assert (a1.test_due, a1.test_done) == (2, 1)
    assert (a1.open_incidents, a1.new_incidents) == (1, 1)
    assert (a1.trucks_expected, a1.trucks_inside) == (1, 1)
    assert a1.low_stock_items == 1
    assert a1.status == BoardStatus.INCIDENT and a1.production_normal
    assert a1.prefill["headcount"] == 2 and not a1.corrected
    a2 = _row(report, a1_day, "a2")
    assert a2.headcount == 1 and not a2.eventful


def test_it_keeps_a_correction_with_its_note(a1_day: World) -> None:
    report = _prepare(a1_day)
    row = _row(report, a1_day)
    services.daily_report_row_correct(
        scope=_admin(a1_day), report=report, row=row,
        values={"trucks_inside": "0", "production_normal": "false"},
        note="货车 16:40 已离园（门岗电话确认）", by=a1_day.users["park_a_admin"],
    )  # fmt: skip
    row.refresh_from_db()
    assert row.trucks_inside == 0 and not row.production_normal and row.corrected
    assert row.prefill["trucks_inside"] == 1
    assert row.correction_note.startswith("货车")
    # A refresh of the draft keeps the corrected row as the reviewer left it.
    _prepare(a1_day)
    row.refresh_from_db()
    assert row.trucks_inside == 0 and row.prefill["trucks_inside"] == 1


def test_it_refuses_a_correction_without_a_note(a1_day: World) -> None:
    report = _prepare(a1_day)
    row = _row(report, a1_day)
    with pytest.raises(ValidationError) as caught:
        services.daily_report_row_correct(
            scope=_admin(a1_day), report=report, row=row, values={"headcount": 5}, note="",
            by=None,
        )  # fmt: skip
    assert caught.value.message_dict["note"] == [services.CORRECTION_NOTE_REQUIRED]
    row.refresh_from_db()
    assert row.headcount == 2 and row.correction_note == ""


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"headcount": -1}, "headcount", services.FIGURE_INVALID.format(high=services.FIGURE_MAX)),
        (
            {"declared": "很多"},
            "declared",
            services.FIGURE_INVALID.format(high=services.FIGURE_MAX),
        ),
        ({"abnormal": 10**9}, "abnormal", services.FIGURE_INVALID.format(high=services.FIGURE_MAX)),
        ({"production_normal": "maybe"}, "production_normal", services.FLAG_INVALID),
        (
            {"enterprise_id": 1},
            "enterprise_id",
            services.FIELD_UNKNOWN.format(name="enterprise_id"),
        ),
    ],
)
def test_it_refuses_bad_figures(a1_day: World, values: dict, field: str, message: str) -> None:
    report = _prepare(a1_day)
    row = _row(report, a1_day)
    with pytest.raises(ValidationError) as caught:
        services.daily_report_row_correct(
            scope=_admin(a1_day), report=report, row=row, values=values, note="说明", by=None
        )
    assert caught.value.message_dict[field] == [message]
    row.refresh_from_db()
    assert (row.headcount, row.declared, row.abnormal) == (2, 2, 1) and row.production_normal


def test_it_submits_on_time_and_tells_the_county(a1_day: World) -> None:
    report = _prepare(a1_day)
    done = services.daily_report_submit(
        scope=_admin(a1_day), report=report, at=AT, by=a1_day.users["park_a_admin"]
    )
    done.refresh_from_db()
    assert done.state == ReportState.SUBMITTED and not done.late and not done.zero
    assert done.submitted_at == AT and done.signer_name == "park_a_admin"
    message = Message.objects.get(user=a1_day.users["county_cmd"])
    assert message.kind == "daily_report" and "甲园区" in message.title
    assert AuditEvent.objects.filter(action="daily_report_submit", target_id=str(done.pk)).exists()


def test_it_refuses_a_second_submission(a1_day: World) -> None:
    report = _prepare(a1_day)
    services.daily_report_submit(scope=_admin(a1_day), report=report, at=AT, by=None)
    with pytest.raises(ValidationError) as caught:
        services.daily_report_submit(
            scope=_admin(a1_day), report=report, at=LATE_AT, by=None, late_reason="补报"
        )
    assert "不能重复报送" in caught.value.messages[0]
    report.refresh_from_db()
    assert report.submitted_at == AT and not report.late and report.late_reason == ""
    # Nor may the submitted report be pre-filled again or corrected.
    with pytest.raises(ValidationError):
        _prepare(a1_day, LATE_AT)
    with pytest.raises(ValidationError):
        services.daily_report_row_correct(
            scope=_admin(a1_day), report=report, row=_row(report, a1_day),
            values={"headcount": 9}, note="改", by=None,
        )  # fmt: skip
    assert _row(report, a1_day).headcount == 2


def test_it_refuses_a_late_report_without_a_reason(a1_day: World) -> None:
    report = _prepare(a1_day)
    with pytest.raises(ValidationError) as caught:
        services.daily_report_submit(scope=_admin(a1_day), report=report, at=LATE_AT, by=None)
    assert caught.value.message_dict["late_reason"] == [
        services.LATE_REASON_REQUIRED.format(due="2022-11-15 17:00")
    ]
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.submitted_at is None
    assert not Message.objects.exists()


def test_it_accepts_a_late_report_with_a_reason_and_marks_it(a1_day: World) -> None:
    report = _prepare(a1_day)
    services.daily_report_submit(
        scope=_admin(a1_day), report=report, at=LATE_AT, by=None, late_reason="网络中断"
    )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.late
    assert report.late_reason == "网络中断"
    assert "逾期" in Message.objects.get(user=a1_day.users["county_cmd"]).title


def test_it_marks_a_zero_report_when_nothing_happened(report_world: World) -> None:
    """零报告: no alert, no incident, no shortage, production normal everywhere."""
    report = _prepare(report_world)
    done = services.daily_report_submit(scope=_admin(report_world), report=report, at=AT, by=None)
    done.refresh_from_db()
    assert done.zero


def test_it_refuses_a_future_day(report_world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.daily_report_prepare(
            scope=_admin(report_world), unit=report_world.park_a, on=ON + dt.timedelta(days=1),
            at=AT, by=None,
        )  # fmt: skip
    assert caught.value.message_dict["on"] == [services.DATE_FUTURE]
    assert not DailyReport.objects.exists()


def test_it_refuses_a_unit_that_hosts_no_enterprise(report_world: World) -> None:
    from parkguard.orgs.access import SYSTEM

    with pytest.raises(ValidationError) as caught:
        services.daily_report_prepare(scope=SYSTEM, unit=report_world.county, on=ON, at=AT, by=None)
    assert caught.value.message_dict["jurisdiction"] == [services.UNIT_NOT_HOST]
    assert not DailyReport.objects.exists()


@pytest.mark.parametrize("persona", ["park_b_admin", "a1_officer", "county_cmd"])
def test_it_lets_only_the_units_admin_prepare_and_submit(a1_day: World, persona: str) -> None:
    other = scope_for_user(a1_day.users[persona])
    with pytest.raises(PermissionDenied):
        services.daily_report_prepare(scope=other, unit=a1_day.park_a, on=ON, at=AT, by=None)
    report = _prepare(a1_day)
    with pytest.raises(PermissionDenied):
        services.daily_report_submit(scope=other, report=report, at=AT, by=None)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def lockdown_source(
    *, enterprise_ids: list[int], on: dt.date, at: dt.datetime
) -> dict[int, Contribution]:
    """A stand-in for the lockdown app's contributor: A2 is locked down."""
    from parkguard.orgs.models import Enterprise

    a2 = Enterprise.objects.get(name="甲二食品有限公司")
    if a2.pk not in enterprise_ids:
        return {}
    timer = Timer(label="卡点到岗", due_at=at + dt.timedelta(minutes=30))
    return {a2.pk: Contribution(source="封控", status="lockdown", text="全厂封控", timers=(timer,))}


@override_settings(REPORT_CONTRIBUTORS=["tests.reporting.test_daily_report.lockdown_source"])
def test_it_reads_a_plugged_in_source(a1_day: World) -> None:
    report = _prepare(a1_day)
    a2 = _row(report, a1_day, "a2")
    assert a2.status == BoardStatus.LOCKDOWN and not a2.production_normal
    assert a2.notes == [{"source": "封控", "text": "全厂封控"}]


def test_the_rollup_sums_each_unit_and_lists_only_units_with_enterprises(
    report_world: World,
) -> None:
    """L-4.3 汇总: park A's zero report summed, park B not reported, the street (no enterprises
    of its own) not listed; the county user and the platform read the same figures."""
    from parkguard.orgs.access import SYSTEM
    from parkguard.reporting.selectors import county_rollup

    w = report_world
    services.daily_report_submit(scope=_admin(w), report=_prepare(w), at=AT, by=None)
    county = scope_for_user(w.users["county_cmd"])
    got = county_rollup(scope=county, root=w.county, on=ON, at=AT)
    assert [line.unit.pk for line in got.lines] == [w.park_a.pk, w.park_b.pk]
    a, b = got.lines
    assert a.state == "on_time" and a.enterprises == 2 and a.totals["enterprises"] == 2
    assert a.totals["eventful"] == 0 and a.totals["not_normal"] == 0
    assert b.report is None and b.totals == {} and b.enterprises == 1
    assert got.totals["enterprises"] == 2 and got.totals["eventful"] == 0
    assert all(isinstance(v, int) for v in got.totals.values())
    every = county_rollup(scope=SYSTEM, root=w.county, on=ON, at=AT)
    assert [(x.unit.pk, x.state, x.totals) for x in every.lines] == [
        (x.unit.pk, x.state, x.totals) for x in got.lines
    ]
    assert every.totals == got.totals


def test_the_rollup_shows_an_outsider_nothing(report_world: World) -> None:
    from parkguard.reporting.selectors import county_rollup

    w = report_world
    services.daily_report_submit(scope=_admin(w), report=_prepare(w), at=AT, by=None)
    for persona in ("a1_officer", "a2_officer", "a1_employee", "liaison_a"):
        got = county_rollup(scope=scope_for_user(w.users[persona]), root=w.county, on=ON, at=AT)
        assert got.lines == [] and not any(got.totals.values()), persona
    park_b = scope_for_user(w.users["park_b_admin"])
    got = county_rollup(scope=park_b, root=w.county, on=ON, at=AT)
    assert [line.unit.pk for line in got.lines] == [w.park_b.pk]
