"""Background job of lockdown command (huey): deadline misses recorded within a minute."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parkguard.command.services import lockdown_misses_record


@db_periodic_task(crontab(minute="*"))
def lockdown_misses_task() -> None:
    lockdown_misses_record(at=timezone.now())
