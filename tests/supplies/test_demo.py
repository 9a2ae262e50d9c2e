"""The demo park's supplies and disinfection: the officer has a low-stock alert, park B's
first enterprise has today's checklist half done (issue 15)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from parkguard.notify.models import Message
from parkguard.supplies.models import DisinfectionTask, LowStockAlert


@pytest.mark.django_db
def test_the_demo_park_has_supplies_and_disinfection_work() -> None:
    call_command("demo_load", verbosity=0)
    [alert] = LowStockAlert.objects.filter(closed_at__isnull=True)
    assert alert.item.name == "医用外科口罩" and alert.cover_days < alert.minimum_days
    assert Message.objects.filter(user__username="officer", title__contains="防护物资不足").exists()
    today = DisinfectionTask.objects.filter(on=timezone.localdate())
    tasks = today.filter(area__enterprise__name="东岭汽车零部件有限公司")
    done = tasks.filter(done_at__isnull=False).count()
    assert tasks.count() > 0 and done * 2 == tasks.count()
    # Park A's own notice schedules daily disinfection (Z 五、（一）): its first enterprise's
    # officer has today's list to work on the phone (issue 15 gap c).
    mine = today.filter(
        area__enterprise__name="云溪精密机械制造有限公司", assignee__username="officer"
    )
    assert mine.count() >= 3 and not mine.filter(done_at__isnull=False).exists()
    client = Client()
    client.login(username="officer", password="demo-park-2022")
    enterprise = alert.item.enterprise
    page = client.get(f"/supplies/enterprises/{enterprise.pk}/")
    assert page.status_code == 200 and "库存不足" in page.content.decode()
    call_command("demo_load", verbosity=0)  # idempotent
    assert LowStockAlert.objects.count() == 1
