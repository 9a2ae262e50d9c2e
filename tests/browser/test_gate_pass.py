"""An employee shows the phone pass (issue 13 §2, L-3.1): from the home page at phone size;
the QR code Chromium draws is read back from the screenshot with zxing-cpp."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from django.utils import timezone

from parkguard.gate import tokens
from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_grey(data: bytes) -> memoryview:
    """A PNG screenshot (8-bit RGB or RGBA, Chromium's) as grey pixels, for zxing-cpp."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray(width * height)
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        filter_type, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if filter_type == 1:
                line[x] = (line[x] + left) & 0xFF
            elif filter_type == 2:
                line[x] = (line[x] + up) & 0xFF
            elif filter_type == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + pred) & 0xFF
        for x in range(width):
            r, g, b = line[x * channels : x * channels + 3]
            out[y * width + x] = (r * 299 + g * 587 + b * 114) // 1000
        previous = line
    return memoryview(bytes(out)).cast("B", (height, width))


def test_an_employee_shows_the_pass_on_a_phone_and_it_scans(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world = build_world()
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_employee")
        page.click("text=我的通行码")
        page.locator("[data-testid=pass] svg").wait_for()
        text = page.locator("[data-testid=pass]").inner_text()
        assert "甲***" in text and "可通行" in text
        assert world.a1_employee_person.name not in page.content()
        shot = page.locator("[data-testid=pass] .pass-qr").screenshot()
        page.screenshot(path=str(artifacts / "gate-pass-phone.png"), full_page=True)
    finally:
        context.close()
    found = zxingcpp.read_barcode(png_grey(shot))
    assert found is not None, "the pass's QR code does not scan"
    read = tokens.code_read(found.text, at=timezone.now())
    assert read.kind == "phone" and read.person_id == world.a1_employee_person.pk
