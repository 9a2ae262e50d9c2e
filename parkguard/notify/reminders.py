"""Reminders: who has not declared gets a nudge; their officers get a digest of who is missing.

Who is missing is not notify's business. The caller decides, and notify sends:

- `declare_reminders_send(user_ids=..., at=...)` reminds those logins to declare today;
- `missing_digest_send(enterprise=..., missing=[Missing(...)], at=...)` tells the enterprise's
  officers who is missing (full names in their inbox; masked names in the group robot);
- `test_due_reminders_send(user_ids=..., title=..., body=..., at=...)` for the duties app.

The schedule: each park sets its times (`ParkReminderConfig`); the periodic job
`notify.tasks.reminders_tick_task` runs every few minutes, claims each park whose time has come
once per day (`ReminderRun`), asks the health app's query who is missing, and sends.

Wiring for the health app: write a function with the `UndeclaredQuery` signature (e.g.
`parkguard.health.selectors.undeclared_for_reminders(*, park, day, at) -> list[Missing]`, one
set-based query over active staff without a declaration for `day`) and name it in settings as
`NOTIFY_UNDECLARED_QUERY = "parkguard.health.selectors.undeclared_for_reminders"`. Until it
is set the job does nothing, so notify never imports health (health calls down into notify).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from parkguard.notify.choices import Kind
from parkguard.notify.models import ParkReminderConfig, ReminderRun
from parkguard.notify.privacy import name_mask
from parkguard.notify.services import notify_send
from parkguard.orgs.choices import ENTERPRISE_EDITORS
from parkguard.orgs.models import Enterprise, Jurisdiction

DECLARE_TITLE = "请完成今日健康申报"
DECLARE_BODY = "您今天还没有完成健康申报，请尽快在手机上填写（体温、症状、接触史、健康码）。"
DIGEST_TITLE = "今日未申报人员"
# How many names a digest lists before "等 N 人".
DIGEST_NAMES_SHOWN = 50


@dataclass(frozen=True)
class Missing:
    """One person who has not declared: their login (if any), enterprise and name."""

    enterprise_id: int
    name: str
    user_id: int | None = None


class UndeclaredQuery(Protocol):
    def __call__(self, *, park: Jurisdiction, day: dt.date, at: dt.datetime) -> Sequence[Missing]:
        """Everyone in `park` who should have declared for `day` and has not, as of `at`."""
        ...


def declare_reminders_send(*, user_ids: Iterable[int], at: dt.datetime, link: str = "") -> int:
    """Remind these users (the caller chose them) to declare; returns inbox rows written."""
    return notify_send(
        user_ids=user_ids,
        kind=Kind.DECLARE_REMINDER,
        title=DECLARE_TITLE,
        body=DECLARE_BODY,
        link=link,
        at=at,
    )


def test_due_reminders_send(
    *,
    user_ids: Iterable[int],
    title: str,
    body: str,
    at: dt.datetime,
    link: str = "",
    overdue: bool = False,
) -> int:
    """For the duties app: remind these users of a test due (or overdue)."""
    return notify_send(
        user_ids=user_ids,
        kind=Kind.TEST_OVERDUE if overdue else Kind.TEST_DUE,
        title=title,
        body=body,
        link=link,
        at=at,
    )


def _officers(enterprise: Enterprise) -> list[int]:
    return list(
        User.objects.filter(
            memberships__enterprise=enterprise,
            memberships__role__in=ENTERPRISE_EDITORS,
            is_active=True,
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def _names(names: list[str]) -> str:
    shown = "、".join(names[:DIGEST_NAMES_SHOWN])
    return shown + (f" 等 {len(names)} 人" if len(names) > DIGEST_NAMES_SHOWN else "")


def missing_digest_send(
    *, enterprise: Enterprise, missing: Sequence[Missing], at: dt.datetime, link: str = ""
) -> int:
    """Tell the enterprise's admins and epidemic officers who has not declared (Z-5.2c).

    Their inbox gets the names; the enterprise's robots (if subscribed) get masked names only.
    """
    names = sorted(m.name for m in missing)
    clock = timezone.localtime(at).strftime("%H:%M")
    if names:
        body = f"截至 {clock}，{len(names)} 人未完成今日健康申报：{_names(names)}"
        group = (
            f"截至 {clock}，本企业 {len(names)} 人未完成今日健康申报："
            f"{_names([name_mask(n) for n in names])}。请尽快申报。"
        )
    else:
        body = group = f"截至 {clock}，全员已完成今日健康申报。"
    return notify_send(
        user_ids=_officers(enterprise),
        enterprise=enterprise,
        kind=Kind.DECLARE_DIGEST,
        title=f"{DIGEST_TITLE}（{len(names)} 人）",
        body=body,
        link=link,
        at=at,
        group_text=group,
    )


def _claim(*, park: Jurisdiction, kind: str, day: dt.date, at: dt.datetime) -> ReminderRun | None:
    try:
        with transaction.atomic():
            return ReminderRun.objects.create(jurisdiction=park, kind=kind, day=day, ran_at=at)
    except IntegrityError:
        return None  # another consumer ran it already


def reminders_due(*, kind: str, at: dt.datetime) -> list[Jurisdiction]:
    """Parks whose reminder of `kind` is due at `at` (local time) and has not run today."""
    local = timezone.localtime(at)
    field = {Kind.DECLARE_REMINDER: "declare_remind_at", Kind.DECLARE_DIGEST: "digest_at"}[
        Kind(kind)
    ]
    done = ReminderRun.objects.filter(kind=kind, day=local.date()).values("jurisdiction_id")
    configs = (
        ParkReminderConfig.objects.filter(
            **{f"{field}__isnull": False, f"{field}__lte": local.time()}
        )
        .exclude(jurisdiction_id__in=done)
        .select_related("jurisdiction")
    )
    return [c.jurisdiction for c in configs]


def reminders_tick(*, at: dt.datetime, query: UndeclaredQuery) -> int:
    """Run every due reminder and digest once; returns the inbox rows written."""
    day = timezone.localtime(at).date()
    written = 0
    for park in reminders_due(kind=Kind.DECLARE_REMINDER, at=at):
        with transaction.atomic():
            run = _claim(park=park, kind=Kind.DECLARE_REMINDER, day=day, at=at)
            if run is None:
                continue
            missing = query(park=park, day=day, at=at)
            ids = [m.user_id for m in missing if m.user_id is not None]
            run.reminded = declare_reminders_send(user_ids=ids, at=at)
            run.save(update_fields=["reminded"])
            written += run.reminded
    for park in reminders_due(kind=Kind.DECLARE_DIGEST, at=at):
        with transaction.atomic():
            run = _claim(park=park, kind=Kind.DECLARE_DIGEST, day=day, at=at)
            if run is None:
                continue
            by_enterprise: dict[int, list[Missing]] = defaultdict(list)
            for m in query(park=park, day=day, at=at):
                by_enterprise[m.enterprise_id].append(m)
            sent = 0
            for enterprise in Enterprise.objects.filter(jurisdiction=park).order_by("pk"):
                sent += missing_digest_send(
                    enterprise=enterprise, missing=by_enterprise.get(enterprise.pk, []), at=at
                )
            run.reminded = sent
            run.save(update_fields=["reminded"])
            written += sent
    return written
