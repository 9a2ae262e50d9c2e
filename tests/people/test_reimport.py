"""Import preview and re-import of an edited export (issue 9 §3; Z-5.2a, J-2.1).

The preview lists what will change (new people; for updates each field old → new, masked),
its counts agree with the confirm, a bad file comes back as a workbook with its bad cells
marked, and an exported workbook re-imports by its row keys (no clear ID needed).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import xlsxwriter
from django.test import Client
from python_calamine import CalamineWorkbook

from parkguard.people.choices import ImportStatus
from parkguard.people.identity import id_decrypt, phone_mask
from parkguard.people.importing import messages
from parkguard.people.models import Person
from parkguard.people.rowkeys import row_key, row_key_read
from tests.factories import World
from tests.people import sheets as build
from tests.people.sheets import person_id, row
from tests.people.uploads import ledger_upload

Clients = Callable[[str | None], Client]


def _rows(data: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _xlsx(rows: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("人员台账")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write_string(r, c, "" if value is None else str(value))
    book.close()
    return buffer.getvalue()


def test_row_keys_are_opaque_and_unforgeable() -> None:
    key = row_key(enterprise_id=3, person_id=41)
    assert row_key_read(key) == (3, 41)
    assert row_key_read(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert row_key_read("r1.3-15.xxxx") is None
    assert row_key_read("") is None


def test_the_preview_lists_new_people_and_changed_fields_masked_and_counts_agree(
    world: World, client_as: Clients
) -> None:
    """Issue 9 §3: new people listed; an update shows each field old → new (phone masked)."""
    client = client_as("a1_officer")
    first = ledger_upload(client, world, build.xlsx([row(1), row(2)]))
    assert first.status == ImportStatus.READY
    page = client.get(f"/imports/{first.pk}/").content.decode()
    assert "员工1" in page and "员工2" in page and person_id(1) not in page
    client.post(f"/imports/{first.pk}/confirm/")
    changed = build.xlsx([row(1, phone="13912345678", post="质检员"), row(2), row(3)])
    batch = ledger_upload(client, world, changed)
    assert (batch.create_count, batch.update_count, batch.unchanged_count) == (1, 1, 1)
    update = next(c for c in batch.changes if c["action"] == "update")
    fields = {f["field"]: (f["old"], f["new"]) for f in update["fields"]}
    assert fields["岗位"] == ("操作工", "质检员")
    assert fields["手机号"] == (phone_mask(f"139{1:08d}"), phone_mask("13912345678"))
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "质检员" in page and "13912345678" not in page and person_id(1) not in page
    response = client.post(f"/imports/{batch.pk}/confirm/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.create_count, batch.update_count) == (ImportStatus.DONE, 1, 1)
    person = Person.objects.get(enterprise=world.a1, name="员工1")
    assert (person.post, person.phone) == ("质检员", "13912345678")


def test_a_bad_file_comes_back_with_its_bad_cells_marked(world: World, client_as: Clients) -> None:
    """Issue 9 §3: the error workbook fills the bad cells and comments them."""
    client = client_as("a1_officer")
    batch = ledger_upload(client, world, build.xlsx([row(1), row(2, phone="123")]))
    assert batch.status == ImportStatus.INVALID
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert f"/imports/{batch.pk}/errors/" in page
    response = client.get(f"/imports/{batch.pk}/errors/")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        comments = "".join(archive.read(n).decode() for n in names if "comments" in n)
        styles = archive.read("xl/styles.xml").decode()
    assert "手机号码" in comments
    assert "FFC7CE" in styles.upper()
    rows = _rows(response.content)
    assert rows[0][-1] == "错误说明" and "手机号" in str(rows[2][-1])
    assert client_as("a2_officer").get(f"/imports/{batch.pk}/errors/").status_code == 404
    assert client_as("a1_leader").get(f"/imports/{batch.pk}/errors/").status_code in {403, 404}


def test_an_edited_export_reimports_by_its_row_keys(world: World, client_as: Clients) -> None:
    """Issue 9 §3: export (masked), edit a cell, re-import: only that change, no clear ID."""
    client = client_as("a1_officer")
    export = client.get(f"/enterprises/{world.a1.pk}/people/export/")
    rows = _rows(export.content)
    header = rows[2]
    name_at, post_at = header.index("姓名"), header.index("岗位")
    target = next(r for r in rows if r[name_at] == world.a1_person.name)
    target[post_at] = "保安"
    clear = id_decrypt(world.a1_person.id_encrypted)
    assert all(clear not in str(c) for r in rows for c in r)
    batch = ledger_upload(client, world, _xlsx(rows), name="导出修改.xlsx")
    assert batch.status == ImportStatus.READY, batch.errors
    assert (batch.create_count, batch.update_count) == (0, 1)
    client.post(f"/imports/{batch.pk}/confirm/")
    world.a1_person.refresh_from_db()
    world.a1_employee_person.refresh_from_db()
    assert world.a1_person.post == "保安"
    assert world.a1_person.phone == f"138{101:08d}", "the masked phone left the phone alone"
    assert id_decrypt(world.a1_person.id_encrypted) == clear


def test_a_row_key_of_another_enterprise_is_refused_and_nothing_changes(
    world: World, client_as: Clients
) -> None:
    """Issue 9 bad input: an edited export whose row key belongs to another enterprise."""
    foreign = client_as("a2_officer").get(f"/enterprises/{world.a2.pk}/people/export/")
    rows = _rows(foreign.content)
    header = rows[2]
    post_at = header.index("岗位")
    for r in rows[3:]:
        if r[header.index("姓名")]:
            r[post_at] = "被改岗位"
    before = list(Person.objects.order_by("pk").values_list("pk", "post", "enterprise_id"))
    batch = ledger_upload(client_as("a1_officer"), world, _xlsx(rows), name="别家.xlsx")
    assert batch.status == ImportStatus.INVALID
    assert {e["message"] for e in batch.errors} == {messages.ROW_KEY_OTHER_ENTERPRISE}
    assert list(Person.objects.order_by("pk").values_list("pk", "post", "enterprise_id")) == before


def test_a_tampered_row_key_is_refused(world: World, client_as: Clients) -> None:
    key = row_key(enterprise_id=world.a1.pk, person_id=world.a1_person.pk)
    bad = build.xlsx([row(5, row_key=key[:-2] + "zz")])
    batch = ledger_upload(client_as("a1_officer"), world, bad)
    assert batch.status == ImportStatus.INVALID
    assert [e["message"] for e in batch.errors] == [messages.ROW_KEY_INVALID]
