"""notify_send: inbox rows for the recipients, a webhook delivery only where subscribed."""

from __future__ import annotations

import datetime as dt

import pytest

from parkguard.notify.choices import Kind
from parkguard.notify.models import Delivery, Message
from parkguard.notify.services import KIND_UNKNOWN, notify_send
from tests.factories import World

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_it_writes_one_inbox_row_per_recipient(world: World) -> None:
    officer, employee = world.users["a1_officer"], world.users["a1_employee"]
    written = notify_send(
        users=[officer, employee, officer],
        user_ids=[employee.pk],
        kind=Kind.GENERAL,
        title="通知",
        body="内容",
        at=AT,
    )
    assert written == 2
    rows = Message.objects.order_by("user_id")
    assert [(m.user_id, m.title, m.read_at) for m in rows] == sorted(
        [(officer.pk, "通知", None), (employee.pk, "通知", None)]
    )
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_kind(world: World) -> None:
    with pytest.raises(ValueError, match=KIND_UNKNOWN):
        notify_send(users=[world.users["a1_officer"]], kind="nonsense", title="x", body="", at=AT)
    assert not Message.objects.exists()
