"""The demo logins start the day with messages to act on; loading twice adds nothing."""

from __future__ import annotations

import pytest

from parkguard.demo.builder import demo_inbox
from parkguard.notify.models import Message, ParkReminderConfig, Webhook
from tests.factories import World, make_user


@pytest.mark.django_db
def test_it_gives_the_demo_logins_an_inbox_and_stays_idempotent(world: World) -> None:
    users = {
        "employee": world.users["a1_employee"],
        "officer": world.users["a1_officer"],
        "ent_admin": make_user("ent_admin"),
        "park_admin": world.users["park_a_admin"],
        "cadre": make_user("cadre"),
        "inspector": make_user("inspector"),
    }
    for _ in range(2):
        demo_inbox(users=users, enterprise=world.a1, park=world.park_a)
    employee = Message.objects.filter(user=users["employee"])
    assert employee.count() == 3 and employee.filter(read_at__isnull=True).count() == 2
    digest = Message.objects.get(user=users["officer"], kind="declare_digest")
    assert world.a1_person.name in digest.body or world.a1_employee_person.name in digest.body
    assert Message.objects.filter(user=users["park_admin"]).count() == 1
    hook = Webhook.objects.get(enterprise=world.a1)
    assert hook.enabled is False  # the demo never posts to a real group
    assert ParkReminderConfig.objects.get(jurisdiction=world.park_a).declare_remind_at is not None
