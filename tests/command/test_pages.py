"""Pages and JSON API of lockdown command: the board, the order page, bad input answered in
Chinese with nothing changed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from parkguard.command import services
from parkguard.command.models import Checkpoint, Delivery, LockdownOrder
from parkguard.orgs.access import scope_for_user
from tests.command.conftest import CommandWorld

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def test_the_board_orders_and_shows_timers_without_inline_script(cw: CommandWorld) -> None:
    c = _client(cw.admin)
    park = cw.world.park_a.pk
    page = c.get(f"/command/parks/{park}/")
    assert page.status_code == 200 and "下达封控指令" in page.content.decode()
    refused = c.post(
        f"/command/parks/{park}/orders/", {"title": "演练", "reason": "演练"}, follow=True
    )
    assert services.NO_TARGETS in refused.content.decode()
    assert not LockdownOrder.objects.exists()
    done = c.post(
        f"/command/parks/{park}/orders/",
        {"title": "演练封控", "reason": "演练", "areas": [cw.area.pk], "policy_leader": "张政策"},
    )
    o = LockdownOrder.objects.get()
    assert done["Location"] == f"/command/orders/{o.pk}/"
    body = c.get(f"/command/parks/{park}/").content.decode()
    assert 'data-due="' in body and "command/lockdown.js" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert "onclick" not in body
    order_page = c.get(f"/command/orders/{o.pk}/").content.decode()
    assert "张政策" in order_page and "您不在该卡点当前的值班表上" in order_page


def test_the_api_refuses_an_order_without_areas_and_reports_off_roster(cw: CommandWorld) -> None:
    c = _client(cw.admin)
    url = f"/api/v1/command/parks/{cw.world.park_a.pk}/orders"
    refused = c.post(url, {"title": "演练", "reason": "演练"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == services.NO_TARGETS
    made = c.post(
        url,
        {"title": "演练", "reason": "演练", "enterprise_ids": [cw.world.a2.pk]},
        content_type="application/json",
    )
    assert made.status_code == 201
    body = made.json()
    assert body["checkpoints"][0]["enterprise_id"] == cw.world.a2.pk
    checkpoint = Checkpoint.objects.get()
    off = _client(cw.cadre).post(f"/api/v1/command/checkpoints/{checkpoint.pk}/staffed")
    assert off.status_code == 422 and off.json()["detail"][0]["msg"] == services.NOT_ON_ROSTER
    checkpoint.refresh_from_db()
    assert checkpoint.staffed_at is None
    listed = c.get(url).json()
    assert [o["id"] for o in listed] == [body["id"]]
    roster = c.get(f"/api/v1/command/parks/{cw.world.park_a.pk}/roster")
    assert roster.status_code == 200 and roster.json()["shift_max_hours"] == 12


def test_the_api_refuses_a_delivery_outside_the_lockdown(cw: CommandWorld) -> None:
    now = timezone.now()
    o = services.lockdown_order(
        scope=scope_for_user(cw.admin),
        jurisdiction=cw.world.park_a,
        title="演练",
        reason="演练",
        area_ids=[cw.area.pk],
        by=cw.admin,
        at=now,
    )
    refused = _client(cw.cadre).post(
        f"/api/v1/command/orders/{o.pk}/deliveries",
        {
            "enterprise_id": cw.world.a2.pk,
            "contents": "蔬菜包",
            "packages": 3,
            "due_at": (now + dt.timedelta(hours=1)).isoformat(),
            "courier": "志愿者",
        },
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == services.NOT_IN_LOCKDOWN
    assert not Delivery.objects.exists()


def test_the_roster_page_and_a_county_order_reach_the_park(cw: CommandWorld) -> None:
    page = _client(cw.cadre).get(f"/command/parks/{cw.world.park_a.pk}/rosters/")
    assert page.status_code == 200 and "24 小时值班表" in page.content.decode()
    # Park B's admin sees nothing of park A's board.
    other = _client(cw.world.users["park_b_admin"]).get(f"/command/parks/{cw.world.park_a.pk}/")
    assert other.status_code in (403, 404)
