"""On a phone: the officer samples a pool with a barcode typed as a USB scanner does (the code,
then Enter), and an employee reports an antigen self-test with a photo (issue 11 §4; Z-5.2b)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from parkguard.orgs.access import scope_for_user
from parkguard.rules.models import PackAdoption
from parkguard.sampling.choices import RoundGroup, RoundKind, SampleKind
from parkguard.sampling.models import Sample
from parkguard.sampling.services import round_plan
from parkguard.status.models import PersonStatus
from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


def test_an_officer_samples_a_pool_with_a_scanner_on_a_phone(
    live_server: Any, browser: Any, artifacts: Any
) -> None:
    world = build_world()
    PackAdoption.objects.create(
        jurisdiction=world.park_a,
        pack_id="zhengyang-2022-20",
        adopted_at=dt.datetime(2022, 11, 1, tzinfo=dt.UTC),
    )
    officer = world.users["a1_officer"]
    rnd = round_plan(
        scope=scope_for_user(officer),
        enterprise=world.a1,
        name="全员核酸",
        on=dt.date.today(),
        kind=RoundKind.FULL,
        group=RoundGroup.ALL,
        pool_size=10,
        at=dt.datetime.now(dt.UTC),
        by=officer,
    )
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_officer")
        page.click("text=核酸检测")
        page.click(f"text={rnd.name}")
        page.click("text=开始采样")
        # The barcode field has the focus when the screen opens, ready for the scanner.
        # (Waits for the new page: the click returns before the navigation lands.)
        expect(page.locator("#id_barcode")).to_be_focused()
        for box in page.locator("#take-form input[type=checkbox]").all():
            box.check()
        # Back to the field; the scanner types the code and ends with Enter.
        page.click("#id_barcode")
        page.keyboard.type("SCAN-0001")
        page.screenshot(path=str(artifacts / "sampling-take-phone.png"), full_page=True)
        page.keyboard.press("Enter")
        page.get_by_text("已登记 混管 SCAN-0001").wait_for()
    finally:
        context.close()
    tube = Sample.objects.get(barcode="SCAN-0001")
    assert tube.kind == SampleKind.POOL and tube.members.count() == 2
    assert PersonStatus.objects.get(pk=world.a1_person.pk).pending_results == 1


def test_an_employee_reports_an_antigen_test_on_a_phone(
    live_server: Any, browser: Any, artifacts: Any, tmp_path: Any
) -> None:
    world = build_world()
    photo = tmp_path / "antigen.png"
    photo.write_bytes(PNG)
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_employee")
        page.click("text=上报抗原自测")
        page.check("#id_result_0")
        page.set_input_files("#id_photo", str(photo))
        page.screenshot(path=str(artifacts / "sampling-antigen-phone.png"), full_page=True)
        page.click("form.card button[type=submit]")
        page.locator("#my-results").wait_for()
        assert "抗原自测" in page.locator("#my-results").inner_text()
    finally:
        context.close()
    sample = Sample.objects.get(kind=SampleKind.ANTIGEN)
    assert list(sample.members.all()) == [world.a1_employee_person]
    assert sample.photo.content_type == "image/png"
