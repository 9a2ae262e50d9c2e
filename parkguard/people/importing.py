"""Bringing a ledger spreadsheet in: check every row, stage, preview, then merge at once.

The flow is upload → check (inline for small files, a huey job for large ones) → a
preview listing every bad row → confirm → one set-based merge. One bad row and nothing
is written; a row identical to the ledger is left alone, so re-importing a file changes
nothing; a changed row updates the person with the same ID number.

The checked rows wait in `PersonImportRow` (loaded by COPY on PostgreSQL, executemany on
SQLite) and are merged by a few INSERT … SELECT / UPDATE … FROM statements, so the write
cost does not grow with Python objects per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import operator
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import connection, transaction
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.people.choices import (
    EmploymentStatus,
    ImportAction,
    ImportStatus,
    StaffCategory,
)
from parkguard.people.columns import BY_KEY, COLUMNS, HEADER_KEYS, header_normalise
from parkguard.people.identity import (
    IdentityError,
    id_check,
    id_cipher,
    id_mask,
    payload_cipher,
    phone_mask,
    phone_parse,
)
from parkguard.people.models import EmploymentEvent, Person, PersonImport, PersonImportRow
from parkguard.people.sheets import SheetError, sheet_precheck, sheet_rows
from parkguard.rules.params import staff_rules

REQUIRED = "必填，不能为空"
ID_AS_NUMBER = "身份证号被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"
CATEGORY_UNKNOWN = "人员类别“{value}”不存在，可填：{choices}"
STATUS_UNKNOWN = "在岗状态“{value}”不存在，可填：{choices}"
DUPLICATE_IN_FILE = "身份证号与第 {row} 行重复"
UNIT_UNKNOWN = "组织架构中没有“{value}”"
UNIT_AMBIGUOUS = "“{value}”有重名，请写完整路径，如 生产部/一车间/甲班"
COMMUNITY_UNKNOWN = "没有名为“{value}”的村（社区）"
COMMUNITY_AMBIGUOUS = "有多个名为“{value}”的村（社区），请联系园区管理员"
GRID_UNKNOWN = "该社区下没有名为“{value}”的网格"
GRID_NEEDS_COMMUNITY = "填写网格时须同时填写居住社区"
BOOL_INVALID = "应填“是”或“否”"
DOSES_INVALID = "应为 0 到 {max} 的整数"
DATE_INVALID = "日期格式不正确，应如 2022-03-01"
LEFT_BEFORE_JOINED = "离职日期早于入职日期"
AGENCY_REQUIRED = "按园区采用的规则包，该类人员须会同劳务派遣机构管理，请填写劳务/外包单位"
TOO_LONG = "不能超过 {max} 个字"
NO_HEADER = "找不到表头：请使用导入模板，第一行为列名"
MISSING_COLUMNS = "缺少必填列：{columns}"
NO_ROWS = "文件中没有数据行"
NOT_READY = "该导入不是待确认状态，不能确认"
LEDGER_CHANGED = "预览之后台账发生了变化，请重新上传文件"
STAGE_LOST = "待导入的数据已失效（如服务器重启），台账未作任何修改，请重新上传文件"
APPLY_FAILED = "写入失败，台账未作任何修改，请重新上传或联系管理员"

MAX_DOSES = 9  # a sanity bound on a typed number, not a policy figure
# Files with more data rows than this are checked and merged by a background job.
BACKGROUND_FROM_ROWS = 5000
_PROGRESS_EVERY = 2000
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "", "×"}

# Person fields an import row sets, in the order of the staging table after the identity.
ROW_FIELDS = (
    "name",
    "phone",
    "category",
    "org_unit_id",
    "post",
    "wide_contact",
    "labour_agency",
    "workshop",
    "dormitory",
    "shift",
    "home_community_id",
    "home_grid_id",
    "home_address",
    "vaccination_doses",
    "status",
    "joined_on",
    "left_on",
)
_STAGE_FIELD = {"org_unit_id": "org_unit_id_ref", "home_community_id": "home_community_id_ref"}
_STAGE_FIELD["home_grid_id"] = "home_grid_id_ref"
STAGE_COLUMNS = (
    "batch_id",
    "row_no",
    "action",
    "id_digest",
    "id_encrypted",
    "id_masked",
    "id_tail",
    "gender",
    "birth_date",
    *(_STAGE_FIELD.get(f, f) for f in ROW_FIELDS),
)


# A run of digits, perhaps broken by spaces or hyphens, perhaps ending in an X: what an ID
# number or a phone looks like however it was typed (full-width digits included).
_DIGIT_RUN = re.compile(r"\d(?:[\s\-－]*\d)*(?:[\s\-－]*[XxＸｘ])?")
_SHOWN_MAX = 50


def _mask_run(match: re.Match[str]) -> str:
    digits = unicodedata.normalize("NFKC", "".join(match.group().split())).replace("-", "")
    digits = digits.upper()
    count = sum(ch.isdigit() for ch in digits)
    if count < 7:
        return match.group()
    if count >= 15:  # 15/17/18-digit ID numbers, with or without their check character
        return id_mask(digits)
    if count == 11:
        return phone_mask(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def _shown(value: str) -> str:
    """A cell value as an error message may echo it: ID- and phone-like digits masked.

    Error lists are stored and shown (`PersonImport.errors`, the preview page, the API), so
    an ID number typed into the wrong column must never reach them in clear.
    """
    shown = _DIGIT_RUN.sub(_mask_run, value)
    return shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 1] + "…"


def _error(row: int, key: str, message: str) -> dict[str, Any]:
    column = BY_KEY[key].header if key in BY_KEY else ""
    return {"row": row, "column": column, "message": message}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MISSING = object()
_CREATE = ImportAction.CREATE.value
_UPDATE = ImportAction.UPDATE.value


def _date(value: Any) -> dt.date | None:
    """A date cell: a real date, an Excel serial number, or text such as 2022-3-1 / 2022年3月1日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return dt.date.fromisoformat(text)
    if text.isdigit() and len(text) == 8:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    for sep in ("年", "月", "/", ".", "日"):
        text = text.replace(sep, "-")
    parts = [p for p in text.split(" ")[0].split("-") if p]
    if len(parts) != 3:
        raise ValueError
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


def _choices_by_text(choices: Sequence[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in choices:
        found[value] = value
        found[str(label)] = value
    return found


@dataclass
class Checked:
    """The outcome of checking a file: every error, and the rows to stage if there are none."""

    total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    staged: list[tuple[Any, ...]] = field(default_factory=list)
    create: int = 0
    update: int = 0
    unchanged: int = 0


class LedgerRowChecker:
    """Checks rows against one enterprise's ledger; lookups are loaded once per file."""

    def __init__(self, *, enterprise: Enterprise, today: dt.date) -> None:
        self.enterprise = enterprise
        self.today = today
        self.categories = _choices_by_text(StaffCategory.choices)
        self.category_hint = "、".join(str(label) for _, label in StaffCategory.choices)
        self.statuses = _choices_by_text(EmploymentStatus.choices)
        self.status_hint = "、".join(str(label) for _, label in EmploymentStatus.choices)
        self._load_units()
        self._load_places()
        self.existing: dict[str, tuple[Any, ...]] = {
            row[0]: tuple(row[1:])
            for row in Person.objects.filter(enterprise=enterprise).values_list(
                "id_digest", *ROW_FIELDS
            )
        }
        # Per-file work done once: one keyed HMAC copied per row, one cipher, memos.
        self._hmac = hmac.new(settings.ID_HMAC_KEY.encode(), digestmod=hashlib.sha256)
        self.cipher = id_cipher()
        self.regions: dict[str, bool] = {}
        self._units: dict[str, tuple[int | None, str]] = {}
        self._dates: dict[str, dt.date | None] = {}
        self._wide_posts: dict[str, bool] = {}
        # Wide-contact posts and agency categories the park's packs declare (J-1.5c).
        self.staff_rules = staff_rules(park=enterprise.jurisdiction, on=today)

    def _load_units(self) -> None:
        units = list(
            OrgUnit.objects.filter(enterprise=self.enterprise).values("id", "parent_id", "name")
        )
        by_id = {u["id"]: u for u in units}
        self.unit_paths: dict[str, int] = {}
        self.unit_names: dict[str, list[int]] = {}
        for unit in units:
            names = [unit["name"]]
            parent = by_id.get(unit["parent_id"])
            while parent is not None:
                names.append(parent["name"])
                parent = by_id.get(parent["parent_id"])
            self.unit_paths["/".join(reversed(names))] = unit["id"]
            self.unit_names.setdefault(unit["name"], []).append(unit["id"])

    def _load_places(self) -> None:
        # Communities of the enterprise's county (the root of its park's path).
        root = self.enterprise.jurisdiction.path.split("/")[1]
        places = Jurisdiction.objects.filter(
            path__startswith=f"/{root}/",
            kind__in=[JurisdictionKind.COMMUNITY, JurisdictionKind.GRID],
        ).values_list("id", "kind", "name", "parent_id")
        self.communities: dict[str, list[int]] = {}
        self.grids: dict[tuple[int, str], int] = {}
        for pk, kind, name, parent_id in places:
            if kind == JurisdictionKind.COMMUNITY:
                self.communities.setdefault(name, []).append(pk)
            else:
                self.grids[(parent_id, name)] = pk

    def check(
        self,
        rows: list[list[Any]],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> Checked:
        result = Checked()
        header_at = next(
            (
                i
                for i, row in enumerate(rows[:20])
                if any(header_normalise(cell) in HEADER_KEYS for cell in row)
            ),
            None,
        )
        if header_at is None:
            result.errors.append({"row": 1, "column": "", "message": NO_HEADER})
            return result
        positions: dict[str, int] = {}
        for pos, cell in enumerate(rows[header_at]):
            key = HEADER_KEYS.get(header_normalise(cell))
            if key is not None and key not in positions:
                positions[key] = pos
        missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
        if missing:
            message = MISSING_COLUMNS.format(columns="、".join(missing))
            result.errors.append({"row": header_at + 1, "column": "", "message": message})
            return result
        order = [positions.get(c.key, -1) for c in COLUMNS]
        # Every column present (the template): one C-level pick per row; else pad per row.
        pick = operator.itemgetter(*order) if min(order) >= 0 else None
        need = max(order) + 1
        seen: dict[str, int] = {}
        data_rows = range(header_at + 1, len(rows))
        total = len(data_rows)
        check_row = self._check_row
        for done, index in enumerate(data_rows, start=1):
            raw = rows[index]
            width = len(raw)
            if pick is not None and width >= need:
                cells: Sequence[Any] = pick(raw)
            else:
                cells = [raw[p] if 0 <= p < width else "" for p in order]
            if not any(cells):  # blank line (empty strings, None)
                continue
            result.total += 1
            check_row(index + 1, cells, seen, result)
            if progress is not None and done % _PROGRESS_EVERY == 0:
                progress(done, total)
        if result.total == 0:
            result.errors.append({"row": header_at + 2, "column": "", "message": NO_ROWS})
        if result.errors:
            result.staged.clear()
        return result

    def _unit(self, text: str) -> tuple[int | None, str]:
        """An org unit cell → (id, error message); memoised, a file repeats a few units."""
        found = self._units.get(text)
        if found is None:
            unit_text = text.replace("／", "/").replace(" ", "")
            unit_id = self.unit_paths.get(unit_text)
            message = ""
            if unit_id is None:
                ids = self.unit_names.get(unit_text, [])
                if len(ids) == 1:
                    unit_id = ids[0]
                else:
                    template = UNIT_AMBIGUOUS if ids else UNIT_UNKNOWN
                    message = template.format(value=_shown(unit_text))
            found = self._units[text] = (unit_id, message)
        return found

    def _date(self, cell: Any) -> dt.date | None:
        """`_date`, memoised for text cells (a file repeats a few hundred dates)."""
        if cell.__class__ is not str:
            return _date(cell)
        found = self._dates.get(cell, _MISSING)
        if found is _MISSING:
            try:
                found = _date(cell)
            except (ValueError, OverflowError):
                found = None
            self._dates[cell] = found
        if found is None:
            raise ValueError(cell)
        return found  # type: ignore[return-value]

    def _check_row(
        self, row_no: int, cells: Sequence[Any], seen: dict[str, int], result: Checked
    ) -> None:
        errors = result.errors
        before = len(errors)
        (
            name,
            id_text,
            phone,
            category_text,
            unit_text,
            post,
            wide_text,
            agency,
            workshop,
            dormitory,
            shift,
            community_text,
            grid_text,
            address,
            doses_text,
            status_text,
            _joined_text,
            _left_text,
        ) = [c.strip() if c.__class__ is str else _text(c) for c in cells]
        if not name:
            errors.append(_error(row_no, "name", REQUIRED))
        elif len(name) > 50:
            errors.append(_error(row_no, "name", TOO_LONG.format(max=50)))

        number = ""
        birth = None
        digest = ""
        if isinstance(cells[1], float):
            errors.append(_error(row_no, "id_number", ID_AS_NUMBER))
        elif id_text == "":
            errors.append(_error(row_no, "id_number", REQUIRED))
        else:
            number = "".join(id_text.split()).upper()
            try:
                birth = id_check(number, today=self.today, regions=self.regions)
            except IdentityError as exc:
                errors.append(_error(row_no, "id_number", exc.message))
            else:
                h = self._hmac.copy()
                h.update(number.encode())
                digest = h.hexdigest()
                first = seen.get(digest)
                if first is not None:
                    errors.append(_error(row_no, "id_number", DUPLICATE_IN_FILE.format(row=first)))
                else:
                    seen[digest] = row_no

        if not phone:
            errors.append(_error(row_no, "phone", REQUIRED))
        else:
            try:
                phone = phone_parse(phone)
            except IdentityError as exc:
                errors.append(_error(row_no, "phone", exc.message))

        category = self.categories.get(category_text, "")
        if not category_text:
            errors.append(_error(row_no, "category", REQUIRED))
        elif not category:
            message = CATEGORY_UNKNOWN.format(
                value=_shown(category_text), choices=self.category_hint
            )
            errors.append(_error(row_no, "category", message))

        unit_id = None
        if unit_text:
            unit_id, message = self._unit(unit_text)
            if message:
                errors.append(_error(row_no, "org_unit", message))

        wide_text = wide_text.lower()
        if wide_text in _TRUE:
            wide = True
        elif wide_text == "" and post:
            memo = self._wide_posts.get(post)
            if memo is None:
                memo = self._wide_posts[post] = self.staff_rules.is_wide_contact_post(post)
            wide = memo
        elif wide_text in _FALSE:
            wide = False
        else:
            wide = False
            errors.append(_error(row_no, "wide_contact", BOOL_INVALID))

        if self.staff_rules.needs_agency(category) and not agency:
            errors.append(_error(row_no, "labour_agency", AGENCY_REQUIRED))

        community_id = None
        if community_text:
            ids = self.communities.get(community_text, [])
            if len(ids) == 1:
                community_id = ids[0]
            else:
                template = COMMUNITY_AMBIGUOUS if ids else COMMUNITY_UNKNOWN
                errors.append(
                    _error(row_no, "home_community", template.format(value=_shown(community_text)))
                )
        grid_id = None
        if grid_text:
            if not community_text:
                errors.append(_error(row_no, "home_grid", GRID_NEEDS_COMMUNITY))
            elif community_id is not None:
                grid_id = self.grids.get((community_id, grid_text))
                if grid_id is None:
                    errors.append(
                        _error(row_no, "home_grid", GRID_UNKNOWN.format(value=_shown(grid_text)))
                    )

        doses = 0
        if doses_text:
            if doses_text.isdigit() and int(doses_text) <= MAX_DOSES:
                doses = int(doses_text)
            else:
                message = DOSES_INVALID.format(max=MAX_DOSES)
                errors.append(_error(row_no, "vaccination_doses", message))

        status = self.statuses.get(status_text, "") if status_text else EmploymentStatus.ACTIVE
        if not status:
            message = STATUS_UNKNOWN.format(value=_shown(status_text), choices=self.status_hint)
            errors.append(_error(row_no, "status", message))

        joined_on: dt.date | None = None
        left_on: dt.date | None = None
        cell = cells[16]
        if not (cell == "" or cell is None):
            try:
                joined_on = self._date(cell)
            except (ValueError, OverflowError):
                errors.append(_error(row_no, "joined_on", DATE_INVALID))
        cell = cells[17]
        if not (cell == "" or cell is None):
            try:
                left_on = self._date(cell)
            except (ValueError, OverflowError):
                errors.append(_error(row_no, "left_on", DATE_INVALID))
        if joined_on and left_on and left_on < joined_on:
            errors.append(_error(row_no, "left_on", LEFT_BEFORE_JOINED))

        if (
            len(post) > 50
            or len(agency) > 100
            or len(workshop) > 50
            or len(dormitory) > 50
            or len(shift) > 30
            or len(address) > 200
        ):
            texts = (
                ("post", post, 50),
                ("labour_agency", agency, 100),
                ("workshop", workshop, 50),
                ("dormitory", dormitory, 50),
                ("shift", shift, 30),
                ("home_address", address, 200),
            )
            for key, value, limit in texts:
                if len(value) > limit:
                    errors.append(_error(row_no, key, TOO_LONG.format(max=limit)))

        if len(errors) > before or birth is None or result.errors:
            # Once any row is bad nothing will be staged; keep checking for the preview only.
            return
        values = (
            name,
            phone,
            category,
            unit_id,
            post,
            wide,
            agency,
            workshop,
            dormitory,
            shift,
            community_id,
            grid_id,
            address,
            doses,
            status,
            joined_on,
            left_on,
        )
        current = self.existing.get(digest)
        if current is None:
            action = _CREATE
            encrypted = self.cipher.encrypt(number)
            result.create += 1
        elif current == values:
            result.unchanged += 1
            return
        else:
            action = _UPDATE
            encrypted = ""  # the person keeps their stored ciphertext
            result.update += 1
        result.staged.append(
            (
                row_no,
                action,
                digest,
                encrypted,
                number[:4] + "**********" + number[14:],
                number[14:],
                "male" if int(number[16]) % 2 else "female",
                birth,
                *values,
            )
        )


def _stage(batch: PersonImport, staged: list[tuple[Any, ...]]) -> None:
    """Load checked rows into the staging table: COPY on PostgreSQL, executemany on SQLite."""
    table = PersonImportRow._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in STAGE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE batch_id = %s", [batch.pk])
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in staged:
                    copy.write_row((batch.pk, *row))
        else:
            marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            step = 5000
            for start in range(0, len(staged), step):
                cursor.executemany(sql, [(batch.pk, *r) for r in staged[start : start + step]])


def _progress_saver(batch_id: int) -> Callable[[int, int], None]:
    def save(done: int, total: int) -> None:
        PersonImport.objects.filter(pk=batch_id).update(processed_rows=done, total_rows=total)

    return save


def person_import_check(*, batch: PersonImport, data: bytes, kind: str, today: dt.date) -> None:
    """Check a file and stage its rows; the batch ends INVALID (with every error) or READY."""
    PersonImport.objects.filter(pk=batch.pk).update(status=ImportStatus.VALIDATING)
    try:
        rows = sheet_rows(data=data, kind=kind)
    except SheetError as exc:
        rows = []
        checked = Checked(errors=[{"row": 0, "column": "", "message": exc.message}])
    else:
        if len(rows) - 1 > settings.IMPORT_MAX_ROWS:  # the declared size can be absent
            message = f"数据行数超过上限 {settings.IMPORT_MAX_ROWS} 行，请拆分后分批导入"
            checked = Checked(errors=[{"row": 0, "column": "", "message": message}])
        else:
            checker = LedgerRowChecker(enterprise=batch.enterprise, today=today)
            checked = checker.check(rows, progress=_progress_saver(batch.pk))
    with transaction.atomic():
        if not checked.errors:
            _stage(batch, checked.staged)
        batch.status = ImportStatus.INVALID if checked.errors else ImportStatus.READY
        batch.total_rows = checked.total
        batch.processed_rows = checked.total
        batch.errors = checked.errors
        batch.create_count = checked.create
        batch.update_count = checked.update
        batch.unchanged_count = checked.unchanged
        batch.payload = b""
        batch.save()


def person_import_start(
    *,
    enterprise: Enterprise,
    actor: User | None,
    filename: str,
    data: bytes,
    today: dt.date,
) -> PersonImport:
    """Accept an upload. Raises SheetError, before parsing, for a file over a limit or not a table.

    Small files are checked at once; larger ones go to a background job (progress is kept on
    the batch). Either way nothing touches the ledger until `person_import_confirm`.
    """
    info = sheet_precheck(
        data=data,
        filename=filename,
        max_bytes=settings.IMPORT_MAX_BYTES,
        max_rows=settings.IMPORT_MAX_ROWS,
    )
    kind = info.kind
    if info.rows - 1 < BACKGROUND_FROM_ROWS:
        batch = PersonImport.objects.create(
            enterprise=enterprise, created_by=actor, filename=filename[:200]
        )
        person_import_check(batch=batch, data=data, kind=kind, today=today)
    else:
        # The upload waits for the worker in the database, encrypted like the ID numbers it holds.
        batch = PersonImport.objects.create(
            enterprise=enterprise,
            created_by=actor,
            filename=filename[:200],
            payload=payload_cipher().encrypt(data),
            total_rows=max(info.rows - 1, 0),
        )
        from parkguard.people.tasks import person_import_check_task

        transaction.on_commit(lambda: person_import_check_task(batch.pk, kind, today.isoformat()))
    batch.refresh_from_db()
    return batch


def person_import_check_job(*, batch_id: int, kind: str, today: dt.date) -> None:
    """The background half of `person_import_start`."""
    batch = PersonImport.objects.select_related("enterprise__jurisdiction").get(pk=batch_id)
    if batch.status != ImportStatus.QUEUED:
        return
    data = payload_cipher().decrypt(bytes(batch.payload))
    try:
        person_import_check(batch=batch, data=data, kind=kind, today=today)
    except Exception:
        PersonImport.objects.filter(pk=batch_id).update(
            status=ImportStatus.FAILED, message=APPLY_FAILED, payload=b""
        )
        raise


def person_import_confirm(
    *, batch: PersonImport, actor: AbstractBaseUser, today: dt.date
) -> PersonImport:
    """Confirm a READY import: merge it now, or in the background if it is large."""
    claimed = PersonImport.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
        status=ImportStatus.APPLYING, processed_rows=0
    )
    if not claimed:  # another request confirmed it first, or it has errors
        raise SheetError(NOT_READY)
    if batch.create_count + batch.update_count < BACKGROUND_FROM_ROWS:
        person_import_apply(batch_id=batch.pk, actor_id=actor.pk, today=today)
    else:
        from parkguard.people.tasks import person_import_apply_task

        person_import_apply_task(batch.pk, actor.pk, today.isoformat())
    batch.refresh_from_db()
    return batch


def person_import_apply(*, batch_id: int, actor_id: int | None, today: dt.date) -> None:
    """Merge the staged rows into the ledger in one transaction; any failure writes nothing."""
    try:
        counts = _merge(batch_id=batch_id, actor_id=actor_id, today=today)
    except Exception as exc:
        message = exc.message if isinstance(exc, SheetError) else APPLY_FAILED
        PersonImport.objects.filter(pk=batch_id).update(
            status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
        )
        if not isinstance(exc, SheetError):
            raise
        return
    PersonImport.objects.filter(pk=batch_id).update(
        status=ImportStatus.DONE,
        finished_at=timezone.now(),
        processed_rows=counts[0] + counts[1],
    )


@transaction.atomic
def _merge(*, batch_id: int, actor_id: int | None, today: dt.date) -> tuple[int, int]:
    batch = PersonImport.objects.select_for_update().get(pk=batch_id)
    now = timezone.now()
    person = Person._meta.db_table
    event = EmploymentEvent._meta.db_table
    stage = PersonImportRow._meta.db_table
    q = connection.ops.quote_name
    e = batch.enterprise_id
    create = ImportAction.CREATE.value
    update = ImportAction.UPDATE.value
    shared = list(ROW_FIELDS)
    set_list = ", ".join(f"{q(f)} = s.{q(_STAGE_FIELD.get(f, f))}" for f in shared)
    event_columns = f"person_id, status, {q('on')}, note, recorded_by_id, recorded_at"
    with connection.cursor() as c:
        staged = PersonImportRow.objects.filter(batch_id=batch_id).count()
        if staged != batch.create_count + batch.update_count:
            # The staged rows are gone (on PostgreSQL the staging table skips the WAL, so a
            # server crash empties it): never report a merge of nothing as done.
            raise SheetError(STAGE_LOST)
        # Someone may have added one of these people by hand since the preview.
        c.execute(
            f"UPDATE {stage} SET action = %s WHERE batch_id = %s AND action = %s AND EXISTS "
            f"(SELECT 1 FROM {person} p WHERE p.enterprise_id = %s "
            f"AND p.id_digest = {stage}.id_digest)",
            [update, batch_id, create, e],
        )
        # Status changes keep their history (J-2.1).
        c.execute(
            f"INSERT INTO {event} ({event_columns}) "
            f"SELECT p.id, s.status, CASE WHEN s.status = %s AND s.left_on IS NOT NULL "
            f"THEN s.left_on ELSE %s END, %s, %s, %s "
            f"FROM {stage} s JOIN {person} p ON p.enterprise_id = %s AND p.id_digest = s.id_digest "
            f"WHERE s.batch_id = %s AND s.action = %s AND p.status <> s.status",
            [EmploymentStatus.LEFT.value, today, "导入变更", actor_id, now, e, batch_id, update],
        )
        c.execute(
            f"UPDATE {person} AS p SET {set_list}, updated_at = %s FROM {stage} AS s "
            f"WHERE s.batch_id = %s AND s.action = %s AND p.enterprise_id = %s "
            f"AND p.id_digest = s.id_digest",
            [now, batch_id, update, e],
        )
        updated = c.rowcount
        identity = ["id_digest", "id_encrypted", "id_masked", "id_tail", "gender", "birth_date"]
        target = ", ".join(q(f) for f in ["enterprise_id", *identity, *shared])
        source = ", ".join(f"s.{q(_STAGE_FIELD.get(f, f))}" for f in [*identity, *shared])
        c.execute(
            f"INSERT INTO {person} ({target}, created_at, updated_at) "
            f"SELECT %s, {source}, %s, %s FROM {stage} s WHERE s.batch_id = %s AND s.action = %s",
            [e, now, now, batch_id, create],
        )
        created = c.rowcount
        if created + updated != staged:
            raise SheetError(LEDGER_CHANGED)
        c.execute(
            f"INSERT INTO {event} ({event_columns}) "
            f"SELECT p.id, p.status, COALESCE(p.joined_on, %s), %s, %s, %s "
            f"FROM {stage} s JOIN {person} p ON p.enterprise_id = %s AND p.id_digest = s.id_digest "
            f"WHERE s.batch_id = %s AND s.action = %s",
            [today, "导入建档", actor_id, now, e, batch_id, create],
        )
        c.execute(f"DELETE FROM {stage} WHERE batch_id = %s", [batch_id])
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    audit_record(
        actor=actor,
        action="person_import",
        at=now,
        target=batch,
        enterprise_id=e,
        detail={"created": created, "updated": updated, "file": batch.filename},
    )
    batch.create_count, batch.update_count = created, updated
    batch.save(update_fields=["create_count", "update_count"])
    return created, updated


@transaction.atomic
def person_import_cancel(*, batch: PersonImport) -> None:
    """Drop a pending import and its staged rows; the ledger is untouched."""
    if batch.status in (ImportStatus.READY, ImportStatus.INVALID, ImportStatus.QUEUED):
        PersonImportRow.objects.filter(batch=batch).delete()
        PersonImport.objects.filter(pk=batch.pk).update(
            status=ImportStatus.CANCELLED, payload=b"", finished_at=timezone.now()
        )
