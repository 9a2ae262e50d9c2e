"""Formula neutralisation in every export (issue 18 §6).

Every export workbook is made by `parkguard.lib.xlsx.workbook`, whose sheets neutralise
every text cell. Three checks keep it so:
- a source scan: no module but `lib/xlsx.py` uses xlsxwriter or writes CSV (file and line);
- every view that answers a spreadsheet is in `EXPORTS` below (found by reading the views'
  source, and the functions of their module they call), and each is fetched with names,
  units and cells that begin with `=`, `+`, `-` and `@`: no cell of the answer begins with one;
- the sheet class itself, for every way of writing a cell.
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from python_calamine import CalamineWorkbook

from parkguard.lib import xlsx
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.people.models import Person, PersonImport
from tests.factories import World, adopt

ROOT = Path(settings.BASE_DIR)
FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)"]
DANGEROUS = re.compile(r"^[=+\-@\t\r]")
SPREADSHEET = re.compile(r"\bXLSX\b|spreadsheetml|text/csv")


def test_no_module_but_the_chokepoint_writes_a_spreadsheet() -> None:
    found = []
    for path in sorted((ROOT / "parkguard").rglob("*.py")):
        if path == ROOT / "parkguard" / "lib" / "xlsx.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\bxlsxwriter\b|csv\.(writer|DictWriter)\(", line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "导出的表格只能由 parkguard.lib.xlsx.workbook 生成：\n" + "\n".join(found)


def _spreadsheet_views() -> set[str]:
    """`module.function` of every view function whose body answers a spreadsheet, itself or
    through a function of its module it calls (`_file(body, …)`, `_export_response(…)`)."""
    views = set()
    for path in sorted((ROOT / "parkguard").glob("*/*views*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for name, node in functions.items():
            if not name.startswith("_") and _answers_spreadsheet(node, functions, set()):
                views.add(f"{module}.{name}")
    return views


def _answers_spreadsheet(
    node: ast.FunctionDef, functions: dict[str, ast.FunctionDef], seen: set[str]
) -> bool:
    if SPREADSHEET.search(ast.unparse(node)):
        return True
    seen.add(node.name)
    called = {
        c.func.id
        for c in ast.walk(node)
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
    }
    return any(
        _answers_spreadsheet(functions[name], functions, seen)
        for name in sorted(called - seen)
        if name in functions
    )


def _route_views() -> dict[str, str]:
    """URL name → `module.function` of its view."""
    named: dict[str, str] = {}
    for name, entries in get_resolver().reverse_dict.items():
        if isinstance(name, str):
            view = get_resolver().resolve(reverse(name, kwargs=_dummy(entries)))
            func = view.func
            named[name] = f"{func.__module__}.{func.__name__}"
    return named


def _dummy(entries: Any) -> dict[str, Any]:
    params = entries[0][0][1] if entries else []
    return {p: ("x" if p.endswith(("_id", "id")) is False else 1) for p in params}


def _poison(world: World) -> None:
    """Names anyone can type, beginning with a formula character, where exports show them."""
    Enterprise.objects.filter(pk=world.a1.pk).update(name=FORMULAS[0])
    Jurisdiction.objects.filter(pk=world.park_a.pk).update(name=FORMULAS[1])
    OrgUnit.objects.filter(enterprise=world.a1).update(name=FORMULAS[2])
    for i, person in enumerate(Person.objects.filter(enterprise=world.a1)):
        Person.objects.filter(pk=person.pk).update(name=FORMULAS[i % len(FORMULAS)])


def _error_book(world: World, client: Client) -> str:
    """A people import with bad rows whose cells begin with formula characters."""
    rows = "姓名,证件类型,证件号码,手机号\n" + "".join(f"{f},身份证,123,{f}\n" for f in FORMULAS)
    client.post(
        f"/enterprises/{world.a1.pk}/people/import/",
        {"file": SimpleUploadedFile("bad.csv", rows.encode())},
    )
    batch = PersonImport.objects.order_by("-pk").first()
    assert batch is not None
    return reverse("person_import_errors", kwargs={"import_id": batch.pk})


def _daily_report(world: World, client: Client) -> str:
    """Park A's daily report of today, prepared (pre-filled per enterprise) by its admin."""
    from django.utils import timezone

    from parkguard.orgs.access import scope_for_user
    from parkguard.reporting.services import daily_report_prepare

    adopt(world.park_a, "liucheng-2022-36-report")
    admin = world.users["park_a_admin"]
    daily_report_prepare(
        scope=scope_for_user(admin), unit=world.park_a, on=timezone.localdate(),
        at=timezone.now(), by=admin,
    )  # fmt: skip
    return reverse("reporting_export", kwargs={"jurisdiction_id": world.park_a.pk})


def _assessment(world: World, client: Client) -> str:
    """Park A's cadres' annual assessment, with a cadre for A1 (whose name is poisoned)."""
    from parkguard.orgs.choices import Role
    from parkguard.orgs.models import Membership
    from tests.factories import make_user

    cadre = make_user("cadre_export")
    Membership.objects.create(user=cadre, role=Role.PARK_CADRE, jurisdiction=world.park_a)
    Enterprise.objects.filter(pk=world.a1.pk).update(park_cadre=cadre)
    return reverse("oversight_park_assessment_export", kwargs={"jurisdiction_id": world.park_a.pk})


def _audit_search(world: World, client: Client) -> str:
    """Park A's audit log with an entry of A1 (whose name is poisoned) and a typed reason."""
    from django.utils import timezone

    from parkguard.audit.services import audit_record

    audit_record(
        actor=world.users["park_a_admin"],
        action="pack_adopt",
        at=timezone.now(),
        enterprise_id=world.a1.pk,
        jurisdiction_id=world.park_a.pk,
        reason=FORMULAS[3],
    )
    return reverse("audit_export") + "?format=xlsx"


# URL name → (persona, the URL for the poisoned world and the persona's client)
Export = Callable[[World, Client], str]
EXPORTS: dict[str, tuple[str, Export]] = {
    # Also as CSV (format=csv): `test_the_csv_writer_neutralises_every_cell` and
    # tests/test_audit_export.py.
    "audit_export": ("park_a_admin", _audit_search),
    "person_export": ("a1_officer", lambda w, c: f"/enterprises/{w.a1.pk}/people/export/"),
    "person_import_template": (
        "a1_officer",
        lambda w, c: f"/enterprises/{w.a1.pk}/people/template/",
    ),
    "person_import_errors": ("a1_officer", _error_book),
    "community_roster_export": ("liaison_a", lambda w, c: "/roster/export/"),
    "duties_ledger_export": (
        "park_a_admin",
        lambda w, c: reverse("duties_ledger_export", kwargs={"jurisdiction_id": w.park_a.pk}),
    ),
    "gate_log_export": (
        "a1_officer",
        lambda w, c: reverse("gate_log_export", kwargs={"enterprise_id": w.a1.pk}),
    ),
    "oversight_park_export": (
        "park_a_admin",
        lambda w, c: reverse("oversight_park_export", kwargs={"jurisdiction_id": w.park_a.pk}),
    ),
    "oversight_park_assessment_export": ("park_a_admin", _assessment),
    "privacy_export": (
        "a1_employee",
        lambda w, c: reverse("privacy_export", kwargs={"person_id": w.a1_employee_person.pk}),
    ),
    "reporting_export": ("park_a_admin", _daily_report),
    "reporting_rollup_export": (
        "park_a_admin",
        lambda w, c: reverse("reporting_rollup_export", kwargs={"jurisdiction_id": w.park_a.pk}),
    ),
    "supplies_disinfection_export": (
        "a1_officer",
        lambda w, c: reverse("supplies_disinfection_export", kwargs={"enterprise_id": w.a1.pk}),
    ),
    "supplies_export": (
        "a1_officer",
        lambda w, c: reverse("supplies_export", kwargs={"enterprise_id": w.a1.pk}),
    ),
    "logistics_trucks_export": (
        "a1_officer",
        lambda w, c: reverse("logistics_trucks_export", kwargs={"enterprise_id": w.a1.pk}),
    ),
    "logistics_passes_export": (
        "a1_officer",
        lambda w, c: reverse("logistics_passes_export", kwargs={"enterprise_id": w.a1.pk}),
    ),
    "logistics_parcels_export": (
        "a1_officer",
        lambda w, c: reverse("logistics_parcels_export", kwargs={"enterprise_id": w.a1.pk}),
    ),
}


# Exports whose rows this world leaves empty (no gate checks, no findings): only their
# headers are read here; their cells go through the same sheet class as every other.
HEADERS_ONLY = {"gate_log_export", "oversight_park_export"}


def test_every_spreadsheet_view_is_walked_here() -> None:
    routes = _route_views()
    walked = {routes[name] for name in EXPORTS}
    missing = sorted(_spreadsheet_views() - walked)
    assert not missing, "这些视图导出表格，请加入 EXPORTS 以检查公式中和：\n" + "\n".join(missing)


def _cells(body: bytes) -> list[str]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return [
        str(cell)
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
        for cell in row
        if isinstance(cell, str)
    ]


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_export_neutralises_formulas(
    world: World, client_as: Callable[[str | None], Client], name: str
) -> None:
    persona, url_of = EXPORTS[name]
    client = client_as(persona)
    url = url_of(world, client)
    _poison(world)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    cells = _cells(response.content)
    assert cells, url
    dangerous = [c for c in cells if DANGEROUS.match(c)]
    assert not dangerous, f"{name}: {dangerous[:5]}"
    if name not in HEADERS_ONLY:
        neutralised = [c for c in cells if any(c.startswith("'" + f[:2]) for f in FORMULAS)]
        assert neutralised, f"{name}: 导出中没有出现被中和的名称，检查不到公式中和"


def test_the_safe_sheet_neutralises_every_way_of_writing() -> None:
    out = io.BytesIO()
    book = xlsx.workbook(out, in_memory=True)
    sheet = book.add_worksheet("s")
    for col, value in enumerate(FORMULAS):
        sheet.write(0, col, value)
        sheet.write_string(1, col, value)
        sheet.write_comment(1, col, value)
    sheet.write_row(2, 0, FORMULAS)
    sheet.write_column(3, 0, FORMULAS)
    sheet.write(8, 0, "http://evil.example/")
    sheet.write(8, 1, 42)
    with pytest.raises(ValueError, match="不写公式"):
        sheet.write_formula(9, 0, "=1+1")
    book.close()
    cells = _cells(out.getvalue())
    assert [c for c in cells if DANGEROUS.match(c)] == []
    assert "'" + FORMULAS[0] in cells and "'@SUM(A1)" in cells
    assert "http://evil.example/" in cells
    assert xlsx.cell_safe("甲一") == "甲一" and xlsx.cell_safe(None) == ""


def test_the_csv_writer_neutralises_every_cell() -> None:
    import csv

    body = xlsx.csv_bytes(FORMULAS, [FORMULAS, ["甲一", 42, None, 'a,b\n"c"']])
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    cells = [c for row in rows for c in row]
    assert [c for c in cells if DANGEROUS.match(c)] == []
    assert rows[0] == ["'" + f for f in FORMULAS]
    assert rows[2] == ["甲一", "42", "", 'a,b\n"c"']
