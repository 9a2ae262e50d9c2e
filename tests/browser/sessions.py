"""Signing a persona in through the login page, as the browser tests' users do."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}


def login(page: Any, base: str, username: str) -> None:
    """Sign `username` in on `page` and wait until the login page is left."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def phone_login(browser: Any, base: str, username: str) -> Any:
    """A new phone-sized context with `username` signed in; returns its page."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    login(page, base, username)
    return page
