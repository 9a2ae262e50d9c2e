"""An officer on a phone uploads a site plan and places an area by tapping on it; the marker
appears in the area's zone colour with its head count, and the page breaks no CSP (Z-5.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parkguard.response.models import Area, SitePlan
from tests.browser.sessions import login as _login
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PLAN = Path(__file__).resolve().parents[2] / "parkguard" / "demo" / "siteplan.svg"


def test_the_officer_places_an_area_on_the_site_plan(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world = build_world()
    area = Area.objects.create(
        enterprise=world.a1,
        name="临时隔离点",
        block="living",
        capacity=4,
        zone="red",
        is_isolation=True,
        created_at=timezone.now(),
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_officer")
        page.goto(f"{live_server.url}/response/enterprises/{world.a1.pk}/")
        page.get_by_role("link", name="厂区平面图").click()
        page.wait_for_url("**/plan/")
        page.set_input_files("#id_svg", str(DEMO_PLAN))
        page.get_by_role("button", name="上传").click()
        # The plan is drawn as an ECharts SVG map; the no-JS image with pins is hidden.
        chart = page.locator("#siteplan-map[data-ready='1']")
        expect(chart).to_be_visible()
        expect(chart.locator("svg").first).to_be_visible()
        expect(page.locator("#siteplan")).to_be_hidden()
        expect(chart).to_have_class("siteplan-map placing")
        box = chart.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.25)
        page.wait_for_load_state()
        drawn = page.locator("#siteplan-map[data-ready='1'] svg text", has_text="临时隔离点 0")
        expect(drawn).to_have_count(1)
        area.refresh_from_db()
        assert area.plan_x is not None and abs(area.plan_x - 50) < 2
        assert area.plan_y is not None and abs(area.plan_y - 25) < 2
        # The no-JS markup is still there, its pin in the zone colour.
        expect(page.locator("#siteplan .pin")).to_have_class("pin zone zone-red")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "site_plan_phone.png"), full_page=True)
    finally:
        context.close()


def test_the_officer_links_two_blocks_and_the_plan_draws_the_junction(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world = build_world()
    now = timezone.now()
    for name, block, zone, iso, x, y in (
        ("一号车间", "production", "green", False, 30.0, 40.0),
        ("临时隔离点", "living", "red", True, 75.0, 70.0),
    ):
        Area.objects.create(
            enterprise=world.a1,
            name=name,
            block=block,
            capacity=10,
            zone=zone,
            is_isolation=iso,
            created_at=now,
            plan_x=x,
            plan_y=y,
        )
    SitePlan.objects.create(
        enterprise=world.a1, svg=DEMO_PLAN.read_text(encoding="utf-8"), uploaded_at=now
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_officer")
        page.goto(f"{live_server.url}/response/enterprises/{world.a1.pk}/")
        page.select_option("#id_from_area", label="一号车间")
        page.select_option("#id_to_area", label="临时隔离点")
        page.select_option("#id_kind", label="单向通道")
        page.get_by_label("有人值守或门禁管控").check()
        page.get_by_role("button", name="添加接合部").click()
        expect(page.get_by_text("已添加接合部")).to_be_visible()
        expect(page.locator("#junctions")).to_contain_text(
            "一号车间 → 临时隔离点 · 单向通道 · 有管控"
        )
        page.get_by_role("link", name="厂区平面图").first.click()
        page.wait_for_url("**/plan/")
        chart = page.locator("#siteplan-map[data-ready='1']")
        expect(chart.locator("svg text", has_text="一号车间 0")).to_have_count(1)
        expect(chart.locator("svg text", has_text="临时隔离点 0")).to_have_count(1)
        # The junction is in the no-JS markup too (hidden once the map is drawn).
        line = page.locator("#siteplan svg.junctions line")
        expect(line).to_have_count(1)
        expect(line).to_have_class("junction-one_way controlled")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "site_plan_junction_phone.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_park_plan_is_drawn_as_a_map_with_the_parks_zones(
    live_server: Any, browser: Any, artifacts: Path, size: tuple[int, int]
) -> None:
    world = build_world()
    now = timezone.now()
    SitePlan.objects.create(
        park=world.park_a, svg=DEMO_PLAN.read_text(encoding="utf-8"), uploaded_at=now
    )
    for name, block, zone, iso, x, y in (
        ("园区主干道", "public_space", "green", False, 50.0, 50.0),
        ("园区隔离点", "living", "red", True, 85.0, 20.0),
    ):
        Area.objects.create(
            park=world.park_a, name=name, block=block, capacity=10, zone=zone,
            is_isolation=iso, created_at=now, plan_x=x, plan_y=y,
        )  # fmt: skip
    width, height = size
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        _login(page, live_server.url, "park_a_admin")
        page.goto(f"{live_server.url}/park/{world.park_a.pk}/")
        page.get_by_role("link", name="园区分区与平面图").click()
        page.get_by_role("link", name="园区平面图（按分区着色、显示在区人数）").click()
        chart = page.locator("#siteplan-map[data-ready='1']")
        expect(chart.locator("svg text", has_text="园区主干道 0")).to_have_count(1)
        expect(chart.locator("svg text", has_text="园区隔离点 0")).to_have_count(1)
        expect(page.locator("#siteplan")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"park_plan_{width}.png"), full_page=True)
    finally:
        context.close()
