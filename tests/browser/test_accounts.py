"""On a phone: the officer prints employee activation codes; an employee activates and logs in.

Issue 7 §1 "Done when" (Z-2.1, J-2.3), at a phone's viewport.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "Zq7-hall-lantern"


def test_it_hands_out_codes_and_lets_an_employee_activate_on_a_phone(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world: World = build_world()
    base = live_server.url
    officer = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = officer.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "a1_officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.click("header .nav-button")  # on a phone the navigation folds behind 菜单
    page.click("header nav >> text=账号")
    page.wait_for_url(f"**/enterprises/{world.a1.pk}/accounts/")
    page.click("text=从台账批量开通员工账号")
    page.check(f"#p{world.a1_person.pk}")
    page.select_option("#id_login_by", "number")
    page.fill("#id_number_prefix", "JY")
    page.fill("#id_start", "7")
    page.click("text=生成账号和激活码")
    slip = page.locator(".slip").first
    slip.wait_for()
    assert world.a1_person.name in slip.inner_text()
    assert world.a1_person.phone_masked in slip.inner_text()
    assert world.a1_person.phone not in page.content()
    code = slip.locator(".code").inner_text()
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "activation_sheet_phone.png"), full_page=True)
    officer.close()

    employee = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = employee.new_page()
    page.goto(f"{base}/accounts/login/")
    page.click("text=首次登录 / 激活账号")
    page.fill("#id_login", "JY7")
    page.fill("#id_code", code)
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "short")
    page.click("button[type=submit]")
    assert "密码太短" in page.locator("[role=alert]").first.inner_text()
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/login/")
    page.fill("#id_username", "JY7")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # On a phone the name sits in the folded menu: read the header's text, shown or not.
    header = page.locator("header").text_content() or ""
    assert "JY7" in header or "甲一张三" in header
    employee.close()
