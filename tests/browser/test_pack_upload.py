"""A park admin adopts a new pack in the browser, with no deploy (issue 10 §3): uploads it
with a mistake (sees the line and the Chinese message), fixes it, previews a hypothetical
returnee against the draft beside the version in force, proposes it; a second admin of the
park publishes it; it is adopted with a parameter. At 1280x800, and the preview at phone size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parkguard.policy import errors as E
from parkguard.rules.models import PackAdoption, UploadedPack
from tests.browser.sessions import login as _login
from tests.factories import build_world
from tests.rules.uploads import TAB_LINE, X_V2, X_V2_TAB, X, second_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _preview(page: Any) -> str:
    page.select_option("#id_kind", "employee")
    page.select_option("#id_origin", "out_of_province")
    page.check("#id_returnee")
    page.select_option("#id_stay_risk", "封控区")
    page.fill("#id_stay_region", "示例区")
    page.fill("#id_stay_first_day", "2022-12-10")
    page.fill("#id_stay_last_day", "2022-12-11")
    page.fill("#id_arrived_at", "2022-12-12T09:00")
    page.click("#upload-preview-form button[type=submit]")
    page.locator("#in-force-preview").wait_for()
    return page.locator("#upload-preview").inner_text()


def test_upload_fix_preview_publish_by_a_second_admin_and_adopt(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world = build_world()
    second_admin(world.park_a)
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    _login(page, live_server.url, "park_a_admin")
    page.click("text=上传、发布规则包")  # from the park admin's home
    page.fill("#id_text", X_V2_TAB)
    page.click("#upload-form button[type=submit]")
    errors = page.locator("#draft-result").inner_text()
    assert f"第 {TAB_LINE} 行" in errors and E.ERR_YAML_TAB in errors
    assert not UploadedPack.objects.exists()
    page.fill("#id_text", X_V2)
    page.click("#upload-form button[type=submit]")
    page.locator("#status").wait_for()
    assert page.locator("#status").inner_text() == "草稿，不生效"
    assert "修改规则 [X-1.1]" in page.locator("#diff").inner_text()
    text = _preview(page)
    assert "草稿，不生效" in text and "12-12 至 12-21" in text and "12-12 至 12-18" in text
    page.screenshot(path=str(artifacts / "pack-upload-preview-1280.png"), full_page=True)
    page.click("button[value=propose]")
    page.locator("text=已由您提请").wait_for()
    context.close()

    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    _login(page, live_server.url, "park_a_admin2")
    upload = UploadedPack.objects.get()
    page.goto(f"{live_server.url}/park/{world.park_a.pk}/packs/uploads/{upload.pk}/")
    page.click("button[value=publish]")
    page.locator("#digest").wait_for()
    upload.refresh_from_db()
    assert not upload.is_draft and page.locator("#digest").inner_text() == upload.digest
    assert "park_a_admin" in page.locator("#publication").inner_text()
    page.click("text=去采用、设定参数")
    page.fill(f"#id_{X}-promptly_report_hours", "8")
    page.locator("form", has=page.locator(f"input[name=pack_id][value='{X}']")).locator(
        "button[value=adopt]"
    ).click()
    page.locator("text=已采用").first.wait_for()
    assert PackAdoption.objects.get(pack_id=X).params == {"promptly_report_hours": 8}
    context.close()


def test_the_draft_preview_at_phone_size(live_server: Any, browser: Any, artifacts: Path) -> None:
    world = build_world()
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    _login(page, live_server.url, "park_a_admin")
    page.goto(f"{live_server.url}/park/{world.park_a.pk}/packs/draft/")
    page.fill("#id_text", X_V2)
    page.click("#upload-form button[type=submit]")
    page.locator("#status").wait_for()
    text = _preview(page)
    assert "12-12 至 12-21" in text
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    page.screenshot(path=str(artifacts / "pack-upload-preview-390.png"), full_page=True)
    context.close()
