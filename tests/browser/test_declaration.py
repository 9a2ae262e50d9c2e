"""An employee declares on a phone-sized screen (issue 11, item 1; Z-5.2c, Z-4.2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from parkguard.health.models import Declaration
from parkguard.rules.models import PackAdoption
from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_employee_declares_on_a_phone(live_server: Any, browser: Any, artifacts: Any) -> None:
    world = build_world()
    PackAdoption.objects.create(
        jurisdiction=world.park_a,
        pack_id="zhengyang-2022-20",
        adopted_at=dt.datetime(2022, 11, 1, tzinfo=dt.UTC),
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_employee")
        page.goto(f"{live_server.url}/health/declare/")
        # The symptoms offered are notice Z's (Z-4.2).
        labels = page.locator("#declare-form fieldset").first.inner_text()
        assert "干咳" in labels and "乏力" in labels and "咽痛" not in labels
        page.fill("#id_temperature", "abc")
        page.check("#id_code_colour_0")
        page.click("#declare-form button[type=submit]")
        assert "体温请填写数字" in page.locator("#declare-form").inner_text()
        page.fill("#id_temperature", "36.6")
        page.check("#id_code_colour_0")
        page.screenshot(path=str(artifacts / "health-declare-phone.png"), full_page=True)
        page.click("#declare-form button[type=submit]")
        page.locator("#declared").wait_for()
        assert "36.6" in page.locator("#declared").inner_text()
        assert page.url.endswith("/health/me/")
        page.screenshot(path=str(artifacts / "health-me-phone.png"), full_page=True)
    finally:
        context.close()
    declaration = Declaration.objects.get(person=world.a1_employee_person)
    assert str(declaration.temperature) == "36.6"
