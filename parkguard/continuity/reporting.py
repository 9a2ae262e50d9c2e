"""Closed-loop production as a source of the daily report and the command board
(reporting/contributors.py): one query for every enterprise asked about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db.models import Q

from parkguard.continuity.models import LoopPlan
from parkguard.reporting.choices import BoardStatus
from parkguard.reporting.contributors import Contribution

SOURCE = "闭环生产"
TEXT = "闭环生产中（{since} 起）：{reason}"


def closed_loops(
    *, enterprise_ids: Sequence[int], on: dt.date, at: dt.datetime
) -> Mapping[int, Contribution]:
    """Each enterprise whose closed-loop plan ran at `at`. Production goes on inside the loop,
    so this source does not call it abnormal (Z-5.0)."""
    plans = (
        LoopPlan.objects.filter(enterprise_id__in=list(enterprise_ids), started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .order_by("enterprise_id", "-started_at")
    )
    answer: dict[int, Contribution] = {}
    for plan in plans:
        answer.setdefault(
            plan.enterprise_id,
            Contribution(
                source=SOURCE,
                status=BoardStatus.CLOSED_LOOP.value,
                text=TEXT.format(since=plan.started_at.date().isoformat(), reason=plan.reason),
            ),
        )
    return answer
