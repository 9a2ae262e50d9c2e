"""The demo park's continuity work: a closed-loop enterprise with today's living support, a
key-post gap ahead and a power fault being repaired, each on a page its users open."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from parkguard.continuity.models import LoopPlan, UtilityFault
from parkguard.continuity.selectors import key_post_gaps
from parkguard.orgs.access import SYSTEM
from parkguard.status.choices import HoldKind
from parkguard.status.models import StatusHold


@pytest.mark.django_db
def test_the_demo_park_has_continuity_work() -> None:
    call_command("demo_load", verbosity=0)
    [plan] = LoopPlan.objects.filter(ended_at__isnull=True)
    assert plan.members.exists() and plan.days.get().short
    assert StatusHold.objects.filter(kind=HoldKind.CLOSED_LOOP, cleared_at__isnull=True).exists()
    fault = UtilityFault.objects.get()
    assert fault.enterprise is not None
    gaps = key_post_gaps(
        scope=SYSTEM, enterprise=fault.enterprise, start=timezone.localdate(), days=7
    )
    assert [g.post.name for g in gaps] == ["锅炉房司炉"]
    admin = Client()
    admin.login(username="park_admin", password="demo-park-2022")
    page = admin.get(f"/continuity/enterprises/{plan.enterprise_id}/loop/")
    assert page.status_code == 200 and "闭环生产中" in page.content.decode()
    officer = Client()
    officer.login(username="officer", password="demo-park-2022")
    body = officer.get(f"/continuity/enterprises/{fault.enterprise_id}/posts/").content.decode()
    assert "缺 1 人" in body
    body = officer.get(f"/continuity/enterprises/{fault.enterprise_id}/faults/").content.decode()
    assert "抢修中" in body
    assert "闭环生产" in officer.get("/").content.decode()
    call_command("demo_load", verbosity=0)  # idempotent
    assert LoopPlan.objects.count() == 1 and UtilityFault.objects.count() == 1
