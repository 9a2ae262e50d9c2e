"""The demo county's daily reports (L-4.3): yesterday park A on time and park B late with its
reason; the county's command user sees the roll-up with one park late, and today's draft of
park A waits for its admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from parkguard.orgs.models import Jurisdiction
from parkguard.reporting.choices import ReportState
from parkguard.reporting.models import DailyReport


@pytest.mark.django_db
def test_the_demo_county_has_a_day_of_reports_with_one_park_late() -> None:
    call_command("demo_load", verbosity=0)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    done = DailyReport.objects.filter(on=yesterday, state=ReportState.SUBMITTED)
    assert done.count() == 2 and done.filter(late=True).count() == 1
    assert DailyReport.objects.get(on=timezone.localdate()).state == ReportState.DRAFT
    county = Jurisdiction.objects.get(kind="county")
    client = Client()
    assert client.login(username="county", password="demo-park-2022")
    home = client.get("/").content.decode()
    assert f"/reports/rollup/{county.pk}/" in home
    page = client.get(f"/reports/rollup/{county.pk}/?on={yesterday.isoformat()}").content.decode()
    assert "逾期报送" in page and "东岭产业园" in page and "云溪工业园区" in page
    board = client.get(f"/reports/board/{county.pk}/")
    assert board.status_code == 200 and "云溪精密机械制造有限公司" in board.content.decode()
    call_command("demo_load", verbosity=0)  # idempotent
    assert DailyReport.objects.count() == 3
