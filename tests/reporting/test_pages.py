"""The daily report's pages and API (L-4.3, issue 17 §7, §8): the park admin pre-fills,
corrects and submits; the county reads the roll-up (who is late, who has not reported) and
the command board; print and Excel are audited; bad input is a clear message, never a 500."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.models import Enterprise
from parkguard.reporting import services
from parkguard.reporting.choices import ReportState
from parkguard.reporting.forms import DATE_INVALID
from parkguard.reporting.models import DailyReport
from tests.factories import World
from tests.reporting.conftest import AT, ON

pytestmark = pytest.mark.django_db
Q = f"?on={ON.isoformat()}"


def _prepared(world: World) -> DailyReport:
    return services.daily_report_prepare(
        scope=scope_for_user(world.users["park_a_admin"]), unit=world.park_a, on=ON, at=AT,
        by=world.users["park_a_admin"],
    )  # fmt: skip


def test_it_prefills_reviews_and_submits_through_the_pages(
    a1_day: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("park_a_admin")
    unit = a1_day.park_a.pk
    page = client.get(reverse("reporting_unit", args=[unit]) + Q)
    assert page.status_code == 200 and "尚未预填" in page.content.decode()
    client.post(reverse("reporting_prepare", args=[unit]), {"on": ON.isoformat()})
    report = DailyReport.objects.get(jurisdiction=a1_day.park_a, on=ON)
    row = report.rows.get(enterprise=a1_day.a1)
    page = client.get(reverse("reporting_unit", args=[unit]) + Q)
    assert a1_day.a1.name in page.content.decode()
    client.post(
        reverse("reporting_row", args=[unit, row.pk]),
        {"headcount": "3", "production_shown": "1", "production_normal": "true", "note": "补录"},
    )
    row.refresh_from_db()
    assert row.headcount == 3 and row.correction_note == "补录"
    # The day is long past: without a reason the page says why and nothing is submitted.
    answer = client.post(
        reverse("reporting_submit", args=[unit]), {"on": ON.isoformat()}, follow=True
    )
    assert "请填写逾期原因" in answer.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    client.post(
        reverse("reporting_submit", args=[unit]), {"on": ON.isoformat(), "late_reason": "补报"}
    )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.late


def test_it_shows_the_county_who_is_late_and_who_has_not_reported(
    a1_day: World, client_as: Callable[[str | None], Client]
) -> None:
    report = _prepared(a1_day)
    services.daily_report_submit(
        scope=scope_for_user(a1_day.users["park_a_admin"]), report=report,
        at=AT.replace(hour=18), by=None, late_reason="系统维护",
    )  # fmt: skip
    client = client_as("county_cmd")
    page = client.get(reverse("reporting_rollup", args=[a1_day.county.pk]) + Q).content.decode()
    assert "甲园区" in page and "逾期报送" in page and "系统维护" in page
    assert "乙园区" in page and "未报送（已超时）" in page
    data = client.get(f"/api/v1/reports/rollup/{a1_day.county.pk}{Q}").json()
    states = {u["name"]: u["state"] for u in data["units"]}
    assert states == {"甲园区": "late", "乙园区": "overdue"}
    assert data["totals"]["headcount"] == 3  # A1's two and A2's one
    home = client.get(reverse("reporting_home")).content.decode()
    assert reverse("reporting_rollup", args=[a1_day.county.pk]) in home


def test_it_prints_and_exports_audited_and_neutralised(
    a1_day: World, client_as: Callable[[str | None], Client]
) -> None:
    Enterprise.objects.filter(pk=a1_day.a2.pk).update(name="=HYPERLINK(1)")
    _prepared(a1_day)
    client = client_as("county_cmd")
    unit = a1_day.park_a.pk
    page = client.get(reverse("reporting_print", args=[unit]) + Q).content.decode()
    assert "red-title" in page and "签发人" in page and "2022年11月15日" in page
    sheet = client.get(reverse("reporting_export", args=[unit]) + Q)
    assert sheet.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(sheet.content))
    cells = [c for row in book.get_sheet_by_index(0).to_python() for c in row]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    rollup = client.get(reverse("reporting_rollup_export", args=[a1_day.county.pk]) + Q)
    assert rollup.status_code == 200
    assert AuditEvent.objects.filter(action="daily_report_export").count() == 3


def test_it_shows_the_command_board(
    a1_day: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("county_cmd")
    page = client.get(reverse("reporting_board", args=[a1_day.county.pk])).content.decode()
    assert "status-incident" in page and "甲一员工发热" in page and "乙一化工有限公司" in page
    data = client.get(f"/api/v1/reports/board/{a1_day.county.pk}").json()
    by_name = {e["name"]: e["status"] for e in data["enterprises"]}
    assert by_name[a1_day.a1.name] == "incident" and by_name[a1_day.b1.name] == "normal"
    assert data["open_incidents"] == 1


@pytest.mark.parametrize("bad", ["2022-13-01", "昨天", "2022/11/15"])
def test_it_answers_a_bad_date_with_a_message(
    report_world: World, client_as: Callable[[str | None], Client], bad: str
) -> None:
    client = client_as("park_a_admin")
    for name in ("reporting_unit", "reporting_print", "reporting_export", "reporting_rollup"):
        answer = client.get(reverse(name, args=[report_world.park_a.pk]), {"on": bad})
        assert answer.status_code == 400 and DATE_INVALID in answer.content.decode()
    answer = client.post(reverse("reporting_prepare", args=[report_world.park_a.pk]), {"on": bad})
    assert answer.status_code == 400
    assert not DailyReport.objects.exists()


def test_the_api_refuses_bad_input_and_a_second_submission(
    a1_day: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("park_a_admin")
    base = f"/api/v1/reports/units/{a1_day.park_a.pk}"
    assert client.get(base + Q).status_code == 404
    made = client.post(base + "/prepare", {"on": ON.isoformat()}, content_type="application/json")
    assert made.status_code == 200
    row = made.json()["rows"][0]
    bad = client.patch(
        f"{base}/rows/{row['id']}", json.dumps({"headcount": 7}), content_type="application/json"
    )
    assert bad.status_code == 422 and services.CORRECTION_NOTE_REQUIRED in str(bad.json())
    negative = client.patch(
        f"{base}/rows/{row['id']}", json.dumps({"headcount": -3, "note": "x"}),
        content_type="application/json",
    )  # fmt: skip
    assert negative.status_code == 422
    body = {"on": ON.isoformat(), "late_reason": "补报"}
    first = client.post(base + "/submit", body, content_type="application/json")
    assert first.status_code == 200 and first.json()["late"]
    second = client.post(base + "/submit", body, content_type="application/json")
    assert second.status_code == 422 and "不能重复报送" in str(second.json())
    report = DailyReport.objects.get()
    assert (
        report.submitted_at is not None
        and report.rows.get(pk=row["id"]).headcount == row["figures"]["headcount"]
    )
    wrong = client.post(base + "/prepare", {"on": "not-a-day"}, content_type="application/json")
    assert wrong.status_code == 422


def test_outsiders_see_no_report(a1_day: World, client_as: Callable[[str | None], Client]) -> None:
    _prepared(a1_day)
    for persona in ("a2_officer", "park_b_admin", "a1_employee"):
        client = client_as(persona)
        for name in ("reporting_unit", "reporting_rollup", "reporting_board", "reporting_print"):
            answer = client.get(reverse(name, args=[a1_day.park_a.pk]) + Q)
            assert answer.status_code == 404, (persona, name)
