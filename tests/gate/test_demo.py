"""The demo park's gate day (issue 13 §9): gates, a guard with a kiosk, today's access log with
green and red answers, printed and temporary passes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from parkguard.gate.models import AccessCheck, Gate, PrintedPass, TemporaryPass
from parkguard.health.models import Alert
from parkguard.orgs.models import Membership
from parkguard.status.services import status_rebuild


@pytest.mark.django_db
def test_the_demo_guard_has_a_day_at_the_gate() -> None:
    from django.utils import timezone

    call_command("demo_load", verbosity=0)
    guard = Membership.objects.get(user__username="guard", role="gate_guard")
    assert guard.enterprise is not None
    assert Gate.objects.filter(enterprise=guard.enterprise).count() == 2
    assert Gate.objects.filter(enterprise__isnull=True).count() == 1  # the park's checkpoint
    rows = AccessCheck.objects.filter(enterprise=guard.enterprise)
    assert rows.filter(allowed=True).count() >= 20 and rows.filter(allowed=False).count() >= 10
    assert set(rows.values_list("refusal", flat=True)) >= {
        "",
        "decision",
        "expired",
        "forged",
        "revoked",
    }
    assert set(rows.values_list("method", flat=True)) >= {
        "phone_pass",
        "printed_pass",
        "temporary_pass",
    }
    assert PrintedPass.objects.filter(revoked_at__isnull=False).count() == 1
    # The guard's visitor and truck-crew passes; the trucks' own crews (logged at entry) aside.
    assert TemporaryPass.objects.exclude(source__startswith="logistics.truck:").count() == 2
    assert TemporaryPass.objects.filter(source__startswith="logistics.truck:").exists()
    assert Alert.objects.count() == 1  # the gate's readings opened no alert
    assert status_rebuild(at=timezone.now(), write=False).differing_people == 0
    client = Client()
    client.force_login(guard.user)
    home = client.get("/").content.decode()
    assert "/gate/" in home
    # The log of the demo's gate day: the day of its last guard checks (the expired code, the
    # printed pass let out at the same moment). Shortly after midnight that is yesterday, and
    # the page shows today unless asked; trucks' crews are logged at the truck's own times.
    day = timezone.localdate(rows.filter(refusal="expired").latest("at").at).isoformat()
    log = client.get(f"/gate/enterprises/{guard.enterprise.pk}/log/?on={day}").content.decode()
    assert "放行" in log and "拒绝" in log and "通行码已过期" in log
    call_command("demo_load", verbosity=0)  # idempotent
    assert AccessCheck.objects.filter(enterprise=guard.enterprise).count() == rows.count()
