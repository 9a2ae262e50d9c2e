"""Writing to and verifying the audit chain.

Each event's `digest` is HMAC-SHA256, keyed by `settings.AUDIT_HMAC_KEY`, over the previous
event's digest and this event's fields (time, actor id and label, action, target, scope
ids, reason, detail). Without the key nobody can edit a row and recompute the chain after
it. `AuditHead` holds the last id, the count and the last digest under its own HMAC, in
the same transaction as each append, so deleting rows at the tail shows as well.
`audit_check` names the first bad entry and what happened to it (`manage.py audit verify`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction

from parkguard.audit.models import AuditEvent, AuditHead, AuditSubject
from parkguard.lib.redact import login_label

GENESIS = "0" * 64
CHAIN_LOCK = 0x50_47_41_55  # "PGAU": the advisory-lock key of the audit chain

EDITED = "edited"
INSERTED = "inserted"
DELETED = "deleted"
HEAD = "head"
UNPROTECTED = "unprotected"
KIND_LABELS = {
    EDITED: "记录被修改",
    INSERTED: "记录被插入",
    DELETED: "记录被删除",
    HEAD: "链头被修改",
    UNPROTECTED: "数据库的只追加保护已被移除",
}
SUBJECTS = "subjects"
KIND_LABELS[SUBJECTS] = "涉及人员被修改"
# The trigger of migration audit 0003: on PostgreSQL the database refuses UPDATE and DELETE.
APPEND_ONLY_TRIGGER = "audit_append_only"


def _mac(text: str) -> str:
    key = str(settings.AUDIT_HMAC_KEY).encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def chained_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id_ref,
        "actor": event.actor_label,
        "action": event.action,
        "target": f"{event.target_type}:{event.target_id}",
        "enterprise": event.enterprise_id_ref,
        "jurisdiction": event.jurisdiction_id_ref,
        "reason": event.reason,
        "detail": event.detail,
        # Only when set, so that every event written before subjects existed still verifies.
        **({"subjects": event.subjects_digest} if event.subjects_digest else {}),
    }


def subjects_digest(person_ids: Iterable[int]) -> str:
    """The digest of a set of person ids, as chained (blank for no one)."""
    ids = sorted({int(i) for i in person_ids})
    if not ids:
        return ""
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def link_digest(prev: str, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return _mac(f"audit-link|{prev}|{body}")


def head_mac(*, last_id: int, count: int, digest: str) -> str:
    return _mac(f"audit-head|{last_id}|{count}|{digest}")


def _head_save(*, last_id: int, count: int, digest: str) -> None:
    AuditHead.objects.update_or_create(
        pk=1,
        defaults={
            "last_id": last_id,
            "count": count,
            "digest": digest,
            "mac": head_mac(last_id=last_id, count=count, digest=digest),
        },
    )


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
    subjects: Iterable[int] = (),
) -> AuditEvent:
    """Append one event to the chain. Never put a clear ID number in `detail`.

    `subjects`: the ids of the people the action concerned (the person revealed, everyone an
    export listed); each of them sees the event in their own access log."""
    # Serialise writers so two cannot chain onto the same tail. Locking the last row is
    # not enough on PostgreSQL (a waiter re-reads the old tail), so take a transaction
    # advisory lock; SQLite's IMMEDIATE transactions already serialise writers.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    head = AuditHead.objects.filter(pk=1).first()
    last = AuditEvent.objects.order_by("-id").first()
    user = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        at=at,
        actor=user,
        actor_id_ref=user.pk if user is not None else None,
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
    person_ids = sorted({int(i) for i in subjects})
    event.subjects_digest = subjects_digest(person_ids)
    event.digest = link_digest(event.prev_digest, chained_fields(event))
    event.save()
    if person_ids:
        AuditSubject.objects.bulk_create(
            [AuditSubject(event=event, person_id_ref=i) for i in person_ids], batch_size=2000
        )
    count = (head.count if head is not None else 0) + 1
    _head_save(last_id=event.pk, count=count, digest=event.digest)
    return event


@dataclass(frozen=True)
class Finding:
    """The first thing wrong with the chain: which entry, and what happened to it."""

    kind: str
    entry_id: int | None
    message: str


def audit_check() -> Finding | None:
    """Walk the chain and the head; the first bad entry, or None if all is intact.

    - `edited`: an entry's fields (or digest) no longer match its HMAC, and the next entry
      still points at it;
    - `inserted`: an entry that does not authenticate and that the next entry skips;
    - `deleted`: an authentic entry whose predecessor is missing, or entries missing at the
      tail (the head names the last one written);
    - `head`: the head itself was changed.
    """
    rows = list(AuditEvent.objects.order_by("id"))
    subjects: dict[int, list[int]] = {}
    for event_id, person_id in AuditSubject.objects.order_by("event_id").values_list(
        "event_id", "person_id_ref"
    ):
        subjects.setdefault(event_id, []).append(person_id)
    head = AuditHead.objects.filter(pk=1).first()
    head_last = head.last_id if head is not None else 0
    expected_prev = GENESIS
    for i, event in enumerate(rows):
        authentic = event.digest == link_digest(event.prev_digest, chained_fields(event))
        following = rows[i + 1] if i + 1 < len(rows) else None
        if not authentic:
            # The chain skips an inserted row: the next one points past it (or, at the
            # tail, the head never recorded it).
            if (following is not None and following.prev_digest == expected_prev) or (
                following is None and event.pk > head_last
            ):
                label = KIND_LABELS[INSERTED]
                return Finding(INSERTED, event.pk, f"#{event.pk} 不在原链中：{label}")
            label = KIND_LABELS[EDITED]
            return Finding(EDITED, event.pk, f"#{event.pk} 的内容与其签名不符：{label}")
        if subjects_digest(subjects.pop(event.pk, [])) != event.subjects_digest:
            label = KIND_LABELS[SUBJECTS]
            return Finding(EDITED, event.pk, f"#{event.pk} 的涉及人员与其签名不符：{label}")
        if event.prev_digest != expected_prev:
            label = KIND_LABELS[DELETED]
            return Finding(DELETED, event.pk, f"#{event.pk} 之前缺少记录：{label}")
        expected_prev = event.digest
    last_id = rows[-1].pk if rows else 0
    if head is None:
        if rows:
            return Finding(HEAD, None, "审计链头缺失：链头被删除")
        return None
    if head.mac != head_mac(last_id=head.last_id, count=head.count, digest=head.digest):
        return Finding(HEAD, None, f"链头签名不符：{KIND_LABELS[HEAD]}")
    if head.last_id != last_id or head.count != len(rows) or head.digest != expected_prev:
        if head.count > len(rows) or head.last_id > last_id:
            return Finding(
                DELETED,
                head.last_id,
                f"链尾缺少记录（链头记载至 #{head.last_id}，共 {head.count} 条；"
                f"现存至 #{last_id}，共 {len(rows)} 条）：{KIND_LABELS[DELETED]}",
            )
        return Finding(HEAD, None, f"链头与链尾不符：{KIND_LABELS[HEAD]}")
    if not append_only_enforced():
        return Finding(
            UNPROTECTED,
            None,
            f"审计表缺少触发器 {APPEND_ONLY_TRIGGER}：{KIND_LABELS[UNPROTECTED]}",
        )
    return None


def append_only_enforced() -> bool:
    """Does the database refuse edits of audit events? Only PostgreSQL can (migration 0003);
    on SQLite the chain alone shows them, and this answers True."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgenabled <> 'D'"
            " AND tgrelid = 'audit_auditevent'::regclass",
            [APPEND_ONLY_TRIGGER],
        )
        return cursor.fetchone() is not None


def audit_verify() -> int | None:
    """The id of the first bad entry (or of the last deleted one), or None if intact."""
    finding = audit_check()
    if finding is None:
        return None
    return finding.entry_id if finding.entry_id is not None else 0
