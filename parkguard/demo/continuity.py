"""The demo park's production continuity (issue 17 §2, §4): park A's second enterprise runs
closed-loop production since this morning with the day's living support recorded; the first
enterprise has key posts whose backups run short later this week, and a power fault the park
has sent a repair team to."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from parkguard.continuity import services
from parkguard.continuity.models import KeyPost, LoopPlan, UtilityFault
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.models import Enterprise
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person


def demo_continuity(
    *, loop_enterprise: Enterprise, enterprise: Enterprise, officer: User, park_admin: User
) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    if not LoopPlan.objects.filter(enterprise=loop_enterprise).exists():
        # Those living in the dormitory work in their team's workshop (the ledger's places).
        lodgers = list(
            Person.objects.filter(enterprise=loop_enterprise, workshop="")
            .exclude(dormitory="")
            .select_related("org_unit__parent")
        )
        for person in lodgers:
            unit = person.org_unit
            person.workshop = unit.parent.name if unit and unit.parent else "综合车间"
        Person.objects.bulk_update(lodgers, ["workshop"], batch_size=500)
        plan = services.closed_loop_start(
            scope=SYSTEM,
            enterprise=loop_enterprise,
            reason="园区报告阳性病例，按闭环管理方案启动闭环生产（演示）",
            at=now - dt.timedelta(hours=3),
            by=park_admin,
        )
        inside = plan.members.count()
        services.loop_day_record(
            scope=SYSTEM,
            plan=plan,
            on=today,
            meals_served=inside * 2,  # breakfast and lunch served; dinner still to come
            beds_provided=inside,
            medical_requests=2,
            medical_met=1,
            note="一名员工慢性病取药待安排",
            at=now,
            by=park_admin,
        )
    if not KeyPost.objects.filter(enterprise=enterprise).exists():
        people = list(
            Person.objects.filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)
            .exclude(post="")
            .exclude(health_status__on_hold=True)
            .exclude(sick_leaves__returned_on__isnull=True, sick_leaves__isnull=False)
            .order_by("-pk")[:5]
        )
        if len(people) >= 5:
            boiler = services.key_post_create(
                scope=SYSTEM,
                enterprise=enterprise,
                name="锅炉房司炉",
                kind="post",
                minimum=2,
                at=now,
            )
            line = services.key_post_create(
                scope=SYSTEM,
                enterprise=enterprise,
                name="一车间热处理工序",
                kind="process",
                minimum=2,
                at=now,
            )
            for post, primaries, backup in (
                (boiler, people[:2], people[2]),
                (line, people[3:5], None),
            ):
                for person in primaries:
                    services.post_staff_add(scope=SYSTEM, post=post, person=person, role="primary")
                if backup is not None:
                    services.post_staff_add(scope=SYSTEM, post=post, person=backup, role="backup")
            # The boiler's backup is on leave on day 3 while one stoker rests: a gap ahead.
            services.leave_record(
                scope=SYSTEM,
                enterprise=enterprise,
                person=people[0],
                starts_on=today + dt.timedelta(days=3),
                ends_on=today + dt.timedelta(days=4),
                reason="轮休",
                at=now,
            )
            services.leave_record(
                scope=SYSTEM,
                enterprise=enterprise,
                person=people[2],
                starts_on=today + dt.timedelta(days=3),
                ends_on=today + dt.timedelta(days=3),
                reason="事假",
                at=now,
            )
    if not UtilityFault.objects.filter(enterprise=enterprise).exists():
        fault = services.fault_report(
            scope=SYSTEM,
            park=enterprise.jurisdiction,
            enterprise=enterprise,
            utility="power",
            location="二车间配电房",
            description="二车间照明回路跳闸，部分工位停电",
            at=now - dt.timedelta(minutes=50),
            by=officer,
        )
        services.fault_assign(
            scope=SYSTEM,
            fault=fault,
            assignee="园区供电抢修班",
            at=now - dt.timedelta(minutes=40),
            by=park_admin,
        )
