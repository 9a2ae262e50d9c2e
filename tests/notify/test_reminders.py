"""Reminders to declare and the digest of who is missing (Z-5.2c: daily declaration for every
employee, a named person summarises staff health each day), on the park's own clock."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from parkguard.notify import reminders
from parkguard.notify.choices import Kind
from parkguard.notify.models import Message, ParkReminderConfig, ReminderRun
from parkguard.notify.reminders import Missing, reminders_tick
from parkguard.notify.services import reminder_config_save
from parkguard.notify.sms import ConsoleSmsBackend, NullSmsBackend, sms_backend, sms_send
from parkguard.notify.tasks import reminders_tick_task
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Jurisdiction, Membership
from tests.factories import World

LOCAL = ZoneInfo("Asia/Shanghai")
Persona = Callable[[str | None], Client]


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 11, 15, hour, minute, tzinfo=LOCAL)


def fake_undeclared(*, park: Jurisdiction, day: dt.date, at: dt.datetime) -> Sequence[Missing]:
    """Stands in for the health app: every employee login of the park has not declared."""
    rows = Membership.objects.filter(
        role=Role.EMPLOYEE, enterprise__jurisdiction=park
    ).select_related("person")
    return [
        Missing(
            enterprise_id=m.enterprise_id or 0,
            name=m.person.name if m.person else "",
            user_id=m.user_id,
        )
        for m in rows
    ] + [
        Missing(enterprise_id=e.pk, name="无账号的人")
        for e in park.enterprises.filter(name__startswith="甲一")
    ]


def configure(world: World, remind: dt.time | None, digest: dt.time | None) -> None:
    reminder_config_save(
        scope=scope_for_user(world.users["park_a_admin"]),
        park=world.park_a,
        declare_remind_at=remind,
        digest_at=digest,
        at=at(8),
    )


@pytest.mark.django_db
def test_it_reminds_nobody_until_the_park_sets_a_time(world: World) -> None:
    assert reminders_tick(at=at(23), query=fake_undeclared) == 0
    assert not Message.objects.exists() and not ReminderRun.objects.exists()


@pytest.mark.django_db
def test_it_reminds_the_missing_at_the_parks_time_once_a_day(world: World) -> None:
    configure(world, dt.time(9, 30), None)
    assert reminders_tick(at=at(9, 25), query=fake_undeclared) == 0
    assert reminders_tick(at=at(9, 30), query=fake_undeclared) == 1
    (message,) = Message.objects.all()
    assert (message.user, message.kind, message.title) == (
        world.users["a1_employee"],
        Kind.DECLARE_REMINDER,
        reminders.DECLARE_TITLE,
    )
    assert reminders_tick(at=at(9, 35), query=fake_undeclared) == 0  # already ran today
    run = ReminderRun.objects.get()
    assert (run.jurisdiction, run.day, run.reminded) == (world.park_a, dt.date(2022, 11, 15), 1)
    tomorrow = at(9, 30) + dt.timedelta(days=1)
    assert reminders_tick(at=tomorrow, query=fake_undeclared) == 1


@pytest.mark.django_db
def test_it_sends_each_enterprises_officers_their_digest(world: World) -> None:
    configure(world, None, dt.time(10))
    reminders_tick(at=at(10), query=fake_undeclared)
    digest = Message.objects.get(user=world.users["a1_officer"])
    assert digest.kind == Kind.DECLARE_DIGEST
    assert digest.title == "今日未申报人员（2 人）"
    assert "甲一李四" in digest.body and "无账号的人" in digest.body
    a2 = Message.objects.get(user=world.users["a2_officer"])
    assert "全员已完成" in a2.body and "甲一" not in a2.body
    assert not Message.objects.filter(user=world.users["a1_employee"]).exists()
    assert not Message.objects.filter(user=world.users["park_b_admin"]).exists()


@pytest.mark.django_db
def test_the_periodic_job_asks_the_query_named_in_settings(world: World, settings: Any) -> None:
    configure(world, dt.time(0, 0), None)
    settings.NOTIFY_UNDECLARED_QUERY = ""
    reminders_tick_task.call_local()
    assert not Message.objects.exists()  # no query wired in yet: nothing happens
    settings.NOTIFY_UNDECLARED_QUERY = "tests.notify.test_reminders.fake_undeclared"
    reminders_tick_task.call_local()
    assert Message.objects.filter(kind=Kind.DECLARE_REMINDER).count() == 1


@pytest.mark.django_db
def test_it_sends_test_due_reminders_for_the_duties_app(world: World) -> None:
    written = reminders.test_due_reminders_send(
        user_ids=[world.users["a1_employee"].pk],
        title="核酸检测到期",
        body="今天需完成核酸检测",
        at=at(8),
    )
    assert written == 1
    assert Message.objects.get().kind == Kind.TEST_DUE


@pytest.mark.django_db
def test_it_lets_a_park_admin_set_the_reminder_times(world: World, client_as: Persona) -> None:
    url = f"/park/{world.park_a.pk}/reminders/"
    response = client_as("park_a_admin").post(
        url, {"declare_remind_at": "09:30", "digest_at": "10:00"}
    )
    assert response.status_code == 302
    config = ParkReminderConfig.objects.get(jurisdiction=world.park_a)
    assert (config.declare_remind_at, config.digest_at) == (dt.time(9, 30), dt.time(10))


@pytest.mark.django_db
def test_it_refuses_a_bad_time_in_chinese(world: World, client_as: Persona) -> None:
    url = f"/park/{world.park_a.pk}/reminders/"
    response = client_as("park_a_admin").post(url, {"declare_remind_at": "25:00", "digest_at": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["declare_remind_at"] == [
        "时间格式应为 时:分，例如 09:30"
    ]
    assert not ParkReminderConfig.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [None, "a1_officer", "a1_employee", "park_b_admin"])
def test_it_refuses_others_the_parks_reminder_times(
    world: World, client_as: Persona, persona: str | None
) -> None:
    configure(world, dt.time(9), None)
    url = f"/park/{world.park_a.pk}/reminders/"
    response = client_as(persona).post(url, {"declare_remind_at": "23:00"})
    assert response.status_code in {302, 404} and (persona is None or response.status_code == 404)
    config = ParkReminderConfig.objects.get()
    assert config.declare_remind_at == dt.time(9)


def test_sms_sends_nothing_by_default(settings: Any) -> None:
    assert isinstance(sms_backend(), NullSmsBackend)
    assert sms_send(phone="13812345678", text="请申报") is False


def test_sms_console_backend_logs_no_number_or_text(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.NOTIFY_SMS_BACKEND = "parkguard.notify.sms.ConsoleSmsBackend"
    assert isinstance(sms_backend(), ConsoleSmsBackend)
    with caplog.at_level(logging.INFO):
        assert sms_send(phone="13812345678", text="甲一张三请申报") is True
    assert "138****5678" in caplog.text
    assert "13812345678" not in caplog.text and "张三" not in caplog.text
