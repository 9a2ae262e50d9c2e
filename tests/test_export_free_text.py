"""Free text in every export (issue 18): a note, a reason or a description one user typed and
others read comes out of a spreadsheet or CSV with its ID and mobile numbers masked, as the
page shows it (`|free_text`). The exports mark such cells `xlsx.free_text(...)`; the one
chokepoint (`lib/xlsx.cell_safe`, so every sheet and CSV) masks them.

Every export of `tests/test_export_formulas.EXPORTS` (which fails when a spreadsheet view is
missing from it) must be in `FREE_TEXT` below: either a function that types a note with a full
ID number and a mobile number into each free-text field the export shows, or the reason it
shows none. Each is then fetched and parsed: the typed numbers must not appear, their masks
must.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkguard.lib import xlsx
from parkguard.lib.identifiers import id_mask
from parkguard.lib.logmask import MASK
from parkguard.lib.redact import login_label
from tests.factories import World
from tests.lib.test_free_text import FREE_TEXT_NAMES
from tests.test_export_formulas import EXPORTS, _cells

ID = "450222199001011234"
PHONE = "13812345678"
NOTE = f"张三 {ID} 已隔离，联系 {PHONE}"
SHOWN = (id_mask(ID), login_label(PHONE))

ROOT = Path(settings.BASE_DIR)
Clients = Callable[[str | None], Client]
# Types NOTE into what the export shows (before the URL is fetched); returns nothing.
Seed = Callable[[World], None]


def _now() -> dt.datetime:
    return timezone.now()


def _audit(world: World) -> None:
    from parkguard.audit.services import audit_record

    audit_record(
        actor=world.users["park_a_admin"], action="pack_adopt", at=_now(),
        enterprise_id=world.a1.pk, jurisdiction_id=world.park_a.pk, reason=NOTE,
    )  # fmt: skip


def _gate(world: World) -> None:
    from parkguard.gate.choices import Direction, Method, Place
    from parkguard.gate.models import AccessCheck, Gate

    gate = Gate.objects.create(
        park=world.park_a, enterprise=world.a1, name="东门", place=Place.PLANT_GATE,
        created_at=_now(),
    )  # fmt: skip
    AccessCheck.objects.create(
        at=_now(), recorded_at=_now(), gate=gate, park=world.park_a, enterprise=world.a1,
        direction=Direction.IN, method=Method.MANUAL, person=world.a1_person, allowed=False,
        reasons=[{"text": NOTE, "citation": None}],
    )  # fmt: skip


def _rectification(world: World) -> None:
    from parkguard.orgs.access import scope_for_user
    from parkguard.orgs.choices import Role
    from parkguard.orgs.models import Membership
    from parkguard.oversight import services
    from parkguard.oversight.choices import EventKind
    from parkguard.oversight.models import RectificationEvent
    from tests.factories import adopt, make_user

    adopt(world.park_a)
    inspector = make_user("inspector_free_text")
    Membership.objects.create(user=inspector, role=Role.INSPECTOR, jurisdiction=world.park_a)
    scope = scope_for_user(inspector)
    visit = services.inspection_plan(
        scope=scope, enterprise=world.a1, planned_on=timezone.localdate(), inspector=inspector,
        purpose="", at=_now(),
    )  # fmt: skip
    item = services.finding_add(
        scope=scope, inspection=visit, item_key="jinjiang-xiyuan-2022-81:entry-control",
        description=NOTE, owner_name="王主任", deadline=timezone.localdate() + dt.timedelta(3),
        photos=[], at=_now(), by=inspector,
    )  # fmt: skip
    RectificationEvent.objects.create(
        rectification=item, kind=EventKind.REPLIED, text=NOTE, at=_now(),
        by=world.users["a1_officer"],
    )  # fmt: skip


def _daily_report(world: World) -> None:
    from parkguard.reporting.models import DailyReport, DailyReportRow

    report = DailyReport.objects.get(jurisdiction=world.park_a, on=timezone.localdate())
    DailyReport.objects.filter(pk=report.pk).update(remarks=NOTE, late_reason=NOTE)
    DailyReportRow.objects.filter(report=report).update(
        correction_note=NOTE, notes=[{"source": "企业", "text": NOTE}]
    )


def _rollup(world: World) -> None:
    from django.test import Client

    from tests.test_export_formulas import _daily_report as prepared

    prepared(world, Client())
    _daily_report(world)


def _privacy(world: World) -> None:
    from parkguard.status.choices import HoldKind
    from parkguard.status.services import status_hold_open

    status_hold_open(
        person_ids=[world.a1_employee_person.pk], kind=HoldKind.FEVER, reason=NOTE, citation={},
        source="health.alert:1", at=_now(),
    )  # fmt: skip


def _supplies(world: World) -> None:
    from parkguard.supplies.models import StockMove, SupplyItem

    item = SupplyItem.objects.create(enterprise=world.a1, kind="mask", name="口罩", unit="只")
    StockMove.objects.create(item=item, kind="issue", quantity=1, note=NOTE, balance=0, at=_now())


def _disinfection(world: World) -> None:
    from parkguard.supplies.models import DisinfectionArea, DisinfectionTask

    area = DisinfectionArea.objects.create(enterprise=world.a1, name="一车间", kind="生产区")
    DisinfectionTask.objects.create(area=area, on=timezone.localdate(), slot="日常", note=NOTE)


def _trucks(world: World) -> None:
    from parkguard.logistics.models import TruckDeclaration

    TruckDeclaration.objects.create(
        enterprise=world.a1, declared_by="carrier", plate="渝A12345", planned_arrival=_now(),
        route=NOTE, travel_history=NOTE, loaders=NOTE, submitted_at=_now(),
    )  # fmt: skip


def _passes(world: World) -> None:
    from parkguard.logistics.models import TransportPass

    TransportPass.objects.create(
        enterprise=world.a1, plate="渝A12345", route=NOTE, purpose=NOTE, decision_note=NOTE,
        valid_from=timezone.localdate(), valid_until=timezone.localdate(), state="applied",
        nonce="n1", applied_at=_now(),
    )  # fmt: skip


def _parcels(world: World) -> None:
    from parkguard.logistics.models import Parcel

    Parcel.objects.create(
        enterprise=world.a1, addressee=world.a1_person, kind="parcel", arrived_at=_now(),
        code="246810", note=NOTE,
    )  # fmt: skip


# URL name → what to type, or why the export shows no free text of one user to another.
FREE_TEXT: dict[str, Seed | str] = {
    "audit_export": _audit,
    "gate_log_export": _gate,
    "oversight_park_export": _rectification,
    "reporting_export": _daily_report,
    "reporting_rollup_export": _rollup,
    "privacy_export": _privacy,
    "supplies_export": _supplies,
    "supplies_disinfection_export": _disinfection,
    "logistics_trucks_export": _trucks,
    "logistics_passes_export": _passes,
    "logistics_parcels_export": _parcels,
    "person_export": "人员台账只有登记项（证件号、手机号列按脱敏或登记事由后的完整号码导出）",
    "person_import_template": "导入模板只有表头、填写说明和本企业的名单",
    "person_import_errors": "错误标注把上传的表格原样交回本企业修改后重传，号码须保持原样",
    "community_roster_export": "社区花名册只有登记项，号码已脱敏",
    "duties_ledger_export": "核酸检测台账只有登记项和系统生成的状态",
    "oversight_park_assessment_export": "考核表的说明由系统生成，无人填写（仍按自由文本写出）",
}


def test_every_export_says_what_free_text_it_shows() -> None:
    assert set(FREE_TEXT) == set(EXPORTS), (
        "每个导出都要在 FREE_TEXT 中写明：录入哪些自由文本，或为什么没有：\n"
        + "\n".join(sorted(set(EXPORTS) ^ set(FREE_TEXT)))
    )


def _answer(world: World, client_as: Clients, name: str) -> list[str]:
    persona, url_of = EXPORTS[name]
    client = client_as(persona)
    url = url_of(world, client)
    seed = FREE_TEXT[name]
    assert callable(seed)
    seed(world)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return _cells(response.content)


@pytest.mark.parametrize("name", sorted(n for n, s in FREE_TEXT.items() if callable(s)))
def test_every_export_masks_numbers_typed_into_free_text(
    world: World, client_as: Clients, name: str
) -> None:
    text = "\n".join(_answer(world, client_as, name))
    assert ID not in text and PHONE not in text, name
    # Not vacuous: the note is in the file, masked the platform's way (the audit log masks
    # every number run with the log filter's mark, as its page does).
    assert "已隔离" in text, f"{name}: 导出中没有出现录入的说明"
    masks = (MASK,) if name == "audit_export" else SHOWN
    assert all(mask in text for mask in masks), name


def test_the_audit_csv_masks_them_too(world: World, client_as: Clients) -> None:
    client = client_as("park_a_admin")
    _audit(world)
    response = client.get(reverse("audit_export") + "?format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    text = "\n".join(c for row in rows for c in row)
    assert ID not in text and PHONE not in text and "张三" in text


def test_the_chokepoint_masks_a_free_text_cell_and_neutralises_it_still() -> None:
    assert xlsx.cell_safe(xlsx.free_text(NOTE)) == f"张三 {SHOWN[0]} 已隔离，联系 {SHOWN[1]}"
    assert xlsx.cell_safe(xlsx.free_text(f"={PHONE}")) == f"'={SHOWN[1]}"
    assert xlsx.cell_safe(xlsx.free_text(None)) == ""
    # Only marked cells: an ID column exported in full (an audited, reasoned export) stays.
    assert xlsx.cell_safe(ID) == ID
    body = xlsx.csv_bytes(["说明"], [[xlsx.free_text(NOTE)], [PHONE]])
    assert body.decode("utf-8-sig").splitlines()[1:] == [
        xlsx.cell_safe(xlsx.free_text(NOTE)),
        PHONE,
    ]
    out = io.BytesIO()
    book = xlsx.workbook(out, in_memory=True)
    sheet = book.add_worksheet("s")
    sheet.write(0, 0, xlsx.free_text(NOTE))
    sheet.write_row(1, 0, [xlsx.free_text(NOTE), PHONE])
    sheet.write_string(2, 0, xlsx.free_text(NOTE))
    book.close()
    cells = _cells(out.getvalue())
    assert cells.count(xlsx.cell_safe(xlsx.free_text(NOTE))) == 3 and PHONE in cells


# --- and in the source: a free-text attribute written by an export goes through free_text --
EXPORT_SOURCES = re.compile(r"\b(?:xlsx\.)?(?:workbook|csv_bytes)\(")
FREE_TEXT_ATTR = re.compile(f"^{FREE_TEXT_NAMES}$")


def _unmasked_in(function: ast.FunctionDef) -> list[str]:
    """`obj.note`-like reads inside `function` that no `free_text(…)` call encloses."""
    masked: set[int] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            name = node.func.id if isinstance(node.func, ast.Name) else name
            if name == "free_text":
                masked.update(id(inner) for inner in ast.walk(node))
        if isinstance(node, ast.If | ast.IfExp):  # `if report.remarks:` writes nothing
            masked.update(id(inner) for inner in ast.walk(node.test))
    return [
        ast.unparse(node)
        for node in ast.walk(function)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and FREE_TEXT_ATTR.match(node.attr)
        and id(node) not in masked
    ]


def test_every_export_writes_free_text_fields_through_free_text() -> None:
    """The names the template and API scans call free text (`note`, `reason`, `description`,
    `route`…), read in a function that builds an export (it calls `workbook(` or `csv_bytes(`),
    must sit inside `xlsx.free_text(…)`."""
    found, scanned = [], 0
    for path in sorted((ROOT / "parkguard").rglob("*.py")):
        if path == ROOT / "parkguard" / "lib" / "xlsx.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and EXPORT_SOURCES.search(ast.unparse(node)):
                scanned += 1
                where = f"{path.relative_to(ROOT)}:{node.name}"
                found += [f"{where}: {expr}" for expr in _unmasked_in(node)]
    assert scanned >= 10, scanned  # not vacuous: the exports were found
    assert not found, "导出中的自由文本请写作 xlsx.free_text(…)：\n" + "\n".join(found)
