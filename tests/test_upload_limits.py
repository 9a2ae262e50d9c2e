"""Upload limits everywhere (issue 18 §6): size, rows and decompressed size, one chokepoint.

Every upload is read by `parkguard.lib.uploads.upload_read` (spreadsheets through
`people.sheets.sheet_upload`, which adds the rows and decompressed-size scan). The source
scan below fails on an upload read any other way, naming file and line, so a new upload
path written elsewhere is caught; the route tests post an oversized file, a sheet with too
many rows and a zip bomb to every spreadsheet upload, and an oversized file to the pack and
photo uploads, and assert a Chinese refusal and nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parkguard.lib.uploads import UPLOAD_EMPTY, UPLOAD_TOO_LARGE, upload_read
from parkguard.mobility.models import RiskArea
from parkguard.orgs.access import SYSTEM
from parkguard.oversight import photos
from parkguard.people import sheets
from parkguard.people.models import PersonImport
from parkguard.rules.forms import PACK_TOO_LARGE
from parkguard.rules.models import UploadedPack
from parkguard.sampling.models import ResultImport
from tests.factories import World
from tests.people.sheets import bomb

ROOT = Path(settings.BASE_DIR)
CHOKEPOINT = ROOT / "parkguard" / "lib" / "uploads.py"
# An upload read directly: `.read(`/`.chunks(` on an upload-ish name, or on request.FILES.
DIRECT_READ = re.compile(
    r"\b(upload|uploaded|file|photo|image|f)\w*\.(read|chunks)\(|FILES[^\n]*\.(read|chunks)\("
)

SMALL = 32 * 1024  # IMPORT_MAX_BYTES in these tests
ROWS = 5  # IMPORT_MAX_ROWS in these tests


def test_no_upload_is_read_outside_the_chokepoint() -> None:
    found = []
    for path in sorted((ROOT / "parkguard").rglob("*.py")):
        if path == CHOKEPOINT or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if DIRECT_READ.search(line) and "read_text" not in line and "read_bytes" not in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, (
        "上传的文件只能经 parkguard.lib.uploads.upload_read 读取（表格用 "
        "people.sheets.sheet_upload）：\n" + "\n".join(found)
    )


def test_the_chokepoint_refuses_by_declared_and_by_real_size() -> None:
    declared = SimpleUploadedFile("a.csv", b"x" * 10)
    declared.size = 10_000  # a client that lies the other way is caught by counting
    with pytest.raises(Exception, match="文件大小超过上限 1 KB"):
        upload_read(declared, max_bytes=1024)
    lying = ContentFile(b"y" * 5000, name="b.csv")
    lying.size = 1
    with pytest.raises(Exception, match="文件大小超过上限 1 KB"):
        upload_read(lying, max_bytes=1024)
    with pytest.raises(Exception, match=UPLOAD_EMPTY):
        upload_read(SimpleUploadedFile("c.csv", b""), max_bytes=1024)
    assert upload_read(SimpleUploadedFile("d.csv", b"ok"), max_bytes=1024) == b"ok"
    assert UPLOAD_TOO_LARGE.format(limit="1 KB") in "文件大小超过上限 1 KB，请压缩或拆分后重新上传"


@pytest.fixture
def small_limits(settings: object) -> None:
    settings.IMPORT_MAX_BYTES = SMALL  # type: ignore[attr-defined]
    settings.IMPORT_MAX_ROWS = ROWS  # type: ignore[attr-defined]
    settings.IMPORT_MAX_INFLATED_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    settings.PACK_MAX_BYTES = 1024  # type: ignore[attr-defined]


def _bad_sheets() -> dict[str, tuple[str, bytes, str]]:
    """name → (file name, content, the refusal expected)."""
    many = "\n".join(f"{i},{i}" for i in range(ROWS + 10)).encode()
    return {
        "too-large": ("big.csv", b"a,b\n" + b"1,2\n" * SMALL, "文件大小超过上限 32 KB"),
        "too-many-rows": ("rows.csv", b"a,b\n" + many, f"数据行数超过上限 {ROWS} 行"),
        "zip-bomb": (  # a few KB that inflate to 6 MB of one cell's text
            "bomb.xlsx",
            bomb(head=b'<row r="2"><c r="A2" t="inlineStr"><is><t>', unit=b"A" * 64, times=100_000),
            "解压后的内容超过上限",
        ),
    }


def _people_route(world: World) -> tuple[str, str, dict[str, object], Callable[[], int]]:
    url = f"/enterprises/{world.a1.pk}/people/import/"
    return "a1_officer", url, {}, PersonImport.objects.count


def _sampling_route(world: World) -> tuple[str, str, dict[str, object], Callable[[], int]]:
    from parkguard.sampling.services import lab_create

    lab, _ = lab_create(scope=SYSTEM, jurisdiction=world.park_a, name="甲园区检测中心", by=None)
    url = f"/sampling/enterprises/{world.a1.pk}/import/"
    return "a1_officer", url, {"lab": lab.pk, "dry_run": "on"}, ResultImport.objects.count


def _risk_route(world: World) -> tuple[str, str, dict[str, object], Callable[[], int]]:
    url = f"/mobility/parks/{world.park_a.pk}/risk-areas/"
    return "park_a_admin", url, {}, RiskArea.objects.count


SHEET_ROUTES = {"people-ledger": _people_route, "lab-results": _sampling_route}
SHEET_ROUTES["risk-areas"] = _risk_route


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize("route", sorted(SHEET_ROUTES))
@pytest.mark.parametrize("bad", sorted(_bad_sheets()))
def test_every_spreadsheet_upload_is_refused_at_each_limit(
    world: World, client_as: Callable[[str | None], Client], route: str, bad: str
) -> None:
    persona, url, extra, count = SHEET_ROUTES[route](world)
    name, content, message = _bad_sheets()[bad]
    before = count()
    response = client_as(persona).post(url, {**extra, "file": SimpleUploadedFile(name, content)})
    assert response.status_code in (200, 422), response.status_code
    assert message in response.content.decode()
    assert count() == before


@pytest.mark.usefixtures("small_limits")
def test_a_pack_upload_over_its_limit_is_refused(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    before = UploadedPack.objects.count()
    response = client_as("park_a_admin").post(
        f"/park/{world.park_a.pk}/packs/draft/",
        {"file": SimpleUploadedFile("p.yaml", b"id: x\n" + b"# padding\n" * 200)},
    )
    assert "文件大小超过上限 1 KB" in response.content.decode()
    pasted = client_as("park_a_admin").post(
        f"/park/{world.park_a.pk}/packs/draft/", {"text": "id: x\n" + "# 填充\n" * 200}
    )
    assert PACK_TOO_LARGE.format(limit="1 KB") in pasted.content.decode()
    assert UploadedPack.objects.count() == before


def test_a_photo_over_its_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(photos, "PHOTO_MAX_BYTES", 1024)
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 2000
    with pytest.raises(ValidationError) as refused:
        photos.photos_check([ContentFile(jpeg, name="a.jpg")], field="photos")
    assert refused.value.message_dict == {"photos": [photos.PHOTO_TOO_LARGE]}
    assert photos.photos_check([ContentFile(jpeg[:1000], name="b.jpg")], field="photos")


def test_the_spreadsheet_chokepoint_uses_the_settings(settings: object) -> None:
    settings.IMPORT_MAX_ROWS = 7  # type: ignore[attr-defined]
    assert sheets.sheet_limits().max_rows == 7
    with pytest.raises(sheets.SheetError, match=sheets.NOT_SPREADSHEET):
        sheets.sheet_upload(SimpleUploadedFile("a.txt", b"1"))
