"""Background jobs of the notification app (huey): webhook deliveries and the reminder clock."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from huey import crontab
from huey.api import Task
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, periodic_task

from parkguard.lib import queue_lease
from parkguard.notify import services
from parkguard.notify.reminders import UndeclaredQuery, reminders_tick

logger = logging.getLogger(__name__)

# Retries after the first attempt, and their spacing: 30 s, 1, 2, 4, 8 min (backoff ×2).
DELIVERY_RETRIES = 5
DELIVERY_RETRY_DELAY = 30


# Jobs of a consumer that died mid-job go back on the queue (Redis only; see queue_lease).
queue_lease.install(HUEY, lease_seconds=settings.HUEY_LEASE_SECONDS)


@periodic_task(crontab(minute="*"))
def queue_lease_reap_task() -> None:
    queue_lease.requeue_expired(HUEY)


class DeliveryRetry(Exception):
    """Raised so huey retries a delivery later; carries no URL, token or secret."""


@db_task(retries=DELIVERY_RETRIES, retry_delay=DELIVERY_RETRY_DELAY, retry_backoff=2, context=True)
def webhook_deliver_task(delivery_id: int, task: Task | None = None) -> None:
    final = task is None or not task.retries
    if not services.delivery_attempt(delivery_id=delivery_id, at=timezone.now(), final=final):
        raise DeliveryRetry(f"delivery {delivery_id} will be retried")


def undeclared_query() -> UndeclaredQuery | None:
    """The health app's "who has not declared" query, named in settings (empty: none yet)."""
    path = settings.NOTIFY_UNDECLARED_QUERY
    if not path:
        return None
    query: Any = import_string(path)
    return query


@db_periodic_task(crontab(minute="*/5"))
def reminders_tick_task() -> None:
    query = undeclared_query()
    if query is None:
        return
    reminders_tick(at=timezone.now(), query=query)
