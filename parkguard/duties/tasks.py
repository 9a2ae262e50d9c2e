"""Background jobs of duties (huey): time passing, the routine schedules, the daily figures."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parkguard.duties.services import daily_figures_snapshot, duties_refresh, duties_routine_sync


# Hourly, so that due turns overdue within the hour, a new cycle's duties appear in its first
# hour, and today's figures (the charts' last point) stay current; the last run of a day
# leaves that day's figures.
@db_periodic_task(crontab(minute="7"))
def duties_hourly_task() -> None:
    at = timezone.now()
    duties_refresh(at=at)
    duties_routine_sync(at=at, write=True)
    daily_figures_snapshot(at=at)
