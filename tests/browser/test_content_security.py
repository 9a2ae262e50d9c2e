"""Under the content security policy: the shared page behaviours still work, and a page that
broke the policy would be caught (issue 18 §6).

`static/js/parkguard.js` took over what inline `on*=` attributes did (select all, confirm
before a delete); the browser conftest fails any test during which Chromium reported a
violation. The last test shows that watcher at work on a violation made on purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parkguard.notify.choices import Kind, Vendor
from parkguard.notify.models import Webhook
from parkguard.notify.services import webhook_create
from parkguard.orgs.access import scope_for_user
from tests.browser.conftest import CSP_VIOLATIONS
from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_select_all_and_confirm_work_without_inline_script(live_server: Any, page: Any) -> None:
    world = build_world()
    officer = world.users["a1_officer"]
    hook = webhook_create(
        scope=scope_for_user(officer),
        enterprise=world.a1,
        name="甲一防疫群",
        vendor=Vendor.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=csp-test-key-000",
        kinds=[Kind.HEALTH_ALERT],
        by=officer,
        at=timezone.now() - dt.timedelta(minutes=1),
    )
    _login(page, live_server.url, "a1_officer")

    page.goto(f"{live_server.url}/enterprises/{world.a1.pk}/logins/")
    boxes = page.locator("input[name=person_ids]")
    if boxes.count():
        page.check("#select-all")
        for i in range(boxes.count()):
            expect(boxes.nth(i)).to_be_checked()
        page.uncheck("#select-all")
        for i in range(boxes.count()):
            expect(boxes.nth(i)).not_to_be_checked()

    page.goto(f"{live_server.url}/webhooks/{hook.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button[type=submit]")
    expect(page.locator("form[data-confirm]")).to_be_visible()
    assert Webhook.objects.filter(pk=hook.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[data-confirm] button[type=submit]")
    page.wait_for_url(lambda url: f"/webhooks/{hook.pk}/" not in url)
    assert not Webhook.objects.filter(pk=hook.pk).exists()


def test_an_inline_handler_is_refused_and_reported(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """document.body.insertAdjacentHTML('beforeend',
                 '<img src="/static/no-such.png" onerror="document.title = \\'ran\\'">')"""
        )
    assert page.title() != "ran"
    assert any("inline event handler" in v for v in CSP_VIOLATIONS), CSP_VIOLATIONS
    CSP_VIOLATIONS.clear()  # the violation was made on purpose; the watcher saw it
