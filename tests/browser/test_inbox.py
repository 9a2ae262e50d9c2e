"""An employee reads a reminder on a phone: the badge counts down without a reload (Z-5.2c)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from parkguard.notify.choices import Kind
from parkguard.notify.reminders import DECLARE_TITLE, declare_reminders_send
from parkguard.notify.services import notify_send
from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)


def test_it_marks_a_reminder_read_on_a_phone(live_server: Any, browser: Any) -> None:
    world = build_world()
    employee = world.users["a1_employee"]
    declare_reminders_send(user_ids=[employee.pk], at=AT)
    notify_send(users=[employee], kind=Kind.TEST_DUE, title="核酸检测今日到期", body="", at=AT)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_employee")
        page.goto(f"{live_server.url}/inbox/")
        badge = page.locator("#inbox-badge")
        assert badge.inner_text() == "2"
        card = page.locator(".message", has_text=DECLARE_TITLE)
        card.get_by_role("button", name="标为已读").click()
        # The badge and the card are swapped by htmx; wait for both, without a fixed sleep.
        # (locators, not wait_for_function: a string predicate is eval'd, which the CSP refuses)
        expect(page.locator("#inbox-badge")).to_have_text("1")
        expect(page.locator(".message.unread")).to_have_count(1)
        assert page.url.endswith("/inbox/")  # no navigation
        assert page.locator(".message.unread").count() == 1
        # Nothing overflows the phone's width.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
