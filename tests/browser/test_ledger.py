"""The ledger as officers really use it, in a browser at desk and phone size (issue 9).

"Done when": an officer imports a real-looking 3,000-row roster using only what the pages
show (the template's drop-down lists), finds people by full ID, last six digits and phone,
answers a pasted 协查 list, re-imports an edited export, and the liaison's roster works; at
1280x800 and 390x844, nothing overflows the phone's width. Z-5.2a, B-2.2, J-2.1.
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import OrgUnitKind
from parkguard.orgs.services import org_unit_save
from parkguard.people.columns import COLUMNS
from parkguard.people.identity import id_decrypt
from parkguard.people.models import Person
from tests.browser.sessions import login
from tests.factories import World, build_world
from tests.people.sheets import person_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"desk": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
ROWS = 3000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _context(browser: Any, size: str) -> Any:
    phone = size == "phone"
    return browser.new_context(
        locale="zh-CN", viewport=SIZES[size], is_mobile=phone, has_touch=phone
    )


def _nav(page: Any, size: str, label: str) -> None:
    if size == "phone":
        page.click("header .nav-button")
    page.click(f"header nav >> text={label}")


def _fits(page: Any, size: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"{page.url} is {width}px wide"


def _roster_from_template(template: bytes) -> bytes:
    """3,000 real-looking rows filled only from the template's own lists (可选值)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(template))
    options = book.get_sheet_by_name("可选值").to_python()
    units = [r[0] for r in options[1:] if r and r[0]]
    communities = [r[1] for r in options[1:] if len(r) > 1 and r[1]]
    rng = random.Random(9)
    buffer = io.BytesIO()
    out = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = out.add_worksheet("人员台账")
    sheet.write_row(0, 0, [c.header + ("*" if c.required else "") for c in COLUMNS])
    for n in range(1, ROWS + 1):
        values = {
            "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
            "id_number": person_id(5000 + n),
            "phone": f"13{rng.randrange(5, 10)}{n:08d}",
            "category": "正式员工",
            "org_unit": rng.choice(units),
            "post": rng.choice(["操作工", "质检员", "保安", "保洁", "仓管员"]),
            "home_community": rng.choice(communities),
            "vaccination_doses": str(rng.randrange(0, 4)),
            "joined_on": f"2021-0{rng.randrange(1, 10)}-{rng.randrange(10, 28)}",
        }
        for col, column in enumerate(COLUMNS):
            sheet.write_string(n, col, values.get(column.key, ""))
    out.close()
    return buffer.getvalue()


def _world() -> World:
    world = build_world()
    shop = org_unit_save(
        scope=SYSTEM,
        enterprise=world.a1,
        parent=world.a1_unit,
        kind=OrgUnitKind.WORKSHOP,
        name="一车间",
    )
    org_unit_save(
        scope=SYSTEM, enterprise=world.a1, parent=shop, kind=OrgUnitKind.TEAM, name="甲班"
    )
    return world


@pytest.mark.parametrize("size", list(SIZES))
def test_an_officer_imports_finds_and_answers_a_lookup(
    live_server: Any, browser: Any, artifacts: Path, tmp_path: Path, size: str
) -> None:
    world = _world()
    base = live_server.url
    context = _context(browser, size)
    page = context.new_page()
    try:
        login(page, base, "a1_officer")
        _nav(page, size, "人员台账")
        page.wait_for_url(f"**/enterprises/{world.a1.pk}/people/")
        _fits(page, size)
        page.click("text=导入 Excel/CSV")
        with page.expect_download() as download:
            page.click("text=下载导入模板")
        template = Path(download.value.path()).read_bytes()
        upload = tmp_path / "花名册.xlsx"
        upload.write_bytes(_roster_from_template(template))
        page.set_input_files("input[type=file]", str(upload))
        page.click("text=上传并预览")
        page.wait_for_url("**/imports/*/")
        assert "确认后将发生的变更" in page.content()
        _fits(page, size)
        page.screenshot(path=str(artifacts / f"import_preview_{size}.png"), full_page=False)
        page.click("text=确认导入")
        page.wait_for_selector("text=已导入：新增 3000 人")
        assert Person.objects.filter(enterprise=world.a1).count() == ROWS + 2

        target = Person.objects.filter(enterprise=world.a1).order_by("-pk").first()
        assert target is not None
        number = id_decrypt(target.id_encrypted)
        page.goto(f"{base}/enterprises/{world.a1.pk}/people/")
        page.fill("input[name=q]", number[-6:])
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#ledger-table >> text={target.name}")
        assert number not in page.url
        _fits(page, size)
        page.screenshot(path=str(artifacts / f"ledger_{size}.png"), full_page=False)
        for value in (number, target.phone):
            page.goto(f"{base}/enterprises/{world.a1.pk}/people/")
            page.fill("#ledger-find input[name=id_number]", value)
            page.click("#ledger-find button[type=submit]")
            page.wait_for_url(f"**/people/{target.pk}/")
            assert value not in page.url
            assert target.name in page.content()

        page.goto(f"{base}/people/")
        page.click("text=协查（批量查身份证号）")
        page.fill("textarea[name=numbers]", f"{number}\n{number}\n12345\n{person_id(99999)}")
        page.click("#lookup-form button[type=submit]")
        page.wait_for_selector("#lookup-result")
        result = page.locator("#lookup-result").inner_text()
        assert target.name in result and "与第 1 行重复" in result and number not in result
        _fits(page, size)
    finally:
        context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_liaison_searches_the_roster_and_reveals_a_phone(
    live_server: Any, browser: Any, artifacts: Path, size: str
) -> None:
    world = _world()
    base = live_server.url
    context = _context(browser, size)
    page = context.new_page()
    try:
        login(page, base, "liaison_a")
        _nav(page, size, "人员台账")
        page.wait_for_url("**/roster/**")
        page.fill("input[name=q]", world.a1_person.name_initials)
        page.click("#roster-filters button[type=submit]")
        page.wait_for_selector(f"text={world.a1_person.name}")
        _fits(page, size)
        page.click(f"#phone-{world.a1_person.pk} summary")
        page.fill(f"#phone-reason-{world.a1_person.pk}", "核实密接人员行程")
        page.click(f"#phone-{world.a1_person.pk} button[type=submit]")
        page.wait_for_selector(f"#phone-{world.a1_person.pk} >> text={world.a1_person.phone}")
        page.screenshot(path=str(artifacts / f"roster_{size}.png"), full_page=False)
        with page.expect_download() as download:
            page.click("text=导出 Excel（脱敏）")
        assert download.value.suggested_filename.endswith(".xlsx")
        page.goto(f"{base}/no-such-page/")
        assert "页面不存在" in page.content()
        page.click("text=首页")
        _fits(page, size)
    finally:
        context.close()
