"""我的待办 shows everything an employee must do by when (Z-5.2b routine tests as well as the
duties of a return, J-1.1), open ones first with their clause; another person's duties never."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from parkguard.duties.choices import ROUTINE, DutyKind, DutyState
from parkguard.duties.models import Duty
from parkguard.duties.services import DutySpec, duties_replace
from tests.factories import World

pytestmark = pytest.mark.django_db
CLAUSE = {"document_number": "正阳园区管委发〔2022〕20号", "clause": "五、全员定期核酸检测"}


def test_my_duties_list_the_routine_test_and_the_return_duty(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    now = timezone.now()
    me = world.a1_employee_person
    duties_replace(
        person_id=me.pk, source=ROUTINE,
        items=[DutySpec(kind=DutyKind.NUCLEIC_ACID, due_from=now - dt.timedelta(days=1),
                        due_by=now + dt.timedelta(days=6), citation=CLAUSE, label="每7天核酸检测")],
        at=now,
    )  # fmt: skip
    duties_replace(
        person_id=me.pk, source="mobility.return:1",
        items=[DutySpec(kind=DutyKind.DOCUMENT, due_from=now - dt.timedelta(days=2),
                        due_by=now - dt.timedelta(days=1), label="提交返岗证明")],
        at=now,
    )  # fmt: skip
    duties_replace(
        person_id=world.a1_person.pk, source=ROUTINE,
        items=[DutySpec(kind=DutyKind.NUCLEIC_ACID, due_from=now, due_by=now + dt.timedelta(days=1),
                        label="别人的检测")],
        at=now,
    )  # fmt: skip
    Duty.objects.filter(person=me, source="mobility.return:1").update(state=DutyState.OVERDUE)
    client = client_as("a1_employee")
    body = client.get("/mobility/me/").content.decode()
    assert (
        "每7天核酸检测" in body and "依据：正阳园区管委发〔2022〕20号 五、全员定期核酸检测" in body
    )
    assert body.index("提交返岗证明") < body.index("每7天核酸检测")  # overdue first
    assert "别人的检测" not in body and "暂无须完成的事项" not in body
    listed = client.get("/api/v1/mobility/me/duties").json()
    assert [d["label"] for d in listed] == ["提交返岗证明", "每7天核酸检测"]
    assert [d["state"] for d in listed] == ["overdue", "due"]
