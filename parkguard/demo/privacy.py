"""The demo's subject rights: the `employee` login's file was revealed by the officer (so
"我的信息" shows who looked and why), the employee has asked for a correction that the officer
has to answer, and another person's request is overdue, flagged to the officer and park A.
Written through the services, so the audit entries and inbox messages follow."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from parkguard.orgs.access import scope_for_user
from parkguard.orgs.models import Enterprise
from parkguard.people.models import Person
from parkguard.people.services import person_id_reveal
from parkguard.privacy.models import CorrectionRequest
from parkguard.privacy.services import correction_due, correction_file, corrections_flag_overdue

DAY = dt.timedelta(days=1)  # demo dates: offsets from the day the demo is loaded


def demo_privacy(
    *, enterprise: Enterprise, me: Person | None, employee: User, officer: User
) -> None:
    if me is None or CorrectionRequest.objects.filter(enterprise=enterprise).exists():
        return
    now = timezone.now()
    person_id_reveal(
        scope=scope_for_user(officer),
        person=me,
        actor=officer,
        reason="核对返岗人员身份，与社区名单比对",
        at=now - 2 * DAY,
    )
    correction_file(
        scope=scope_for_user(employee),
        person=me,
        field="address",
        text="宿舍已从 3 号楼调到 5 号楼 201，请更新",
        by=employee,
        at=now - DAY,
    )
    other = Person.objects.filter(enterprise=enterprise).exclude(pk=me.pk).order_by("id").first()
    if other is None:
        return
    filed = now - 20 * DAY
    CorrectionRequest.objects.create(
        person=other,
        enterprise=enterprise,
        field="test",
        text="11 月 2 日的核酸结果登记成了阳性，实际为阴性",
        filed_at=filed,
        due_at=correction_due(at=filed),
    )

    corrections_flag_overdue(at=now)
