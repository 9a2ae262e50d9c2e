"""Ledger import (issue 4, item 3): preview every bad row, all-or-nothing, idempotent.

Every kind of bad input from the issue gets its own Chinese message and writes nothing.
Requirements: Z-5.2a (every category), J-1.5c (agency, wide-contact posts), J-2.1 (rosters
stay current as status changes).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.people import sheets
from parkguard.people.choices import EmploymentStatus, ImportStatus, StaffCategory
from parkguard.people.columns import BY_KEY
from parkguard.people.identity import (
    ID_BIRTH_FUTURE,
    ID_CHECKSUM,
    ID_LENGTH,
    ID_REGION,
    PHONE_INVALID,
    id_mask,
)
from parkguard.people.importing import jobs, messages
from parkguard.people.models import EmploymentEvent, Person, PersonImport, PersonImportRow
from tests.factories import World, adopt
from tests.people import sheets as build
from tests.people.sheets import person_id, row
from tests.people.uploads import ledger_confirm, ledger_upload

Clients = Callable[[str | None], Client]


def _a1_people() -> int:
    return Person.objects.filter(enterprise__name="甲一精工有限公司").count()


def _swap_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def _future_birth() -> str:
    from stdnum.cn import ric

    body = "45022220990101123"
    return body + ric.calc_check_digit(body + "0")


def _unknown_region() -> str:
    from stdnum.cn import ric

    body = "99999919900101123"
    return body + ric.calc_check_digit(body + "0")


BAD_ROWS = [
    ("checksum", {"id_number": _swap_check_digit(person_id(5))}, "身份证号", ID_CHECKSUM),
    ("17 digits", {"id_number": person_id(5)[:17]}, "身份证号", ID_LENGTH),
    ("future birth", {"id_number": _future_birth()}, "身份证号", ID_BIRTH_FUTURE),
    ("unknown region", {"id_number": _unknown_region()}, "身份证号", ID_REGION),
    ("10-digit phone", {"phone": "1391234567"}, "手机号", PHONE_INVALID),
    (
        "unknown category",
        {"category": "合同工"},
        "人员类别",
        messages.CATEGORY_UNKNOWN.format(
            value="合同工", choices="、".join(str(x) for _, x in StaffCategory.choices)
        ),
    ),
    ("empty required cell", {"name": ""}, "姓名", messages.REQUIRED),
]


@pytest.mark.parametrize(("case", "override", "column", "message"), BAD_ROWS)
def test_it_lists_each_kind_of_bad_row_and_writes_nothing(
    world: World, client_as: Clients, case: str, override: dict[str, str], column: str, message: str
) -> None:
    """Issue 4 'Bad input': its own message, with row number and column; nothing written."""
    before = _a1_people()
    rows = [row(1), row(2), row(3, **override), row(4)]
    client = client_as("a1_officer")
    batch = ledger_upload(client, world, build.xlsx(rows))
    assert batch.status == ImportStatus.INVALID
    assert batch.errors == [{"row": 4, "column": column, "message": message}]
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "第 4 行" in page and message in page
    assert PersonImportRow.objects.count() == 0
    # Confirming a file with errors is refused, and still writes nothing.
    client.post(f"/imports/{batch.pk}/confirm/")
    assert _a1_people() == before


def test_it_gives_each_bad_input_of_the_issue_a_different_message() -> None:
    texts = [m for *_, m in BAD_ROWS] + [messages.DUPLICATE_IN_FILE, sheets.NOT_SPREADSHEET]
    assert len(set(texts)) == len(texts)


def test_it_flags_the_same_id_twice_in_one_file(world: World, client_as: Clients) -> None:
    before = _a1_people()
    batch = ledger_upload(client_as("a1_officer"), world, build.xlsx([row(1), row(2), row(1)]))
    assert batch.status == ImportStatus.INVALID
    assert batch.errors == [
        {"row": 4, "column": "身份证号", "message": messages.DUPLICATE_IN_FILE.format(row=2)}
    ]
    assert _a1_people() == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("台账.xlsx", b"%PDF-1.4 not a workbook at all"),
        ("台账.pdf", b"%PDF-1.4"),
        ("台账.xlsx", b"PK\x03\x04broken zip"),
        ("台账.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_spreadsheet(
    world: World, client_as: Clients, name: str, data: bytes
) -> None:
    before = PersonImport.objects.count()
    response = client_as("a1_officer").post(
        f"/enterprises/{world.a1.pk}/people/import/", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    assert sheets.NOT_SPREADSHEET in response.content.decode()
    assert PersonImport.objects.count() == before


def test_it_lists_every_bad_row_not_just_the_first(world: World, client_as: Clients) -> None:
    rows = [row(n, phone="123") if n % 2 else row(n) for n in range(1, 21)]
    batch = ledger_upload(client_as("a1_officer"), world, build.xlsx(rows))
    assert [e["row"] for e in batch.errors] == list(range(2, 22, 2))


def test_it_lists_several_mistakes_in_one_row(world: World, client_as: Clients) -> None:
    bad = row(1, name="", phone="1", category="无此类")
    batch = ledger_upload(client_as("a1_officer"), world, build.xlsx([bad]))
    assert [e["column"] for e in batch.errors] == ["姓名", "手机号", "人员类别"]


def test_it_refuses_a_file_missing_a_required_column(world: World, client_as: Clients) -> None:
    headers = [h for h in build.HEADERS if not h.startswith("身份证号")]
    rows = [[v for v, h in zip(row(1), build.HEADERS, strict=True) if h in headers]]
    batch = ledger_upload(client_as("a1_officer"), world, build.xlsx(rows, headers=headers))
    assert batch.errors[0]["message"] == messages.MISSING_COLUMNS.format(columns="身份证号")


def test_it_explains_an_id_number_excel_stored_as_a_number(
    world: World, client_as: Clients
) -> None:
    values = row(1)
    values[1] = float(person_id(1)[:17] + "1")
    batch = ledger_upload(client_as("a1_officer"), world, build.xlsx([values]))
    assert batch.errors == [{"row": 2, "column": "身份证号", "message": messages.ID_AS_NUMBER}]


def test_it_requires_an_agency_for_dispatched_and_outsourced_staff(
    world: World, client_as: Clients
) -> None:
    """J-1.5c: outsourced staff are managed together with their labour agency."""
    adopt(world.park_a)  # the J pack declares which categories (staff_groups.agency_managed)
    rows = [
        row(1, category="第三方外包人员"),
        row(2, category="劳务派遣人员", labour_agency="某劳务"),
    ]
    batch = ledger_upload(client_as("a1_officer"), world, build.xlsx(rows))
    assert batch.errors == [
        {"row": 2, "column": "劳务/外包单位", "message": messages.AGENCY_REQUIRED}
    ]


def test_it_imports_every_category_with_the_same_fields(world: World, client_as: Clients) -> None:
    """Z-5.2a: regular, intern, client-dispatched, labour-dispatch, outsourced, temporary."""
    client = client_as("a1_officer")
    rows = [
        row(n, category=label, labour_agency="渝才劳务")
        for n, (_, label) in enumerate(StaffCategory.choices, start=1)
    ]
    batch = ledger_confirm(client, ledger_upload(client, world, build.xlsx(rows)))
    assert batch.status == ImportStatus.DONE
    got = set(
        Person.objects.filter(enterprise=world.a1, name__startswith="员工").values_list(
            "category", flat=True
        )
    )
    assert got == set(StaffCategory.values)


def test_it_imports_then_changes_nothing_on_reimport(world: World, client_as: Clients) -> None:
    """Re-importing the same file changes nothing (idempotent)."""
    client = client_as("a1_officer")
    data = build.xlsx([row(n, org_unit="甲一生产部", home_community="甲社区") for n in range(1, 6)])
    first = ledger_confirm(client, ledger_upload(client, world, data))
    assert (first.status, first.create_count, first.update_count) == (ImportStatus.DONE, 5, 0)
    snapshot = list(Person.objects.order_by("id").values())
    events = EmploymentEvent.objects.count()
    again = ledger_upload(client, world, data)
    assert (again.create_count, again.update_count, again.unchanged_count) == (0, 0, 5)
    again = ledger_confirm(client, again)
    assert again.status == ImportStatus.DONE
    assert list(Person.objects.order_by("id").values()) == snapshot
    assert EmploymentEvent.objects.count() == events


def test_it_updates_the_person_matched_by_id_number(world: World, client_as: Clients) -> None:
    """A changed row updates the person with that ID; their status change joins the history."""
    adopt(world.park_a)  # J-1.5c: the J pack's post_groups.wide_contact names 保安
    client = client_as("a1_officer")
    ledger_confirm(client, ledger_upload(client, world, build.xlsx([row(1), row(2)])))
    person = Person.objects.get(enterprise=world.a1, name="员工1")
    changed = build.xlsx([row(1, post="保安", status="已离职", left_on="2022-10-31"), row(2)])
    batch = ledger_upload(client, world, changed)
    assert (batch.create_count, batch.update_count, batch.unchanged_count) == (0, 1, 1)
    ledger_confirm(client, batch)
    person.refresh_from_db()
    assert (person.post, person.status, str(person.left_on)) == ("保安", "left", "2022-10-31")
    assert person.wide_contact, "a security post is flagged as wide contact (J-1.5c)"
    assert Person.objects.filter(enterprise=world.a1, name="员工1").count() == 1
    last = person.employment_events.order_by("-id").first()
    assert last is not None and (last.status, str(last.on)) == ("left", "2022-10-31")


def test_it_matches_an_existing_person_added_by_hand(world: World, client_as: Clients) -> None:
    """The world's A1 person is matched by ID number, not duplicated."""
    number = _clear_id_of(world)
    client = client_as("a1_officer")
    batch = ledger_upload(client, world, build.xlsx([row(1, id_number=number, name="甲一张三")]))
    assert batch.update_count == 1
    ledger_confirm(client, batch)
    assert (
        Person.objects.filter(enterprise=world.a1, id_digest=world.a1_person.id_digest).count() == 1
    )


def _clear_id_of(world: World) -> str:
    from parkguard.people.identity import id_decrypt

    return id_decrypt(world.a1_person.id_encrypted)


def test_it_reads_csv_in_utf8_and_gbk(world: World, client_as: Clients) -> None:
    client = client_as("a1_officer")
    utf8 = ledger_upload(client, world, build.csv([row(1)]), name="台账.csv")
    gbk = ledger_upload(client, world, build.csv([row(2)], encoding="gbk"), name="台账.csv")
    assert utf8.status == gbk.status == ImportStatus.READY
    assert utf8.create_count == gbk.create_count == 1


@override_settings(IMPORT_MAX_BYTES=2048)
def test_it_refuses_a_file_over_the_size_limit_before_parsing(
    world: World, client_as: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets, "sheet_parse", _must_not_parse)
    response = client_as("a1_officer").post(
        f"/enterprises/{world.a1.pk}/people/import/",
        {"file": SimpleUploadedFile("台账.xlsx", build.xlsx([row(n) for n in range(1, 200)]))},
    )
    assert "文件大小超过上限 2 KB" in response.content.decode()
    assert PersonImport.objects.count() == 0


@override_settings(IMPORT_MAX_ROWS=10)
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_it_refuses_a_file_over_the_row_limit_before_parsing(
    world: World, client_as: Clients, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setattr(sheets, "sheet_parse", _must_not_parse)
    rows = [row(n) for n in range(1, 12)]
    data = build.xlsx(rows) if kind == "xlsx" else build.csv(rows)
    response = client_as("a1_officer").post(
        f"/enterprises/{world.a1.pk}/people/import/",
        {"file": SimpleUploadedFile(f"台账.{kind}", data)},
    )
    assert sheets.TOO_MANY_ROWS.format(limit=10) in response.content.decode()
    assert PersonImport.objects.count() == 0


def _must_not_parse(**kwargs: object) -> None:
    raise AssertionError("the file was parsed before its limits were checked")


def test_it_imports_a_3000_row_spreadsheet_and_exports_it(world: World, client_as: Clients) -> None:
    """Done-when: 3,000 real-looking rows, fix the flagged rows, confirm, export (Z-3.1, J-2.1)."""
    adopt(world.park_a)  # J-1.5c: wide-contact posts as the J pack declares them
    client = client_as("a1_officer")
    rows = [
        row(
            n,
            org_unit="甲一生产部",
            home_community="甲社区" if n % 2 else "乙社区",
            category=StaffCategory.choices[n % 6][1],
            labour_agency="渝才劳务派遣有限公司" if n % 6 in (2, 3, 4) else "",
            post=["操作工", "保安", "保洁", "食堂"][n % 4],
        )
        for n in range(1001, 4001)  # clear of the world's own people
    ]
    rows[1499][2] = "1391234567"  # one bad phone
    rows[2499][1] = rows[10][1]  # one duplicate ID
    batch = ledger_upload(client, world, build.xlsx(rows))
    assert batch.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(1501, "手机号"), (2501, "身份证号")]
    rows[1499][2] = "13912341500"
    rows[2499][1] = person_id(99999)
    batch = ledger_upload(client, world, build.xlsx(rows))
    assert (batch.status, batch.create_count) == (ImportStatus.READY, 3000)
    batch = ledger_confirm(client, batch)
    assert batch.status == ImportStatus.DONE
    assert Person.objects.filter(enterprise=world.a1).count() == 3002
    assert Person.objects.filter(enterprise=world.a1, wide_contact=True).count() == 2250
    assert EmploymentEvent.objects.filter(person__enterprise=world.a1).count() == 3002
    assert AuditEvent.objects.filter(action="person_import", enterprise_id_ref=world.a1.pk).exists()
    export = client.get(f"/enterprises/{world.a1.pk}/people/export/")
    assert export.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0)
    values = sheet.to_python()
    assert len(values) >= 3 + 3002


def test_it_runs_a_large_file_as_a_background_job(
    world: World,
    client_as: Clients,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """Large files are checked and merged by huey (immediate in tests) with progress kept."""
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_ROWS", 10)
    client = client_as("a1_officer")
    with django_capture_on_commit_callbacks(execute=True):
        batch = ledger_upload(
            client, world, build.csv([row(n) for n in range(1, 31)]), name="a.csv"
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY and batch.payload == b""
    assert batch.percent == 100
    progress = client.get(f"/imports/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    batch = ledger_confirm(client, batch)
    assert (batch.status, batch.create_count) == (ImportStatus.DONE, 30)


def test_it_keeps_the_queued_upload_encrypted(
    world: World, client_as: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_ROWS", 1)
    batch = ledger_upload(client_as("a1_officer"), world, build.csv([row(1), row(2)]), name="a.csv")
    assert batch.status == ImportStatus.QUEUED  # the on-commit enqueue never ran in this test
    assert person_id(1).encode() not in bytes(batch.payload)
    page = client_as("a1_officer").get(f"/imports/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page


def test_it_never_stores_a_clear_id_in_the_staging_table(world: World, client_as: Clients) -> None:
    batch = ledger_upload(client_as("a1_officer"), world, build.xlsx([row(1)]))
    staged = PersonImportRow.objects.get(batch=batch)
    assert person_id(1) not in str(list(PersonImportRow.objects.values_list()))
    assert staged.id_masked == id_mask(person_id(1))


def test_it_lets_only_editors_import(world: World, client_as: Clients) -> None:
    for persona in ["a1_employee", "a1_leader", "liaison_a"]:
        response = client_as(persona).post(
            f"/enterprises/{world.a1.pk}/people/import/",
            {"file": SimpleUploadedFile("a.xlsx", build.xlsx([row(1)]))},
        )
        assert response.status_code in (403, 404), persona
    assert PersonImport.objects.count() == 0


def test_it_cancels_a_pending_import(world: World, client_as: Clients) -> None:
    client = client_as("a1_officer")
    batch = ledger_upload(client, world, build.xlsx([row(1)]))
    client.post(f"/imports/{batch.pk}/cancel/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    assert PersonImportRow.objects.count() == 0
    assert client.post(f"/imports/{batch.pk}/confirm/").status_code == 302
    assert not Person.objects.filter(name="员工1").exists()


def test_it_offers_a_template_with_chinese_headers_and_a_text_id_column(
    world: World, client_as: Clients
) -> None:
    response = client_as("a1_officer").get(f"/enterprises/{world.a1.pk}/people/template/")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    headers = book.get_sheet_by_index(0).to_python()[0]
    assert headers[:4] == ["姓名*", "身份证号*", "手机号*", "人员类别*"]
    with io.BytesIO(response.content) as raw:
        import zipfile

        styles = zipfile.ZipFile(raw).read("xl/styles.xml").decode()
        sheet = zipfile.ZipFile(raw).read("xl/worksheets/sheet1.xml").decode()
    assert 'numFmtId="49"' in styles  # the built-in "@" text format
    assert '<col min="2" max="2"' in sheet and BY_KEY["id_number"].header == "身份证号"


def test_it_keeps_status_history_when_a_person_leaves(world: World, client_as: Clients) -> None:
    """J-2.1: rosters stay current as staff join and leave."""
    client = client_as("a1_officer")
    person = world.a1_person
    response = client.post(
        f"/people/{person.pk}/status/", {"status": "left", "on": "2022-11-01", "note": "辞职"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == EmploymentStatus.LEFT and str(person.left_on) == "2022-11-01"
    roster = client_as("liaison_a").get("/roster/").content.decode()
    assert person.name not in roster


def test_confirming_after_the_staged_rows_were_lost_writes_nothing(
    world: World, client_as: Clients
) -> None:
    """Staged rows on PostgreSQL are UNLOGGED (a crash empties them): never a silent no-op."""
    client = client_as("a1_officer")
    batch = ledger_upload(client, world, build.xlsx([row(1), row(2)]))
    assert batch.create_count == 2
    before = _a1_people()
    PersonImportRow.objects.filter(batch=batch).delete()  # what a crash leaves behind
    batch = ledger_confirm(client, batch)
    assert (batch.status, batch.message) == (ImportStatus.FAILED, messages.STAGE_LOST)
    assert _a1_people() == before


def test_new_people_get_aes_gcm_ciphertexts_that_reveal_their_number(
    world: World, client_as: Clients
) -> None:
    from parkguard.people.identity import id_decrypt

    client = client_as("a1_officer")
    ledger_confirm(client, ledger_upload(client, world, build.xlsx([row(1)])))
    person = Person.objects.get(enterprise=world.a1, name="员工1")
    assert person.id_encrypted.startswith("g1:")
    assert id_decrypt(person.id_encrypted) == person_id(1)
    assert person.id_masked == id_mask(person_id(1))


def test_it_never_echoes_a_clear_id_or_phone_in_import_errors(
    world: World, client_as: Clients
) -> None:
    """An ID number or phone typed into a text column is masked in the error list.

    `PersonImport.errors` never holds a clear ID number: not on /imports/<id>/ nor in the API.
    """
    clear = "11010519491231002X"
    phone = "13912345678"
    rows = [
        row(1, category=clear),
        row(2, org_unit=f"{clear[:6]} {clear[6:]}"),  # spaces inside do not hide it
        row(3, home_community=clear.lower()),
        row(4, status=phone),
        row(5, org_unit="１１０１０５１９４９１２３１００２Ｘ"),  # full-width digits
        row(6, category="临时工"),  # ordinary text is still echoed as typed
    ]
    client = client_as("a1_officer")
    batch = ledger_upload(client, world, build.csv(rows), name="台账.csv")
    assert batch.status == ImportStatus.INVALID
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    api = json.dumps(client.get(f"/api/v1/imports/{batch.pk}").json(), ensure_ascii=False)
    stored = json.dumps(batch.errors, ensure_ascii=False)
    for text in (page, api, stored):
        for secret in (clear, clear.lower(), "110105 19491231002X", phone, "１１０１０５１９"):
            assert secret not in text
        assert "110*************2X" in text and "139****5678" in text
        assert "临时工" in text
    assert len(batch.errors) == 6


def test_it_audits_each_confirmed_import_once_and_writes_no_history_rows(
    world: World, client_as: Clients
) -> None:
    """Imports merge with set-based SQL: one `person_import` audit event, no history rows.

    Edits made on the pages and the API do leave history rows (docs/people.md).
    """
    client = client_as("a1_officer")
    history = Person.history.model.objects
    before = history.count()
    batch = ledger_upload(client, world, build.xlsx([row(n) for n in range(1, 4)]))
    ledger_confirm(client, batch)
    assert client.post(f"/imports/{batch.pk}/confirm/").status_code == 302  # refused: not READY
    changed = ledger_upload(client, world, build.xlsx([row(1, post="保安"), row(4)]))
    ledger_confirm(client, changed)
    rejected = ledger_upload(client, world, build.xlsx([row(5, category="老板")]))
    cancelled = ledger_upload(client, world, build.xlsx([row(6)]))
    client.post(f"/imports/{cancelled.pk}/cancel/")
    assert rejected.status == ImportStatus.INVALID

    events = AuditEvent.objects.filter(action="person_import").order_by("id")
    assert [(e.target_id, e.detail["created"], e.detail["updated"]) for e in events] == [
        (str(batch.pk), 3, 0),
        (str(changed.pk), 1, 1),
    ]
    assert all(e.actor == world.users["a1_officer"] for e in events)
    assert not any(person_id(n) in json.dumps(e.detail) for e in events for n in range(1, 7))
    assert history.count() == before
