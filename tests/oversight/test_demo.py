"""The demo park's oversight: a visit with findings, an open, an overdue and an answered item,
and a visit planned for today (issue 16)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkguard.oversight.choices import (
    ApplicationStatus,
    InspectionStatus,
    RectificationStatus,
)
from parkguard.oversight.models import Application, Inspection, Rectification


@pytest.mark.django_db
def test_the_demo_park_has_an_inspectors_week() -> None:
    call_command("demo_load", verbosity=0)
    today = timezone.localdate()
    done = Inspection.objects.get(status=InspectionStatus.DONE)
    assert done.findings.count() == 4  # three open or answered, one closed
    assert Inspection.objects.filter(status=InspectionStatus.PLANNED, planned_on=today).exists()
    items = Rectification.objects.all()
    # One from the visit, one from the drill's gap the inspector put on the ledger.
    assert items.filter(status=RectificationStatus.OPEN, deadline__gte=today).count() == 2
    [overdue] = items.filter(deadline__lt=today)
    assert overdue.escalated_at is not None
    assert items.filter(status=RectificationStatus.REPLIED).count() == 1
    [event] = Application.objects.filter(status=ApplicationStatus.PENDING)
    assert event.route["approval"]["citation"]["requirement"] == "J-1.4"
    client = Client()
    client.force_login(done.inspector)  # type: ignore[arg-type]
    page = client.get(reverse("oversight_home"))
    assert page.status_code == 200 and done.enterprise.name in page.content.decode()
    call_command("demo_load", verbosity=0)  # idempotent
    assert Inspection.objects.count() == 2


@pytest.mark.django_db
def test_the_demo_plays_each_done_when_of_issue_16() -> None:
    """From plan to closed item; an event routed, approved and cited; a return to work
    decided; plans and drills; the hotline; every enterprise on the readiness board."""
    from django.contrib.auth.models import User

    from parkguard.oversight.choices import CaseStatus, PlanStatus
    from parkguard.oversight.models import DrillGap, HotlineCase, Plan

    call_command("demo_load", verbosity=0)
    closed = Rectification.objects.get(status=RectificationStatus.CLOSED)
    assert closed.finding.inspection is not None
    assert list(closed.events.values_list("kind", flat=True)) == ["opened", "replied", "closed"]
    event = Application.objects.get(status=ApplicationStatus.APPROVED, kind="business_event")
    assert event.route["approval"]["citation"]["document_number"] == "晋政西〔2022〕81号"
    back = Application.objects.get(kind="resumption")
    assert back.status == ApplicationStatus.APPROVED
    assert back.route["approval"]["citation"]["requirement"] == "B-2.1"
    assert Plan.objects.filter(status=PlanStatus.APPROVED, version=2).exists()
    assert Plan.objects.filter(status=PlanStatus.RETURNED).exists()
    assert Plan.objects.filter(status=PlanStatus.SUBMITTED, kind="park").exists()
    assert DrillGap.objects.filter(rectification__isnull=False).exists()
    assert HotlineCase.objects.filter(status=CaseStatus.ANSWERED).exists()
    assert (
        HotlineCase.objects.exclude(status=CaseStatus.ANSWERED)
        .filter(due_by__lt=timezone.now())
        .exists()
    )
    client = Client()
    admin = User.objects.get(username="park_admin")
    client.force_login(admin)
    park = closed.jurisdiction
    page = client.get(reverse("oversight_park_readiness", args=[park.pk])).content.decode()
    for firm in park.enterprises.all():
        assert firm.name in page
    assert "临时隔离观察点" in page and "经园区批准" in page and "白名单" in page
    client.force_login(User.objects.get(username="park_admin2"))
    pending = Plan.objects.get(status=PlanStatus.SUBMITTED, kind="park")
    assert (
        'id="plan-decide"'
        in client.get(reverse("oversight_plan", args=[pending.pk])).content.decode()
    )


@pytest.mark.django_db
def test_the_demo_cadre_has_a_years_record() -> None:
    """Z-6: the demo park's cadre sees this year's record with items, and a grade."""
    from django.contrib.auth.models import User

    call_command("demo_load", verbosity=0)
    client = Client()
    cadre = User.objects.get(username="cadre")
    client.force_login(cadre)
    park = cadre.cadre_of.first().jurisdiction  # type: ignore[union-attr]
    answer = client.get(f"/api/v1/oversight/parks/{park.pk}/assessment")
    [record] = answer.json()
    figures = {f["key"]: f["value"] for f in record["figures"]}
    assert figures["findings"] >= 4 and figures["inspections_done"] >= 1
    assert record["grade"] in {"优秀", "合格", "不合格"}
    assert record["readiness_trend"][timezone.localdate().month - 1] is not None
