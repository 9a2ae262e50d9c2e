"""The park admin plays the lockdown board (L-3.0): orders closure of an area, the checkpoint
reports arrival, then closure; the live timers count down and stop, at desktop and phone size."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parkguard.command import services
from parkguard.command.models import Checkpoint, LockdownOrder
from parkguard.orgs.access import scope_for_user
from tests.browser.sessions import login as _login
from tests.command.conftest import build
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.mark.parametrize("size", list(SIZES))
def test_the_park_admin_plays_a_lockdown_from_order_to_closure(
    live_server: Any, browser: Any, artifacts: Path, size: str
) -> None:
    cw = build(build_world())
    context = browser.new_context(locale="zh-CN", **SIZES[size])
    page = context.new_page()
    try:
        _login(page, live_server.url, "park_a_admin")
        page.get_by_role("link", name="封控看板").first.click()
        page.wait_for_url(f"**/command/parks/{cw.world.park_a.pk}/")
        page.fill("input[name=title]", "一号车间封控演练")
        page.fill("input[name=reason]", "演练：一号车间初筛阳性")
        page.check(f"input[name=areas][value='{cw.area.pk}']")
        page.fill("input[name=living_leader]", "王保障")
        page.get_by_role("button", name="下达封控指令").click()
        page.wait_for_url("**/command/orders/**")
        order = LockdownOrder.objects.get()
        checkpoint = Checkpoint.objects.get(order=order)
        staffed = page.get_by_test_id("staffed")
        # The timer runs (the script counts down), not yet reported.
        expect(staffed).to_contain_text(re.compile(r"剩余 \d+:\d\d"))
        expect(staffed).to_have_class(re.compile("timer-running"))
        expect(page.get_by_text("您不在该卡点当前的值班表上")).to_be_visible()
        now = timezone.now()
        services.shift_add(
            scope=scope_for_user(cw.admin),
            jurisdiction=cw.world.park_a,
            user=cw.admin,
            starts_at=now - dt.timedelta(minutes=5),
            ends_at=now + dt.timedelta(hours=8),
            checkpoint=checkpoint,
            by=cw.admin,
            at=now,
        )
        page.reload()
        page.get_by_role("button", name="报告到岗").click()
        expect(page.get_by_test_id("staffed")).to_have_class(re.compile("timer-stopped"))
        expect(page.get_by_test_id("staffed")).to_contain_text("已完成，提前")
        expect(page.get_by_test_id("closed")).to_contain_text("剩余")
        page.get_by_role("button", name="报告完成封闭").click()
        expect(page.get_by_test_id("closed")).to_have_class(re.compile("timer-stopped"))
        expect(page.get_by_role("button", name="报告完成封闭")).to_have_count(0)
        page.screenshot(path=str(artifacts / f"lockdown_order_{size}.png"), full_page=True)
        page.get_by_role("link", name="← 封控看板").click()
        page.wait_for_url(f"**/command/parks/{cw.world.park_a.pk}/")
        board = page.get_by_test_id(f"order-{order.pk}")
        expect(board.get_by_test_id("board-staffed")).to_have_class(re.compile("timer-stopped"))
        expect(board.get_by_test_id("board-closed")).to_have_class(re.compile("timer-stopped"))
        expect(board.get_by_test_id("order-close")).to_contain_text("已完成，提前")
        expect(board.get_by_test_id("order-staff")).to_have_class(re.compile("timer-stopped"))
        assert (
            page.evaluate("document.documentElement.scrollWidth")
            <= SIZES[size]["viewport"]["width"]
        )
        page.screenshot(path=str(artifacts / f"lockdown_board_{size}.png"), full_page=True)
        checkpoint.refresh_from_db()
        order.refresh_from_db()
        assert checkpoint.staffed_at is not None and order.closed_at is not None
    finally:
        context.close()
