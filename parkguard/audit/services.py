"""Writing to and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction

from parkguard.audit.models import AuditEvent
from parkguard.lib.redact import login_label

GENESIS = "0" * 64
CHAIN_LOCK = 0x50_47_41_55  # "PGAU": the advisory-lock key of the audit chain


def _digest(prev: str, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


def _chained_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor_label,
        "action": event.action,
        "target": f"{event.target_type}:{event.target_id}",
        "enterprise": event.enterprise_id_ref,
        "jurisdiction": event.jurisdiction_id_ref,
        "reason": event.reason,
        "detail": event.detail,
    }


@transaction.atomic
def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    at: datetime,
    target: Any = None,
    enterprise_id: int | None = None,
    jurisdiction_id: int | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Never put a clear ID number in `detail`."""
    # Serialise writers so two cannot chain onto the same tail. Locking the last row is
    # not enough on PostgreSQL (a waiter re-reads the old tail), so take a transaction
    # advisory lock; SQLite's IMMEDIATE transactions already serialise writers.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    last = AuditEvent.objects.order_by("-id").first()
    user = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        at=at,
        actor=user,
        actor_label=login_label(user.get_username()) if user is not None else "匿名",
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or ""),
        enterprise_id_ref=enterprise_id,
        jurisdiction_id_ref=jurisdiction_id,
        reason=reason,
        detail=detail or {},
        prev_digest=last.digest if last else GENESIS,
    )
    event.digest = _digest(event.prev_digest, _chained_fields(event))
    event.save()
    return event


def audit_verify() -> int | None:
    """Walk the chain; return the id of the first event that does not match, or None."""
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.prev_digest != prev or event.digest != _digest(prev, _chained_fields(event)):
            return event.pk
        prev = event.digest
    return None
