"""Pages and API of duties: the officer's due-today and overdue lists with coverage, the
key-population test ledger (Z-3.2) for the park and the community (scoped view, audited
masked export), and the dashboards' trend charts (item 10)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.duties.choices import DutyKind
from parkguard.duties.models import DailyFigure, Duty
from parkguard.duties.services import duties_routine_sync, duty_evidence_record
from parkguard.notify.privacy import name_mask
from parkguard.people.models import Person
from tests.factories import J_PACK, World, adopt

Clients = Callable[[str | None], Client]


@pytest.fixture
def scheduled(world: World) -> World:
    """Park A follows J every 7 days; A1's person in 甲社区 has tested, one other is overdue."""
    adopt(world.park_a, J_PACK, routine_test_interval_days=7)
    now = timezone.now()
    duties_routine_sync(at=now, write=True)
    duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence={world.a1_person.pk: now}, at=now, reference="t:1"
    )
    Duty.objects.create(
        person=world.a1_employee_person,
        enterprise=world.a1,
        kind=DutyKind.DOCUMENT,
        label="提交返岗证明",
        due_from=now - dt.timedelta(days=2),
        due_by=now - dt.timedelta(days=1),
        source="mobility.return:1",
        created_at=now,
    )
    return world


def _sheets(content: bytes) -> list[list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [book.get_sheet_by_index(i).to_python() for i in range(len(book.sheet_names))]


@pytest.mark.django_db
def test_the_officer_sees_who_is_overdue_masked_and_the_coverage(
    scheduled: World, client_as: Clients
) -> None:
    w = scheduled
    url = reverse("duties_enterprise", args=[w.a1.pk])
    page = client_as("a1_officer").get(url + "?list=overdue")
    assert page.status_code == 200
    text = page.content.decode()
    assert name_mask(w.a1_employee_person.name) in text
    assert w.a1_employee_person.name not in text
    assert w.a1_employee_person.phone not in text
    assert "提交返岗证明" in text
    assert "50%" in text  # one of A1's two people tested this cycle
    # Filtered to 甲一生产部 (where the overdue person is not), the list is empty.
    filtered = client_as("a1_officer").get(url + f"?list=overdue&unit={w.a1_unit.pk}")
    assert "没有逾期未完成的任务" in filtered.content.decode()
    assert client_as("a2_officer").get(url).status_code == 404
    assert client_as("a1_employee").get(url).status_code == 403


@pytest.mark.django_db
def test_the_officers_home_card_links_the_lists(scheduled: World, client_as: Clients) -> None:
    home = client_as("a1_officer").get(reverse("home"))
    assert reverse("duties_enterprise", args=[scheduled.a1.pk]) in home.content.decode()


@pytest.mark.django_db
def test_the_park_sees_its_ledger_at_any_time_z_3_2(scheduled: World, client_as: Clients) -> None:
    w = scheduled
    url = reverse("duties_ledger", args=[w.park_a.pk])
    page = client_as("park_a_admin").get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert w.a1.name in text and w.a2.name in text
    overview = client_as("park_a_admin").get(reverse("park_overview", args=[w.park_a.pk]))
    assert url in overview.content.decode()
    assert client_as("park_b_admin").get(url).status_code == 404
    assert client_as("a1_officer").get(url).status_code in {403, 404}


@pytest.mark.django_db
def test_the_community_sees_and_exports_only_its_residents_z_3_2(
    scheduled: World, client_as: Clients
) -> None:
    w = scheduled
    liaison = client_as("liaison_a")
    url = reverse("duties_ledger", args=[w.community_a.pk])
    assert url in liaison.get(reverse("home")).content.decode()
    page = liaison.get(url).content.decode()
    assert w.a1.name in page
    assert w.a2.name not in page  # A2's person lives in 乙社区
    assert liaison.get(reverse("duties_ledger", args=[w.community_b.pk])).status_code in {403, 404}
    assert liaison.get(reverse("duties_ledger", args=[w.park_a.pk])).status_code in {403, 404}

    before = AuditEvent.objects.count()
    export = liaison.get(reverse("duties_ledger_export", args=[w.community_a.pk]))
    assert export.status_code == 200
    assert export["Cache-Control"] == "no-store"
    summary, people = _sheets(export.content)
    cells = [str(c) for row in people for c in row]
    assert name_mask(w.a1_person.name) in cells
    assert w.a1_person.name not in cells and w.a1_person.phone not in cells
    assert w.a1_employee_person.name not in " ".join(cells)  # lives in 乙社区
    assert len(people) == 2  # the header and 甲一张三
    assert any(w.a1.name in str(c) for row in summary for c in row)
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None and event.action == "test_ledger_export"
    assert event.detail == {"rows": 1, "enterprises": 1, "masked": True}


@pytest.mark.django_db
def test_an_outsider_cannot_export_and_nothing_is_audited(
    scheduled: World, client_as: Clients
) -> None:
    before = AuditEvent.objects.count()
    url = reverse("duties_ledger_export", args=[scheduled.park_a.pk])
    assert client_as("park_b_admin").get(url).status_code == 404
    assert client_as("a2_officer").get(url).status_code in {403, 404}
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_the_api_lists_coverage_and_the_ledger(scheduled: World, client_as: Clients) -> None:
    w = scheduled
    officer = client_as("a1_officer")
    overdue = officer.get(f"/api/v1/duties/enterprises/{w.a1.pk}/overdue").json()
    (row,) = overdue["rows"]
    assert row["person_id"] == w.a1_employee_person.pk
    assert row["name"] == name_mask(w.a1_employee_person.name)
    assert officer.get(f"/api/v1/duties/enterprises/{w.a1.pk}/due-today").status_code == 200
    cov = officer.get(f"/api/v1/duties/enterprises/{w.a1.pk}/coverage").json()
    assert (cov["total"]["due"], cov["total"]["done"], cov["total"]["share"]) == (2, 1, 0.5)
    ledger = client_as("liaison_a").get(f"/api/v1/duties/ledger/{w.community_a.pk}").json()
    assert [(r["enterprise_id"], r["coverage"]["due"]) for r in ledger["rows"]] == [(w.a1.pk, 1)]
    assert (
        client_as("a2_officer").get(f"/api/v1/duties/enterprises/{w.a1.pk}/overdue").status_code
        == 404
    )
    assert client_as("park_b_admin").get(f"/api/v1/duties/ledger/{w.park_a.pk}").status_code == 404
    bad = officer.get(f"/api/v1/duties/enterprises/{w.a1.pk}/overdue?page=0")
    assert bad.status_code == 422


@pytest.mark.django_db
def test_the_dashboards_chart_the_daily_figures_item_10(
    scheduled: World, client_as: Clients
) -> None:
    w = scheduled
    today = timezone.localdate()
    for back in range(3):
        DailyFigure.objects.create(
            enterprise=w.a1,
            on=today - dt.timedelta(days=back),
            headcount=10,
            declared=9 - back,
            test_due=10,
            test_done=8,
            overdue=back,
            positives=1 if back == 1 else 0,
            taken_at=timezone.now(),
        )
    page = client_as("park_a_admin").get(reverse("park_overview", args=[w.park_a.pk]))
    text = page.content.decode()
    assert 'id="trend-data"' in text and 'id="chart-trend"' in text
    assert "duties_trend.js" in text and "echarts" in text
    assert "90.0%" in text  # today's declaration rate, in the table fallback
    chart = page.context["trend_chart"]
    assert chart["declared_rate"] == [70.0, 80.0, 90.0]
    assert chart["coverage"] == [80.0, 80.0, 80.0]
    assert chart["overdue"] == [2, 1, 0]
    assert chart["positives"] == [0, 1, 0]
    detail = client_as("a1_officer").get(reverse("enterprise_detail", args=[w.a1.pk]))
    assert detail.context["trend_chart"]["overdue"] == [2, 1, 0]
    # An employee of A1 sees the enterprise page but not its figures.
    mine = client_as("a1_employee").get(reverse("enterprise_detail", args=[w.a1.pk]))
    assert mine.context["trend"].days == []
    figures = client_as("park_a_admin").get(f"/api/v1/duties/parks/{w.park_a.pk}/figures").json()
    assert [f["declared"] for f in figures] == [7, 8, 9]
    assert (
        client_as("park_b_admin").get(f"/api/v1/duties/parks/{w.park_a.pk}/figures").status_code
        == 404
    )
    assert Person.objects.filter(enterprise=w.a1).count() == 2
