"""The demo park's gate day (issue 13 §9): gates, a guard with a kiosk, today's access log with
green and red answers, printed and temporary passes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from parkguard.gate.models import AccessCheck, Gate, PrintedPass, TemporaryPass
from parkguard.health.models import Alert
from parkguard.orgs.models import Membership
from parkguard.status.services import status_rebuild

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _guard_days(rows: QuerySet[AccessCheck]) -> set[str]:
    """The dates of the guard's own checks (trucks' crews are logged at the truck's times)."""
    mine = rows.exclude(temporary_pass__source__startswith="logistics.truck:")
    return {timezone.localdate(at).isoformat() for at in mine.values_list("at", flat=True)}


@pytest.mark.parametrize("hour, minute", [(0, 30), (1, 30), (10, 0)])
def test_it_keeps_the_gate_day_on_one_date_at_any_hour(hour: int, minute: int) -> None:
    from parkguard.demo.builder import _gate_day_start

    now = dt.datetime.combine(dt.date(2022, 4, 10), dt.time(hour, minute), tzinfo=SHANGHAI)
    span, step = dt.timedelta(minutes=66), dt.timedelta(minutes=2)
    start = _gate_day_start(now=now, hours_ago=2, span=span, step=step)
    assert timezone.localdate(start) == timezone.localdate(start + span)
    assert start + span < now


@pytest.mark.django_db
def test_it_loads_the_gate_day_on_one_date_shortly_after_midnight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The demo loaded at half past one, Shanghai time: "two hours ago" is yesterday evening
    # and the checks would run past midnight; they all fall on yesterday instead.
    today = timezone.localdate()
    frozen = dt.datetime.combine(today, dt.time(1, 30), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    call_command("demo_load", verbosity=0)
    guard = Membership.objects.get(user__username="guard", role="gate_guard")
    rows = AccessCheck.objects.filter(enterprise=guard.enterprise)
    assert rows.count() >= 30
    assert _guard_days(rows) == {(today - dt.timedelta(days=1)).isoformat()}


@pytest.mark.django_db
def test_the_demo_guard_has_a_day_at_the_gate() -> None:
    call_command("demo_load", verbosity=0)
    guard = Membership.objects.get(user__username="guard", role="gate_guard")
    assert guard.enterprise is not None
    # Two entrances at the fence, and two internal doors that serve junctions (Z-5.1b).
    gates = set(Gate.objects.filter(enterprise=guard.enterprise).values_list("name", flat=True))
    assert gates == {"东门（1号门）", "北门（货运）", "新员工宿舍门禁", "食堂门禁"}
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
    # The guard's visitor and truck-crew passes; the trucks' own crews (logged at entry) and
    # the pass issued from the visitor board (mobility) aside.
    own = TemporaryPass.objects.exclude(source__startswith="logistics.truck:")
    assert own.exclude(source__startswith="mobility.visitor:").count() == 2
    assert own.filter(source__startswith="mobility.visitor:", revoked_at__isnull=True).count() == 1
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
    assert _guard_days(rows) == {day}  # the guard's whole day on one date
    log = client.get(f"/gate/enterprises/{guard.enterprise.pk}/log/?on={day}").content.decode()
    assert "放行" in log and "拒绝" in log and "通行码已过期" in log
    call_command("demo_load", verbosity=0)  # idempotent
    assert AccessCheck.objects.filter(enterprise=guard.enterprise).count() == rows.count()
