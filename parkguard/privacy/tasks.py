"""Background jobs of subject rights and retention (huey)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parkguard.privacy.services import corrections_flag_overdue, retention_purge


# Nightly, in the quiet hour: records past their retention period go, each park's receipt
# and audit entry with them.
@db_periodic_task(crontab(hour="3", minute="17"))
def retention_purge_task() -> None:
    retention_purge(at=timezone.now())


# Hourly: correction requests past their deadline are flagged to the officers and the park.
@db_periodic_task(crontab(minute="23"))
def corrections_overdue_task() -> None:
    corrections_flag_overdue(at=timezone.now())
