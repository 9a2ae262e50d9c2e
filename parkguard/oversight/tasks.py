"""Scheduled oversight work: overdue rectification items are escalated as their deadline passes."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parkguard.oversight.services import (
    cases_escalate_overdue,
    readiness_snapshots_daily,
    rectifications_escalate_overdue,
)


@db_periodic_task(crontab(minute="5"))
def rectifications_escalate_task() -> int:
    """Hourly, so an item is escalated within the hour its deadline passed; repeating is
    harmless: an item is escalated once."""
    return rectifications_escalate_overdue(at=timezone.now())


@db_periodic_task(crontab(minute="*/10"))
def hotline_escalate_task() -> int:
    """Every ten minutes: hotline cases past their deadline, unanswered, are flagged to the
    park's admins and the assignee once."""
    return cases_escalate_overdue(at=timezone.now())


@db_periodic_task(crontab(minute="40", hour="23"))
def readiness_snapshots_task() -> int:
    """Late each evening: each enterprise's readiness score of the day, kept for the trend of
    the cadres' annual assessment (Z-6, J-2.5)."""
    return readiness_snapshots_daily(at=timezone.now())
