"""On a phone: an employee opens 我的信息 from their home page, sees who looked at their
file and why, and asks for a correction; the officer answers it (issue 18 §4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parkguard.orgs.access import scope_for_user
from parkguard.people.services import person_id_reveal
from tests.browser.sessions import PHONE, phone_login
from tests.factories import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_employee_sees_who_looked_and_asks_for_a_correction_on_a_phone(
    live_server: Any, browser: Any, artifacts: Path
) -> None:
    world: World = build_world()
    officer = world.users["a1_officer"]
    person_id_reveal(
        scope=scope_for_user(officer),
        person=world.a1_employee_person,
        actor=officer,
        reason="核对返岗人员身份",
        at=dt.datetime.now(dt.UTC),
    )
    base = live_server.url
    page = phone_login(browser, base, "a1_employee")
    page.click("text=我的信息")
    expect(page.locator("h1")).to_contain_text("我的信息")
    expect(page.locator("body")).to_contain_text("核对返岗人员身份")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "privacy_me_phone.png"), full_page=True)
    page.click("text=信息有误，申请更正")
    page.select_option("#id_field", "address")
    page.fill("#id_text", "宿舍已调到 5 号楼 201")
    page.click("text=提交申请")
    expect(page.locator("body")).to_contain_text("宿舍已调到 5 号楼 201")
    expect(page.locator("body")).to_contain_text("待答复")
    page.context.close()

    page = phone_login(browser, base, "a1_officer")
    page.goto(f"{base}/privacy/enterprises/{world.a1.pk}/corrections/")
    page.click(f"text={world.a1_employee_person.name}")
    page.check("input[value=corrected]")
    page.fill("#id_answer", "已更新为 5 号楼 201")
    page.click("text=提交答复")
    expect(page.locator("body")).to_contain_text("已答复")
    page.context.close()
