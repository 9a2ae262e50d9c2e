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
PARK_PLAN = DEMO_PLAN.with_name("park_siteplan.svg")


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
        park=world.park_a, svg=PARK_PLAN.read_text(encoding="utf-8"), uploaded_at=now
    )
    for name, block, zone, iso, x, y, region in (
        ("园区主干道", "public_space", "green", False, 50.0, 50.0, "main-road"),
        ("园区隔离点", "living", "red", True, 85.0, 20.0, ""),
    ):
        Area.objects.create(
            park=world.park_a, name=name, block=block, capacity=10, zone=zone,
            is_isolation=iso, created_at=now, plan_x=x, plan_y=y, plan_region=region,
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
        # The main road is bound to the plan's group `main-road`: both of its rects are
        # filled green (a region); the isolation point stays a red point.
        roads = page.evaluate(FILLED, ["#siteplan-map", list(GREEN)])
        assert len(roads) == 2, roads
        assert len(page.evaluate(FILLED, ["#siteplan-map", list(RED)])) == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"park_plan_{width}.png"), full_page=True)
    finally:
        context.close()


RED = ("#c62828", "rgb(198,40,40)")
GREEN = ("#2e7d32", "rgb(46,125,50)")
# The boxes, in page pixels, of the map's shapes filled in a colour.
FILLED = """([holder, colours]) => Array.from(document.querySelectorAll(holder + ' svg path'))
  .filter(p => colours.includes((p.getAttribute('fill') || '').replace(/\\s/g, '').toLowerCase()))
  .map(p => { const b = p.getBoundingClientRect();
    return {x: b.x, y: b.y, w: b.width, h: b.height}; })"""


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_tapped_point_is_drawn_where_the_plan_was_tapped(
    live_server: Any, browser: Any, artifacts: Path, size: tuple[int, int]
) -> None:
    """The demo plan's viewBox (400×250) is not its width and height (800×500): ECharts' map
    coordinates are the latter, so the point is drawn where the tap landed, not above it."""
    world = build_world()
    Area.objects.create(
        enterprise=world.a1, name="临时隔离点", block="living", capacity=4, zone="red",
        is_isolation=True, created_at=timezone.now(),
    )  # fmt: skip
    SitePlan.objects.create(
        enterprise=world.a1, svg=DEMO_PLAN.read_text(encoding="utf-8"), uploaded_at=timezone.now()
    )
    width, height = size
    phone = width < 600
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": height}, is_mobile=phone,
        has_touch=phone,
    )  # fmt: skip
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_officer")
        page.goto(f"{live_server.url}/response/enterprises/{world.a1.pk}/plan/")
        chart = page.locator("#siteplan-map[data-ready='1']")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.25)
        page.wait_for_load_state()
        expect(page.get_by_text("已标注区块位置")).to_be_visible()
        area = Area.objects.get(enterprise=world.a1, name="临时隔离点")
        assert area.plan_x is not None and abs(area.plan_x - 50) < 1
        assert area.plan_y is not None and abs(area.plan_y - 25) < 1
        chart = page.locator("#siteplan-map[data-ready='1']")
        expect(chart.locator("svg text", has_text="临时隔离点 0")).to_have_count(1)
        box = chart.bounding_box()
        assert box is not None
        marks = page.evaluate(FILLED, ["#siteplan-map", list(RED)])
        assert len(marks) == 1, marks
        mark = marks[0]
        centre = (mark["x"] + mark["w"] / 2, mark["y"] + mark["h"] / 2)
        tapped = (box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.25)
        # Within a couple of pixels (the stored place is rounded to 0.01 %).
        assert abs(centre[0] - tapped[0]) < 3 and abs(centre[1] - tapped[1]) < 3, (centre, tapped)
        page.screenshot(path=str(artifacts / f"site_plan_tap_{width}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_bound_areas_are_drawn_as_regions_in_their_zone_colour(
    live_server: Any, browser: Any, artifacts: Path, size: tuple[int, int]
) -> None:
    world = build_world()
    now = timezone.now()
    SitePlan.objects.create(
        enterprise=world.a1, svg=DEMO_PLAN.read_text(encoding="utf-8"), uploaded_at=now
    )
    isolation = Area.objects.create(
        enterprise=world.a1, name="临时隔离点", block="living", capacity=4, zone="red",
        is_isolation=True, created_at=now,
    )  # fmt: skip
    Area.objects.create(
        enterprise=world.a1, name="办公楼", block="production", capacity=40, zone="green",
        created_at=now, plan_x=10.0, plan_y=10.0,
    )  # fmt: skip
    width, height = size
    phone = width < 600
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": height}, is_mobile=phone,
        has_touch=phone,
    )  # fmt: skip
    page = context.new_page()
    try:
        _login(page, live_server.url, "a1_officer")
        page.goto(f"{live_server.url}/response/enterprises/{world.a1.pk}/plan/")
        # The officer chooses the area and one of the plan's element ids.
        page.select_option("#id_bind_area", label="临时隔离点")
        page.select_option("#id_bind_region", value="isolation")
        page.get_by_role("button", name="保存区域").click()
        expect(page.get_by_text("已将区块绑定到平面图区域")).to_be_visible()
        isolation.refresh_from_db()
        assert isolation.plan_region == "isolation"
        chart = page.locator("#siteplan-map[data-ready='1']")
        expect(chart.locator("svg text", has_text="临时隔离点 0")).to_have_count(1)
        expect(chart.locator("svg text", has_text="办公楼 0")).to_have_count(1)
        box = chart.bounding_box()
        assert box is not None
        # The region is the plan's rect (x 250–330, y 170–230 of 400×250), filled red.
        regions = page.evaluate(FILLED, ["#siteplan-map", list(RED)])
        assert len(regions) == 1, regions
        r = regions[0]
        expected = (0.625, 0.68, 0.2, 0.24)
        got = (
            (r["x"] - box["x"]) / box["width"], (r["y"] - box["y"]) / box["height"],
            r["w"] / box["width"], r["h"] / box["height"],
        )  # fmt: skip
        assert all(abs(g - e) < 0.02 for g, e in zip(got, expected, strict=True)), got
        # The unbound area stays a point, in green.
        points = page.evaluate(FILLED, ["#siteplan-map", list(GREEN)])
        assert len(points) == 1 and points[0]["w"] < 24, points
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"site_plan_regions_{width}.png"), full_page=True)
    finally:
        context.close()
