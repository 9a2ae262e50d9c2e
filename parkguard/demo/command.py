"""The lockdown drill of the demo park (issue 17): an order placed a few minutes ago on two
areas of the first enterprise, the first checkpoint staffed by the cadre on its roster, the
second pending with the park admin on its roster; the duty room's roster with a gap; a day's
need counted and a delivery on its way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from parkguard.command import services
from parkguard.command.models import LockdownOrder
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.response.models import Area


def demo_command(
    *, spec: dict[str, Any], park: Jurisdiction, enterprise: Enterprise, admin: User, cadre: User
) -> None:
    if LockdownOrder.objects.filter(jurisdiction=park).exists():
        return
    now = timezone.now()
    ordered_at = now - dt.timedelta(minutes=spec["ordered_minutes_ago"])
    scope = scope_for_user(admin)
    areas = [Area.objects.get(enterprise=enterprise, name=name) for name in spec["areas"]]
    order = services.lockdown_order(
        scope=scope,
        jurisdiction=park,
        title=spec["title"],
        reason=spec["reason"],
        area_ids=[a.pk for a in areas],
        teams={k: (v[0], v[1]) for k, v in spec["teams"].items()},
        by=admin,
        at=ordered_at,
    )
    first, second = order.checkpoints.order_by("pk")
    before = dt.timedelta(hours=spec["shift_hours_before"])
    after = dt.timedelta(hours=spec["shift_hours_after"])
    for checkpoint, user in ((first, cadre), (second, admin)):
        services.shift_add(
            scope=scope,
            jurisdiction=park,
            user=user,
            starts_at=ordered_at - before,
            ends_at=ordered_at + after,
            checkpoint=checkpoint,
            by=admin,
            at=ordered_at,
        )
    services.checkpoint_report(
        scope=scope_for_user(cadre),
        checkpoint=first,
        what="staffed",
        by=cadre,
        at=ordered_at + dt.timedelta(minutes=spec["staffed_minutes_after"]),
    )
    # The duty room's shifts follow the checkpoint shifts, with a gap between them.
    off_duty = ordered_at + after
    for (start, end), user in zip(spec["duty_room_shifts"], (cadre, admin), strict=True):
        services.shift_add(
            scope=scope,
            jurisdiction=park,
            user=user,
            starts_at=off_duty + dt.timedelta(hours=start),
            ends_at=off_duty + dt.timedelta(hours=end),
            post=spec["duty_room"],
            by=admin,
            at=now,
        )
    need = spec["need"]
    services.need_count(
        scope=scope_for_user(cadre),
        order=order,
        enterprise=enterprise,
        checkpoint=first,
        day=timezone.localdate(),
        kind=need["kind"],
        item=need["item"],
        quantity=need["quantity"],
        unit=need["unit"],
        by=cadre,
        at=now,
    )
    delivery = spec["delivery"]
    services.delivery_plan(
        scope=scope_for_user(cadre),
        order=order,
        enterprise=enterprise,
        checkpoint=first,
        contents=delivery["contents"],
        packages=delivery["packages"],
        due_at=now + dt.timedelta(minutes=delivery["due_in_minutes"]),
        courier=delivery["courier"],
        by=cadre,
        at=now,
    )
