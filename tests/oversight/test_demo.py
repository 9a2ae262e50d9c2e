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
    assert done.findings.count() == 3
    assert Inspection.objects.filter(status=InspectionStatus.PLANNED, planned_on=today).exists()
    items = Rectification.objects.all()
    assert items.filter(status=RectificationStatus.OPEN, deadline__gte=today).count() == 1
    [overdue] = items.filter(deadline__lt=today)
    assert overdue.escalated_at is not None
    assert items.filter(status=RectificationStatus.REPLIED).count() == 1
    [event] = Application.objects.all()
    assert event.status == ApplicationStatus.PENDING
    assert event.route["approval"]["citation"]["requirement"] == "J-1.4"
    client = Client()
    client.force_login(done.inspector)  # type: ignore[arg-type]
    page = client.get(reverse("oversight_home"))
    assert page.status_code == 200 and done.enterprise.name in page.content.decode()
    call_command("demo_load", verbosity=0)  # idempotent
    assert Inspection.objects.count() == 2
