"""The demo's daily reports (L-4.3): yesterday park A reported on time and park B late, with
its reason, so the county's command user sees a whole day's roll-up with one park late; today
park A's report is pre-filled and waits for its admin's review, and park B has not started.
Written through the reporting services; the times are the demo's choices, not policy."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from parkguard.orgs.access import SYSTEM
from parkguard.orgs.models import Jurisdiction
from parkguard.reporting import services
from parkguard.reporting.models import DailyReport

LATE_REASON = "园区网络故障，已先行电话报告县指挥部"


def demo_reports(
    *, park_a: Jurisdiction, park_b: Jurisdiction, admin_a: User, admin_b: User
) -> None:
    if DailyReport.objects.filter(jurisdiction=park_a).exists():
        return
    now = timezone.localtime(timezone.now())
    yesterday = now.date() - dt.timedelta(days=1)
    for park, admin, late in ((park_a, admin_a, False), (park_b, admin_b, True)):
        report = services.daily_report_prepare(
            scope=SYSTEM, unit=park, on=yesterday, at=_at(yesterday, 15, 10), by=admin
        )
        due = report.due_at or _at(yesterday, 17, 0)
        at = due + dt.timedelta(minutes=50) if late else due - dt.timedelta(minutes=40)
        services.daily_report_submit(
            scope=SYSTEM,
            report=report,
            at=at,
            by=admin,
            late_reason=LATE_REASON if late else "",
        )
    services.daily_report_prepare(scope=SYSTEM, unit=park_a, on=now.date(), at=now, by=admin_a)


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
