"""The protective-supplies ledger (H-4.1, Z-5.3e): receipts, issues to units, replacement by
expiry, disposal; days of cover against the park's minimum; low-stock alerts that clear."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from python_calamine import CalamineWorkbook

from parkguard.notify.models import Message
from parkguard.orgs.access import Scope, scope_for_user
from parkguard.supplies import services
from parkguard.supplies.models import LowStockAlert, StockMove, SupplyItem
from parkguard.supplies.selectors import cover_days
from tests.factories import World
from tests.supplies.conftest import AT, BASIS

pytestmark = pytest.mark.django_db


def _officer(world: World) -> Scope:
    return scope_for_user(world.users["a1_officer"])


def test_it_counts_receipts_and_issues_h41(supplies_world: World, masks: SupplyItem) -> None:
    """H-4.1 统一管理、统一发放: stock rises on a receipt and falls on an issue to a unit."""
    scope, by = _officer(supplies_world), supplies_world.users["a1_officer"]
    services.stock_receive(
        scope=scope, item=masks, quantity=500, expires_on=dt.date(2024, 1, 1), at=AT, by=by
    )
    move = services.stock_issue(
        scope=scope, item=masks, quantity=70, org_unit=supplies_world.a1_unit, at=AT, by=by
    )
    masks.refresh_from_db()
    assert masks.on_hand == 430 and move.balance == 430
    assert masks.expires_on == dt.date(2024, 1, 1)
    # The usage rate is the issues of the window (70 over 7 days = 10 a day): 43 days.
    assert cover_days(item=masks, at=AT) == 43


def test_it_refuses_an_issue_larger_than_the_stock(
    supplies_world: World, masks: SupplyItem
) -> None:
    scope, by = _officer(supplies_world), supplies_world.users["a1_officer"]
    services.stock_receive(scope=scope, item=masks, quantity=20, at=AT, by=by)
    with pytest.raises(ValidationError) as caught:
        services.stock_issue(
            scope=scope, item=masks, quantity=21, org_unit=supplies_world.a1_unit, at=AT, by=by
        )
    assert caught.value.message_dict["quantity"] == [
        services.ISSUE_EXCEEDS_STOCK.format(quantity=21, on_hand=20)
    ]
    masks.refresh_from_db()
    assert masks.on_hand == 20
    assert StockMove.objects.filter(item=masks).count() == 1


def test_it_refuses_bad_moves_and_changes_nothing(supplies_world: World, masks: SupplyItem) -> None:
    scope, by = _officer(supplies_world), supplies_world.users["a1_officer"]
    services.stock_receive(scope=scope, item=masks, quantity=20, at=AT, by=by)
    cases = [
        (lambda: services.stock_receive(scope=scope, item=masks, quantity=0, at=AT, by=by),
         "quantity", services.QUANTITY_INVALID),
        (lambda: services.stock_issue(scope=scope, item=masks, quantity=1, org_unit=None,
                                      at=AT, by=by), "org_unit", services.UNIT_REQUIRED_FOR_ISSUE),
        (lambda: services.stock_replace(scope=scope, item=masks, quantity=5, expires_on=None,
                                        at=AT, by=by), "expires_on", services.EXPIRY_REQUIRED),
        (lambda: services.stock_replace(scope=scope, item=masks, quantity=30,
                                        expires_on=dt.date(2024, 1, 1), at=AT, by=by),
         "quantity", services.REPLACE_EXCEEDS_STOCK.format(quantity=30, on_hand=20)),
        (lambda: services.stock_dispose(scope=scope, item=masks, quantity=5, note=" ",
                                        at=AT, by=by), "note", services.DISPOSAL_NOTE_REQUIRED),
        (lambda: services.stock_dispose(scope=scope, item=masks, quantity=25, note="医废",
                                        at=AT, by=by),
         "quantity", services.DISPOSE_EXCEEDS_STOCK.format(quantity=25, on_hand=20)),
    ]  # fmt: skip
    for call, field, message in cases:
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.message_dict[field] == [message]
    masks.refresh_from_db()
    assert masks.on_hand == 20 and masks.expires_on is None
    assert StockMove.objects.filter(item=masks).count() == 1


def test_it_refuses_an_issue_to_another_enterprises_unit(
    supplies_world: World, masks: SupplyItem
) -> None:
    from parkguard.orgs.access import SYSTEM
    from parkguard.orgs.choices import OrgUnitKind
    from parkguard.orgs.services import org_unit_save

    other = org_unit_save(
        scope=SYSTEM, enterprise=supplies_world.a2, parent=None, kind=OrgUnitKind.DEPARTMENT,
        name="甲二车间",
    )  # fmt: skip
    scope, by = _officer(supplies_world), supplies_world.users["a1_officer"]
    services.stock_receive(scope=scope, item=masks, quantity=20, at=AT, by=by)
    with pytest.raises(ValidationError) as caught:
        services.stock_issue(scope=scope, item=masks, quantity=1, org_unit=other, at=AT, by=by)
    assert caught.value.message_dict["org_unit"] == [services.UNIT_FOREIGN]
    masks.refresh_from_db()
    assert masks.on_hand == 20


def test_it_replaces_by_expiry_and_disposes_of_used_items_z53e(
    supplies_world: World, masks: SupplyItem
) -> None:
    scope, by = _officer(supplies_world), supplies_world.users["a1_officer"]
    services.stock_receive(
        scope=scope, item=masks, quantity=100, expires_on=dt.date(2022, 12, 1), at=AT, by=by
    )
    services.stock_replace(
        scope=scope, item=masks, quantity=100, expires_on=dt.date(2024, 6, 1), at=AT, by=by
    )
    masks.refresh_from_db()
    assert masks.on_hand == 100 and masks.expires_on == dt.date(2024, 6, 1)
    services.stock_dispose(
        scope=scope, item=masks, quantity=30, note="按医疗废物交有资质单位处置", at=AT, by=by
    )
    masks.refresh_from_db()
    assert masks.on_hand == 70


def test_it_alerts_low_stock_to_the_officers_and_clears_on_a_receipt(
    supplies_world: World, masks: SupplyItem
) -> None:
    """Cover below the park's minimum (7 days, with its basis) opens one alert in the
    officers' inbox; a receipt that restores cover closes it."""
    scope, by = _officer(supplies_world), supplies_world.users["a1_officer"]
    services.stock_receive(scope=scope, item=masks, quantity=100, at=AT, by=by)
    assert not LowStockAlert.objects.exists()  # 100 at 10 a day: 10 days
    services.stock_issue(
        scope=scope, item=masks, quantity=70, org_unit=supplies_world.a1_unit, at=AT, by=by
    )
    alert = LowStockAlert.objects.get(item=masks)  # 30 left at 10 a day: 3 days < 7
    assert alert.closed_at is None and alert.cover_days == 3 and alert.minimum_days == 7
    assert alert.basis == BASIS
    inbox = Message.objects.get(user=supplies_world.users["a1_officer"])
    assert inbox.title == services.LOW_TITLE.format(name=masks.name) and BASIS in inbox.body
    assert not Message.objects.filter(user=supplies_world.users["a2_officer"]).exists()
    # A second issue while the alert is open sends nothing new.
    services.stock_issue(
        scope=scope, item=masks, quantity=10, org_unit=supplies_world.a1_unit, at=AT, by=by
    )
    assert LowStockAlert.objects.filter(item=masks).count() == 1
    later = AT + dt.timedelta(hours=2)
    services.stock_receive(scope=scope, item=masks, quantity=600, at=later, by=by)
    alert.refresh_from_db()
    assert alert.closed_at == later
    titles = set(Message.objects.values_list("title", flat=True))
    assert services.CLEARED_TITLE.format(name=masks.name) in titles


def test_it_takes_the_minimum_from_a_pack_parameter_when_one_is_declared(
    supplies_world: World,
) -> None:
    """No bundled notice gives a figure (they ask for 充裕 stock), so the park's own minimum
    with its basis is used; without one there is no minimum and no alert."""
    from parkguard.supplies.models import CoverMinimum
    from parkguard.supplies.rules import cover_minimum

    found = cover_minimum(park=supplies_world.park_a, on=AT.date())
    assert found is not None and found.days == 7 and found.basis == BASIS
    CoverMinimum.objects.all().delete()
    assert cover_minimum(park=supplies_world.park_a, on=AT.date()) is None


def test_it_lets_only_officers_keep_the_ledger(supplies_world: World, masks: SupplyItem) -> None:
    from django.core.exceptions import PermissionDenied

    for persona in ("a1_guard", "a1_employee", "a2_officer", "park_a_admin"):
        with pytest.raises(PermissionDenied):
            services.stock_receive(
                scope=scope_for_user(supplies_world.users[persona]),
                item=masks,
                quantity=5,
                at=AT,
                by=None,
            )
    masks.refresh_from_db()
    assert masks.on_hand == 0


def test_it_sets_the_park_minimum_with_its_basis(supplies_world: World) -> None:
    admin = scope_for_user(supplies_world.users["park_a_admin"])
    with pytest.raises(ValidationError) as caught:
        services.cover_minimum_set(
            scope=admin, park=supplies_world.park_a, days="x", basis="", at=AT, by=None
        )
    assert caught.value.message_dict == {
        "days": [services.MINIMUM_DAYS_INVALID],
        "basis": [services.MINIMUM_BASIS_REQUIRED],
    }
    row = services.cover_minimum_set(
        scope=admin, park=supplies_world.park_a, days="10", basis="新办法 第二条", at=AT, by=None
    )
    row.refresh_from_db()
    assert row.days == 10 and row.basis == "新办法 第二条"


def test_the_pages_show_cover_and_the_park_chart(
    supplies_world: World, masks: SupplyItem, client_as: Callable[[str | None], Client]
) -> None:
    officer = client_as("a1_officer")
    response = officer.post(
        f"/supplies/enterprises/{supplies_world.a1.pk}/",
        {"form": "move", "item": masks.pk, "kind": "receipt", "quantity": "40"},
    )
    assert response.status_code == 302
    masks.refresh_from_db()
    assert masks.on_hand == 40
    response = officer.post(
        f"/supplies/enterprises/{supplies_world.a1.pk}/",
        {"form": "move", "item": masks.pk, "kind": "issue", "quantity": "41",
         "org_unit": supplies_world.a1_unit.pk},
    )  # fmt: skip
    assert response.status_code == 200
    assert services.ISSUE_EXCEEDS_STOCK.format(quantity=41, on_hand=40) in response.content.decode()
    masks.refresh_from_db()
    assert masks.on_hand == 40
    page = client_as("park_a_admin").get(f"/supplies/parks/{supplies_world.park_a.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="chart-data"' in text and "4.0 天" in text
    assert supplies_world.a1.name in text


def test_it_exports_the_ledger_to_excel(
    supplies_world: World, masks: SupplyItem, client_as: Callable[[str | None], Client]
) -> None:
    scope, by = _officer(supplies_world), supplies_world.users["a1_officer"]
    services.stock_receive(scope=scope, item=masks, quantity=40, at=AT, by=by)
    response = client_as("a1_officer").get(f"/supplies/enterprises/{supplies_world.a1.pk}/export/")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    stock = book.get_sheet_by_name("库存").to_python()
    assert stock[2][:4] == ["类别", "名称", "单位", "库存"]
    assert stock[3][1] == "医用外科口罩" and stock[3][3] == 40
    log = book.get_sheet_by_name("出入库记录").to_python()
    assert log[1][2] == "入库" and log[1][3] == 40


def test_the_api_refuses_an_issue_larger_than_the_stock(
    supplies_world: World, masks: SupplyItem, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    url = f"/api/v1/supplies/items/{masks.pk}/moves"
    assert (
        client.post(url, {"kind": "receipt", "quantity": 5}, "application/json").status_code == 201
    )
    response = client.post(
        url,
        {"kind": "issue", "quantity": 6, "org_unit_id": supplies_world.a1_unit.pk},
        "application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == services.ISSUE_EXCEEDS_STOCK.format(
        quantity=6, on_hand=5
    )
    masks.refresh_from_db()
    assert masks.on_hand == 5
    ledger = client.get(f"/api/v1/supplies/enterprises/{supplies_world.a1.pk}/ledger").json()
    assert ledger["minimum_days"] == 7 and ledger["items"][0]["cover_days"] == "0.5"
