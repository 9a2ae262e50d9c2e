"""Uploads that cost more to read than they weigh (issue 8, item 1): zip bombs and friends.

A small .xlsx whose sheet inflates to hundreds of MB, with or without a small declared
`<dimension>`, must be refused with a Chinese message, in the web request and in the job,
having read only a few MB of it and held little memory. "Within a second" is the design's
job (the scan stops at the first limit), so these tests bound the bytes inflated and the
memory, never the time. Requirement: Z-5.2a (importing the ledger) stays safe to offer.
"""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parkguard.people import sheets
from parkguard.people.choices import ImportStatus
from parkguard.people.identity import payload_cipher
from parkguard.people.importing import jobs
from parkguard.people.models import Person, PersonImport
from tests.factories import World
from tests.people import sheets as build
from tests.people.sheets import row

Clients = Callable[[str | None], Client]

LIMITS = sheets.SheetLimits(max_bytes=20 * 2**20, max_rows=200_000, max_inflated=160 * 2**20)
MEMORY_CEILING = 24 * 2**20  # bytes Python may hold at the peak of refusing a bomb
READ_CEILING = 8 * 2**20  # inflated bytes the scan may read before it refuses

ROW = b'<row r="2"><c r="A2"><v>1</v></c></row>'
CELL = b'<c r="A2"><v>1</v></c>'
# Each inflates to about 400 MB from about 1 MB.
BOMBS = {
    "endless rows": (dict(unit=ROW, times=10_000_000), sheets.TOO_MANY_ROWS.format(limit=200_000)),
    "endless cells in a row": (
        dict(head=b'<row r="2">', unit=CELL, times=18_000_000),
        sheets.TOO_MANY_COLUMNS.format(limit=sheets.MAX_COLUMNS),
    ),
    "one endless text": (
        dict(head=b'<row r="2"><c r="A2" t="inlineStr"><is><t>', unit=b"A" * 64, times=6_000_000),
        sheets.UNUSUAL_LAYOUT,
    ),
    "filler tags": (dict(unit=b"<x/>", times=100_000_000), sheets.UNUSUAL_LAYOUT),
}


@pytest.fixture
def inflated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the bytes the scan inflates (wraps `sheets._inflate`)."""
    counted = [0]
    original = sheets._inflate

    def counting(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
        for chunk in original(data, info):
            counted[0] += len(chunk)
            yield chunk

    monkeypatch.setattr(sheets, "_inflate", counting)
    return counted


def _peak(call: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _refusal(data: bytes) -> str:
    try:
        sheets.sheet_rows(data=data, kind="xlsx", limits=LIMITS)
    except sheets.SheetError as exc:
        return exc.message
    raise AssertionError("the bomb was read")


@pytest.mark.parametrize("dimension", ["A1:R3", None], ids=["small dimension", "no dimension"])
@pytest.mark.parametrize("shape", list(BOMBS))
def test_it_refuses_a_sheet_that_inflates_to_hundreds_of_mb(
    shape: str, dimension: str | None, inflated: list[int]
) -> None:
    """Bound before parsing: the scan stops early with a Chinese message, memory stays small."""
    kwargs, message = BOMBS[shape]
    data = build.bomb(dimension=dimension, **kwargs)  # type: ignore[arg-type]
    assert len(data) < 2 * 2**20
    refused, peak = _peak(lambda: _refusal(data))
    assert refused == message
    assert inflated[0] < READ_CEILING, f"read {inflated[0]} bytes before refusing"
    assert peak < MEMORY_CEILING, f"peak {peak} bytes"


def test_it_refuses_a_bomb_in_the_web_request_before_any_parser(
    world: World, client_as: Clients, inflated: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 2 MB file of the issue, a small `<dimension>` declared: refused in the request."""
    monkeypatch.setattr(sheets, "sheet_parse", _must_not_parse)
    data = build.bomb(unit=ROW, times=10_000_000)
    client = client_as("a1_officer")
    response, peak = _peak(
        lambda: client.post(
            f"/enterprises/{world.a1.pk}/people/import/",
            {"file": SimpleUploadedFile("台账.xlsx", data)},
        )
    )
    assert response.status_code == 200
    assert sheets.TOO_MANY_ROWS.format(limit=200_000) in response.content.decode()
    assert PersonImport.objects.count() == 0
    assert inflated[0] < READ_CEILING
    assert peak < MEMORY_CEILING + len(data) * 4  # the upload itself is held a few times


def test_it_refuses_a_bomb_that_reaches_the_job_without_parsing_it(
    world: World, inflated: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job scans again: a queued payload is never handed to the parser unmeasured."""
    monkeypatch.setattr(sheets, "sheet_parse", _must_not_parse)
    data = build.bomb(unit=ROW, times=10_000_000, dimension=None)
    batch = PersonImport.objects.create(
        enterprise=world.a1, filename="台账.xlsx", payload=payload_cipher().encrypt(data)
    )
    people = Person.objects.count()
    _, peak = _peak(
        lambda: jobs.person_import_check_job(
            batch_id=batch.pk, kind="xlsx", today=dt.date(2022, 11, 15)
        )
    )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.INVALID
    assert batch.errors == [
        {"row": 0, "column": "", "message": sheets.TOO_MANY_ROWS.format(limit=200_000)}
    ]
    assert bytes(batch.payload) == b""
    assert Person.objects.count() == people
    assert inflated[0] < READ_CEILING
    assert peak < MEMORY_CEILING + len(data) * 4


def _must_not_parse(**kwargs: object) -> None:
    raise AssertionError("a parser was handed a file the scan should have refused")


SHAPES = [
    # (what, sheet data, the refusal)
    (
        "a cell far below a tiny sheet",
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A150000"><v>1</v></c></row>',
        sheets.TOO_SPARSE.format(rows=2, height=150000),
    ),
    (
        "a cell past the row limit",
        b'<row r="1"><c r="A1048576"><v>1</v></c></row>',
        sheets.TOO_MANY_ROWS.format(limit=200_000),
    ),
    (
        "a cell in the last column",
        b'<row r="1"><c r="XFD1"><v>1</v></c></row>',
        sheets.TOO_MANY_COLUMNS.format(limit=sheets.MAX_COLUMNS),
    ),
    ("cells without a reference", b'<row r="1"><c><v>1</v></c></row>', sheets.UNUSUAL_LAYOUT),
    ("a row without a reference", b'<row><c r="A1"><v>1</v></c></row>', sheets.UNUSUAL_LAYOUT),
    (
        "a reference after another attribute",
        b'<row r="1"><c t="n" r="A1"><v>1</v></c></row>',
        sheets.UNUSUAL_LAYOUT,
    ),
    (
        "a tab before the reference",
        b'<row r="1"><c\tr="A900000"><v>1</v></c></row>',
        sheets.TOO_MANY_ROWS.format(limit=200_000),
    ),
    (
        "an escaped reference",
        b'<row r="1"><c r="A&#57;00000"><v>1</v></c></row>',
        sheets.UNUSUAL_LAYOUT,
    ),
    (
        "prefixed rows and cells",
        b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:c r="A1"><x:v>1</x:v></x:c></x:row>',
        sheets.UNUSUAL_LAYOUT,
    ),
]


@pytest.mark.parametrize(("what", "sheet", "message"), SHAPES, ids=[s[0] for s in SHAPES])
def test_it_refuses_a_grid_a_parser_would_blow_up(what: str, sheet: bytes, message: str) -> None:
    """Tiny files whose cell references would make a parser build a huge grid."""
    data = build.bomb(head=sheet, unit=b" ", times=1)
    assert _refusal(data) == message


def test_it_measures_rows_by_reading_not_by_the_declared_dimension() -> None:
    """A real 30-row file that declares one row: the scan counts 31 (header included)."""
    data = _with_dimension(build.xlsx([row(n) for n in range(1, 31)]), "A1:R1")
    info = sheets.sheet_scan(data=data, kind="xlsx", limits=LIMITS)
    assert (info.kind, info.rows) == ("xlsx", 31)
    assert len(sheets.sheet_rows(data=data, kind="xlsx", limits=LIMITS)) == 31


def test_it_sends_a_file_that_lies_about_its_size_to_the_job(
    world: World, client_as: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inline or background is decided by the rows read, not by the dimension declared."""
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_ROWS", 10)
    data = _with_dimension(build.xlsx([row(n) for n in range(1, 31)]), "A1:R2")
    response = client_as("a1_officer").post(
        f"/enterprises/{world.a1.pk}/people/import/",
        {"file": SimpleUploadedFile("台账.xlsx", data)},
    )
    assert response.status_code == 302
    batch = PersonImport.objects.get()
    assert (batch.status, batch.total_rows) == (ImportStatus.QUEUED, 30)


def test_it_stops_reading_a_csv_at_the_row_limit() -> None:
    """The CSV reader applies the limit while reading (even when no scan ran before it)."""
    data = build.csv([row(n) for n in range(1, 51)])
    limits = sheets.SheetLimits(max_bytes=2**20, max_rows=10, max_inflated=2**20)
    with pytest.raises(sheets.SheetError) as refused:
        sheets.sheet_parse(data=data, kind="csv", limits=limits)
    assert refused.value.message == sheets.TOO_MANY_ROWS.format(limit=10)
    with pytest.raises(sheets.SheetError):
        sheets.sheet_scan(data=data, kind="csv", limits=limits)


def test_it_refuses_an_archive_with_too_many_parts() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for n in range(1200):
            archive.writestr(f"xl/media/{n}.bin", b"")
    assert _refusal(buffer.getvalue()) == sheets.UNUSUAL_LAYOUT


def _with_dimension(data: bytes, dimension: str) -> bytes:
    """The same workbook with its sheet's `<dimension>` replaced (a lie about its size)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = content.index(b'<dimension ref="') + len(b'<dimension ref="')
                end = content.index(b'"', start)
                content = content[:start] + dimension.encode() + content[end:]
            target.writestr(info.filename, content)
    return out.getvalue()


def test_it_accepts_its_own_template_and_export(world: World, client_as: Clients) -> None:
    """The scan is strict about layout; what ParkGuard itself writes must pass it."""
    client = client_as("a1_officer")
    template = client.get(f"/enterprises/{world.a1.pk}/people/template/").content
    export = client.get(f"/enterprises/{world.a1.pk}/people/export/").content
    for data in (template, export):
        info = sheets.sheet_scan(data=data, kind="xlsx", limits=LIMITS)
        assert info.kind == "xlsx" and info.rows >= 1
        assert sheets.sheet_rows(data=data, kind="xlsx", limits=LIMITS)
