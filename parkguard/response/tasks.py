"""Background job of zones (huey): people move by their open evidence within a minute."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parkguard.response.services import zones_follow_evidence


@db_periodic_task(crontab(minute="*"))
def zones_follow_evidence_task() -> None:
    zones_follow_evidence(at=timezone.now())
