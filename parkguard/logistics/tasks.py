"""Periodic work of trucks: the dwell alert (Z-5.3a)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parkguard.logistics.services import dwell_alerts_send


@db_periodic_task(crontab(minute="*"))
def dwell_alerts_task() -> None:
    dwell_alerts_send(at=timezone.now())
