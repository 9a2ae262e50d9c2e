"""Scheduled oversight work: overdue rectification items are escalated as their deadline passes."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parkguard.oversight.services import cases_escalate_overdue, rectifications_escalate_overdue


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
