"""Excel exports of the freight and disinfection ledgers (issue 15 gap b): the layout
inspectors read, masked names, no pick-up codes, no cell that runs as a formula, audited,
and nothing for outsiders."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.logistics import exporting
from parkguard.logistics.models import CrewMember, Parcel, TransportPass, TruckDeclaration
from parkguard.supplies.exporting import DISINFECTION_HEADER
from parkguard.supplies.models import DisinfectionArea, DisinfectionTask
from tests.factories import TODAY, World

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)


def sheets(body: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.fixture
def ledgers(world: World) -> World:
    truck = TruckDeclaration.objects.create(
        enterprise=world.a1, declared_by="carrier", plate="渝A12345", planned_arrival=NOW,
        route="=HYPERLINK(\"http://evil\")", travel_history="重庆", submitted_at=NOW,
    )  # fmt: skip
    CrewMember.objects.create(
        declaration=truck, name="张三丰", id_digest="d" * 64, id_cipher="", id_masked="450***1234",
        phone="13912345678",
    )  # fmt: skip
    TransportPass.objects.create(
        enterprise=world.a1, plate="渝A12345", route="园区—主城", purpose="+生产物资",
        valid_from=TODAY, valid_until=TODAY, state="applied", nonce="n1", applied_at=NOW,
    )  # fmt: skip
    Parcel.objects.create(
        enterprise=world.a1, addressee=world.a1_person, kind="parcel", arrived_at=NOW,
        code="246810", note="-2+3",
    )  # fmt: skip
    area = DisinfectionArea.objects.create(enterprise=world.a1, name="一车间", kind="生产区")
    DisinfectionTask.objects.create(area=area, on=TODAY, slot="日常消毒", note="@SUM(1)")
    return world


def test_the_truck_ledger_is_masked_neutralised_and_audited(
    ledgers: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("a1_officer").get(f"/logistics/enterprises/{ledgers.a1.pk}/trucks/export/")
    assert response.status_code == 200
    book = sheets(response.content)
    trucks, crew = book["货车"], book["司乘人员"]
    assert trucks[1] == exporting.TRUCK_HEADER and crew[0] == exporting.CREW_HEADER
    assert trucks[2][3] == '\'=HYPERLINK("http://evil")'
    assert crew[1][1] == "张**" and crew[1][3] != "13912345678" and "张三丰" not in str(book)
    assert AuditEvent.objects.filter(action="logistics.trucks.export").count() == 1


def test_the_pass_and_parcel_ledgers(
    ledgers: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    passes = sheets(client.get(f"/logistics/enterprises/{ledgers.a1.pk}/passes/export/").content)
    [rows] = passes.values()
    assert rows[1] == exporting.PASS_HEADER and rows[2][2] == "'+生产物资"
    parcels = sheets(client.get(f"/logistics/enterprises/{ledgers.a1.pk}/parcels/export/").content)
    [rows] = parcels.values()
    assert rows[1] == exporting.PARCEL_HEADER and rows[2][3] == "'-2+3"
    assert "246810" not in str(rows) and ledgers.a1_person.name not in str(rows)
    assert AuditEvent.objects.filter(action="logistics.parcels.export").count() == 1


def test_the_disinfection_record(ledgers: World, client_as: Callable[[str | None], Client]) -> None:
    client = client_as("a1_officer")
    url = f"/supplies/enterprises/{ledgers.a1.pk}/disinfection/export/"
    day = TODAY.isoformat()
    [rows] = sheets(client.get(f"{url}?start={day}&end={day}").content).values()
    assert rows[1] == DISINFECTION_HEADER
    assert rows[2][:3] == [day, "日常消毒", "一车间"] and rows[2][7] == "未完成"
    assert rows[2][9] == "'@SUM(1)"
    bad = client.get(f"{url}?start={day}&end=2022-01-01")
    assert bad.status_code == 400 and "结束不早于开始" in bad.content.decode()


@pytest.mark.parametrize("persona", ["a2_officer", "park_b_admin", "a1_employee"])
def test_outsiders_get_nothing(
    ledgers: World, client_as: Callable[[str | None], Client], persona: str
) -> None:
    client = client_as(persona)
    for path in ("trucks/export/", "passes/export/", "parcels/export/"):
        response = client.get(f"/logistics/enterprises/{ledgers.a1.pk}/{path}")
        assert response.status_code in (403, 404)
    assert not AuditEvent.objects.filter(action__endswith=".export").exists()
