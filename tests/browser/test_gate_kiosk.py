"""A guard works the kiosk on a tablet (issue 13 §3, Z-5.2e): a USB scanner (keyboard wedge)
to a green and a red answer, a network drop queued and replayed, and a real camera scan
through Chromium's fake video capture fed a QR code made in the test."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from parkguard.gate import tokens
from parkguard.gate.models import AccessCheck
from parkguard.gate.services import gate_create
from parkguard.orgs.access import SYSTEM
from parkguard.status.services import status_results_record
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, watch_csp
from tests.browser.sessions import login as _login
from tests.factories import World, adopt, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 800, "height": 1280}


def browser_path() -> str:
    return CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))


def _setup() -> tuple[World, Any]:
    world = build_world()
    adopt(world.park_a, "zhengyang-2022-20", entry_test_hours=48)
    now = timezone.now()
    gate = gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        name="甲一东门",
        place="plant_gate",
        at=now,
        by=None,
    )
    status_results_record(negatives={world.a1_person.pk: now - dt.timedelta(hours=3)}, at=now)
    return world, gate


def _prepare(page: Any) -> None:
    page.fill("#temperature", "36.5")
    for box in page.locator('input[name="steps"]').all():
        box.check()


def _wedge(page: Any, code: str) -> None:
    """A USB scanner types the code into the focused field and presses Enter."""
    page.locator("#scan").focus()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_a_guard_scans_with_a_usb_scanner_to_green_and_red_and_survives_a_drop(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world, gate = _setup()
    context = browser.new_context(locale="zh-CN", viewport=TABLET, has_touch=True)
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_guard")
        page.goto(f"{live_server.url}/gate/")
        page.click(f"a[href='/gate/gates/{gate.pk}/kiosk/']")
        _prepare(page)
        _wedge(page, tokens.phone_token(person_id=world.a1_person.pk, at=timezone.now()))
        page.locator('#answer[data-result="allowed"]').wait_for()
        assert "放行" in page.locator("#answer").inner_text()
        page.screenshot(path=str(artifacts / "gate-kiosk-green.png"))
        # No negative test within 48 hours: red, with the reason and its document.
        _wedge(page, tokens.phone_token(person_id=world.a1_employee_person.pk, at=timezone.now()))
        page.locator('#answer[data-result="refused"]').wait_for()
        text = page.locator("#answer").inner_text()
        assert "禁止通行" in text and "无48小时内的核酸检测阴性证明" in text
        assert "正阳园区管委发〔2022〕20号" in text
        page.screenshot(path=str(artifacts / "gate-kiosk-red.png"))
        # A short network drop: the check is queued with its time and replayed afterwards.
        context.set_offline(True)
        page.locator("input[name=direction][value=out]").check()
        _wedge(page, tokens.phone_token(person_id=world.a1_person.pk, at=timezone.now()))
        page.locator('#answer[data-result="queued"]').wait_for()
        assert "已暂存 1 条" in page.locator("#net").inner_text()
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        # (a locator, not wait_for_function: a string predicate is eval'd, which the CSP refuses)
        expect(page.locator("#net")).to_have_text("")
    finally:
        context.close()
    rows = list(AccessCheck.objects.order_by("id").values_list("allowed", "direction"))
    assert rows == [(True, "in"), (False, "in"), (True, "out")]


def _y4m(path: Path, data: str) -> None:
    """A short Y4M video of a QR code on white (Chromium's fake camera plays it in a loop)."""
    width, height, scale, border = 640, 480, 8, 4
    code = segno.make(data, error="m")
    matrix = [bytes(row) for row in code.matrix_iter(scale=scale, border=border)]
    top, left = (height - len(matrix)) // 2, (width - len(matrix[0])) // 2
    luma = bytearray(b"\xff" * (width * height))
    for y, row in enumerate(matrix):
        line = bytes(0 if v else 255 for v in row)
        start = (top + y) * width + left
        luma[start : start + len(line)] = line
    chroma = b"\x80" * (width * height // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * 10)


def test_a_guard_scans_a_phone_pass_with_the_camera(
    live_server: Any, browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    """The camera path: BarcodeDetector where present, else the zxing-wasm served here."""
    world, gate = _setup()
    video = tmp_path / "qr.y4m"
    _y4m(video, tokens.phone_token(person_id=world.a1_person.pk, at=timezone.now()))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # A second Chromium of the same Playwright, with a camera that plays the video.
    camera = browser.browser_type.launch(executable_path=browser_path(), headless=True, args=args)
    context = watch_csp(camera.new_context(locale="zh-CN", viewport=TABLET, permissions=["camera"]))
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_guard")
        page.goto(f"{live_server.url}/gate/gates/{gate.pk}/kiosk/")
        _prepare(page)
        page.click("#camera")
        page.locator('#answer[data-result="allowed"]').wait_for(timeout=30_000)
        page.screenshot(path=str(artifacts / "gate-kiosk-camera.png"))
    finally:
        context.close()
        camera.close()
    assert AccessCheck.objects.filter(allowed=True, method="phone_pass").count() >= 1
