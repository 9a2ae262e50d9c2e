"""Background work of mobility: returns are evaluated again as time passes."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parkguard.mobility.services import return_plans_refresh


@db_periodic_task(crontab(minute="*/10"))
def return_plans_refresh_task() -> None:
    """Every ten minutes: an isolation ending at midnight opens the gate within minutes."""
    return_plans_refresh(at=timezone.now())
