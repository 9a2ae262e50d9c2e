"""Lockdowns as a source of the daily report and the command board (reporting/contributors.py).

One query for every enterprise asked about: the open checkpoints of orders in force on the day,
with their two L-3.0 deadlines as the board's timers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db.models import Q

from parkguard.command.choices import OrderState
from parkguard.command.models import Checkpoint
from parkguard.reporting.choices import BoardStatus
from parkguard.reporting.contributors import Contribution, Timer

SOURCE = "封控"
TEXT = "封控中：卡点 {total} 个，已到岗 {staffed} 个，已封闭 {closed} 个"
STAFF_TIMER = "{name}到岗"
CLOSE_TIMER = "{name}封闭"


def lockdowns(
    *, enterprise_ids: Sequence[int], on: dt.date, at: dt.datetime
) -> Mapping[int, Contribution]:
    """Each enterprise with a checkpoint of an order in force at `at` (ordered before it, not
    lifted by then): a lockdown, production not normal, a timer per checkpoint deadline."""
    checkpoints = (
        Checkpoint.objects.filter(enterprise_id__in=list(enterprise_ids), order__ordered_at__lte=at)
        .filter(Q(order__state=OrderState.ORDERED) | Q(order__lifted_at__gt=at))
        .select_related("order")
        .order_by("enterprise_id", "pk")
    )
    by_enterprise: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        by_enterprise.setdefault(checkpoint.enterprise_id, []).append(checkpoint)
    answer: dict[int, Contribution] = {}
    for enterprise_id, found in by_enterprise.items():
        timers: list[Timer] = []
        for c in found:
            timers.append(
                Timer(STAFF_TIMER.format(name=c.name), c.order.staff_due_at, c.staffed_at)
            )
            timers.append(Timer(CLOSE_TIMER.format(name=c.name), c.order.close_due_at, c.closed_at))
        answer[enterprise_id] = Contribution(
            source=SOURCE,
            status=BoardStatus.LOCKDOWN.value,
            text=TEXT.format(
                total=len(found),
                staffed=sum(c.staffed_at is not None for c in found),
                closed=sum(c.closed_at is not None for c in found),
            ),
            production_normal=False,
            timers=tuple(timers),
        )
    return answer
