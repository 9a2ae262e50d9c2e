"""Checking ledger rows against one enterprise: every mistake found, good rows made stageable.

The ID number's format (checksum, birth date, region, mask, tail, gender, digest) is
`parkguard.people.identity`'s alone; this module only calls it.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from parkguard.orgs.models import Enterprise
from parkguard.orgs.selectors import enterprise_place_tree, unit_paths
from parkguard.people.choices import (
    EmploymentStatus,
    ImportAction,
    StaffCategory,
)
from parkguard.people.columns import COLUMNS, HEADER_KEYS, header_normalise
from parkguard.people.identity import (
    IdentityError,
    IdNumber,
    id_check,
    id_cipher,
    id_digester,
    id_normalise,
    id_parse,
    id_tail,
    phone_mask,
    phone_parse,
    phone_sealer,
)
from parkguard.people.importing.cells import (
    FALSE,
    TRUE,
    cell_date,
    cell_text,
    choices_by_text,
    error,
    shown,
)
from parkguard.people.importing.messages import (
    AGENCY_REQUIRED,
    BOOL_INVALID,
    CATEGORY_UNKNOWN,
    COMMUNITY_AMBIGUOUS,
    COMMUNITY_UNKNOWN,
    DATE_INVALID,
    DOSES_INVALID,
    DUPLICATE_IN_FILE,
    GRID_NEEDS_COMMUNITY,
    GRID_UNKNOWN,
    ID_AS_NUMBER,
    LEFT_BEFORE_JOINED,
    MISSING_COLUMNS,
    NO_HEADER,
    NO_ROWS,
    REQUIRED,
    ROW_KEY_ID_MISMATCH,
    ROW_KEY_INVALID,
    ROW_KEY_OTHER_ENTERPRISE,
    ROW_KEY_REPEATED,
    ROW_KEY_UNKNOWN,
    STATUS_UNKNOWN,
    TOO_LONG,
    UNIT_AMBIGUOUS,
    UNIT_UNKNOWN,
    choices_hint,
)
from parkguard.people.models import Person
from parkguard.people.pinyin import name_initials
from parkguard.people.rowkeys import row_key_read
from parkguard.rules.params import staff_rules

MAX_DOSES = 9  # a sanity bound on a typed number, not a policy figure
PROGRESS_EVERY = 2000
PREVIEW_ROWS = 500  # rows the preview lists one by one (the counts cover every row)

# Person fields an import row sets, in the order of the staging table after the identity.
ROW_FIELDS = (
    "name",
    "name_initials",
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

# Person fields derived from another (not shown as a change of their own).
_DERIVED = frozenset({"name_initials"})
FIELD_LABELS = {
    "name": "姓名",
    "name_initials": "拼音首字母",
    "phone": "手机号",
    "category": "人员类别",
    "org_unit_id": "部门/车间/班组",
    "post": "岗位",
    "wide_contact": "社会接触面广的岗位",
    "labour_agency": "劳务/外包单位",
    "workshop": "车间",
    "dormitory": "宿舍",
    "shift": "班次",
    "home_community_id": "居住社区",
    "home_grid_id": "所属网格",
    "home_address": "现住址",
    "vaccination_doses": "疫苗接种剂次",
    "status": "在岗状态",
    "joined_on": "入职日期",
    "left_on": "离职日期",
}
PHONE_AT = ROW_FIELDS.index("phone")
_MISSING = object()
_CREATE = ImportAction.CREATE.value
_UPDATE = ImportAction.UPDATE.value


@dataclass
class Checked:
    """The outcome of checking a file: every error, and the rows to stage if there are none."""

    total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    staged: list[tuple[Any, ...]] = field(default_factory=list)
    create: int = 0
    update: int = 0
    unchanged: int = 0
    # What the preview shows (first PREVIEW_ROWS rows that change): masked, never an ID.
    changes: list[dict[str, Any]] = field(default_factory=list)
    # Column key → position in the file, and the header's row index (for the error workbook).
    positions: dict[str, int] = field(default_factory=dict)
    header_at: int = 0


class LedgerRowChecker:
    """Checks rows against one enterprise's ledger; lookups are loaded once per file."""

    def __init__(self, *, enterprise: Enterprise, today: dt.date) -> None:
        self.enterprise = enterprise
        self.today = today
        self.categories = choices_by_text(StaffCategory.choices)
        self.category_hint = "、".join(str(label) for _, label in StaffCategory.choices)
        self.statuses = choices_by_text(EmploymentStatus.choices)
        self.status_hint = "、".join(str(label) for _, label in EmploymentStatus.choices)
        self._load_units()
        self._load_places()
        self.existing: dict[str, tuple[Any, ...]] = {}
        # By person id, for rows named by their row key: digest, mask, tail, gender, birth.
        self.by_pk: dict[int, tuple[Any, ...]] = {}
        self.by_digest_mask: dict[str, str] = {}
        for row in Person.objects.filter(enterprise=enterprise).values_list(
            "id_digest", "pk", "id_masked", "id_tail", "gender", "birth_date", *ROW_FIELDS
        ):
            self.existing[row[0]] = tuple(row[6:])
            self.by_pk[row[1]] = row[:1] + row[2:6]
            self.by_digest_mask[row[0]] = row[2]
        # Per-file work done once: one cipher, keys read once, memos.
        self.cipher = id_cipher()
        self.digest = id_digester()
        self.seal = phone_sealer()
        self._needs_agency: dict[str, bool] = {}
        self.regions: dict[str, bool] = {}
        self._units: dict[str, tuple[int | None, str]] = {}
        self._dates: dict[str, dt.date | None] = {}
        self._wide_posts: dict[str, bool] = {}
        self._initials: dict[str, str] = {}
        # Wide-contact posts and agency categories the park's packs declare (J-1.5c).
        self.staff_rules = staff_rules(park=enterprise.jurisdiction, on=today)

    def _load_units(self) -> None:
        paths = unit_paths(enterprise_ids=[self.enterprise.pk])
        self.unit_paths: dict[str, int] = {path: pk for pk, path in paths.items()}
        self.unit_names: dict[str, list[int]] = {}
        for pk, path in paths.items():
            self.unit_names.setdefault(path.rsplit("/", 1)[-1], []).append(pk)
        self.unit_hint = choices_hint(sorted(self.unit_paths))
        self.unit_by_id = paths

    def _load_places(self) -> None:
        # Communities of the enterprise's county (the root of its park's path).
        self.communities: dict[str, list[int]] = {}
        self.grids: dict[tuple[int, str], int] = {}
        grid_names: dict[int, list[str]] = {}
        for item in enterprise_place_tree(enterprise=self.enterprise):
            community = item.community
            self.communities.setdefault(community.name, []).append(community.pk)
            for grid in item.grids:
                self.grids[(community.pk, grid.name)] = grid.pk
                grid_names.setdefault(community.pk, []).append(grid.name)
        self.community_hint = choices_hint(sorted(self.communities))
        self.grid_hints = {pk: choices_hint(names) for pk, names in grid_names.items()}
        self.community_names = {pk: name for name, ids in self.communities.items() for pk in ids}
        self.place_names: dict[int, str] = dict(self.community_names)
        self.place_names.update({pk: name for (_c, name), pk in self.grids.items()})

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
        result.positions = positions
        result.header_at = header_at
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
            if progress is not None and done % PROGRESS_EVERY == 0:
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
                    if ids:
                        message = UNIT_AMBIGUOUS.format(value=shown(unit_text))
                    else:
                        message = UNIT_UNKNOWN.format(
                            value=shown(unit_text), choices=self.unit_hint
                        )
            found = self._units[text] = (unit_id, message)
        return found

    def _date(self, cell: Any) -> dt.date | None:
        """`cell_date`, memoised for text cells (a file repeats a few hundred dates)."""
        if cell.__class__ is not str:
            return cell_date(cell)
        found = self._dates.get(cell, _MISSING)
        if found is _MISSING:
            try:
                found = cell_date(cell)
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
            key_text,
        ) = [c.strip() if c.__class__ is str else cell_text(c) for c in cells]
        if not name:
            errors.append(error(row_no, "name", REQUIRED))
        elif len(name) > 50:
            errors.append(error(row_no, "name", TOO_LONG.format(max=50)))

        parsed: IdNumber | None = None
        digest = ""
        keyed: tuple[Any, ...] | None = None  # the person a row key names
        if key_text:
            keyed, message = self._keyed(key_text, id_text)
            if message:
                errors.append(error(row_no, "row_key", message))
            elif keyed is not None:
                digest = keyed[0]
                if phone and phone == phone_mask(self.existing[digest][PHONE_AT]):
                    phone = self.existing[digest][PHONE_AT]  # a masked phone left as exported
                first = seen.get(digest)
                if first is not None:
                    errors.append(error(row_no, "row_key", ROW_KEY_REPEATED.format(row=first)))
                else:
                    seen[digest] = row_no
        if key_text:  # the row key names the person; the ID column may hold the mask
            pass
        elif isinstance(cells[1], float):
            errors.append(error(row_no, "id_number", ID_AS_NUMBER))
        elif id_text == "":
            errors.append(error(row_no, "id_number", REQUIRED))
        else:
            try:
                # `id_parse`, in its two steps: the birth date comes back, nothing is redone.
                number = id_normalise(id_text)
                birth = id_check(number, today=self.today, regions=self.regions)
            except IdentityError as exc:
                errors.append(error(row_no, "id_number", exc.message))
            else:
                parsed = IdNumber(number)
                digest = self.digest(number)
                first = seen.get(digest)
                if first is not None:
                    errors.append(error(row_no, "id_number", DUPLICATE_IN_FILE.format(row=first)))
                else:
                    seen[digest] = row_no

        if not phone:
            errors.append(error(row_no, "phone", REQUIRED))
        elif key_text and keyed is None and "*" in phone:
            pass  # an exported mask behind a refused row key: the key's message says it all
        else:
            try:
                phone = phone_parse(phone)
            except IdentityError as exc:
                errors.append(error(row_no, "phone", exc.message))

        category = self.categories.get(category_text, "")
        if not category_text:
            errors.append(error(row_no, "category", REQUIRED))
        elif not category:
            message = CATEGORY_UNKNOWN.format(
                value=shown(category_text), choices=self.category_hint
            )
            errors.append(error(row_no, "category", message))

        unit_id = None
        if unit_text:
            unit_id, message = self._unit(unit_text)
            if message:
                errors.append(error(row_no, "org_unit", message))

        wide_text = wide_text.lower()
        if wide_text in TRUE:
            wide = True
        elif wide_text == "" and post:
            memo = self._wide_posts.get(post)
            if memo is None:
                memo = self._wide_posts[post] = self.staff_rules.is_wide_contact_post(post)
            wide = memo
        elif wide_text in FALSE:
            wide = False
        else:
            wide = False
            errors.append(error(row_no, "wide_contact", BOOL_INVALID))

        needs_agency = self._needs_agency.get(category)
        if needs_agency is None:
            needs_agency = self._needs_agency[category] = self.staff_rules.needs_agency(category)
        if needs_agency and not agency:
            errors.append(error(row_no, "labour_agency", AGENCY_REQUIRED))

        community_id = None
        if community_text:
            ids = self.communities.get(community_text, [])
            if len(ids) == 1:
                community_id = ids[0]
            else:
                if ids:
                    message = COMMUNITY_AMBIGUOUS.format(value=shown(community_text))
                else:
                    message = COMMUNITY_UNKNOWN.format(
                        value=shown(community_text), choices=self.community_hint
                    )
                errors.append(error(row_no, "home_community", message))
        grid_id = None
        if grid_text:
            if not community_text:
                errors.append(error(row_no, "home_grid", GRID_NEEDS_COMMUNITY))
            elif community_id is not None:
                grid_id = self.grids.get((community_id, grid_text))
                if grid_id is None:
                    message = GRID_UNKNOWN.format(
                        community=self.community_names.get(community_id, ""),
                        value=shown(grid_text),
                        choices=self.grid_hints.get(community_id, choices_hint([])),
                    )
                    errors.append(error(row_no, "home_grid", message))

        doses = 0
        if doses_text:
            if doses_text.isdigit() and int(doses_text) <= MAX_DOSES:
                doses = int(doses_text)
            else:
                message = DOSES_INVALID.format(max=MAX_DOSES)
                errors.append(error(row_no, "vaccination_doses", message))

        status = self.statuses.get(status_text, "") if status_text else EmploymentStatus.ACTIVE
        if not status:
            message = STATUS_UNKNOWN.format(value=shown(status_text), choices=self.status_hint)
            errors.append(error(row_no, "status", message))

        joined_on: dt.date | None = None
        left_on: dt.date | None = None
        cell = cells[16]
        if not (cell == "" or cell is None):
            try:
                joined_on = self._date(cell)
            except (ValueError, OverflowError):
                errors.append(error(row_no, "joined_on", DATE_INVALID))
        cell = cells[17]
        if not (cell == "" or cell is None):
            try:
                left_on = self._date(cell)
            except (ValueError, OverflowError):
                errors.append(error(row_no, "left_on", DATE_INVALID))
        if joined_on and left_on and left_on < joined_on:
            errors.append(error(row_no, "left_on", LEFT_BEFORE_JOINED))

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
                    errors.append(error(row_no, key, TOO_LONG.format(max=limit)))

        if len(errors) > before or (parsed is None and keyed is None) or result.errors:
            # Once any row is bad nothing will be staged; keep checking for the preview only.
            return
        initials = self._initials.get(name)
        if initials is None:
            initials = self._initials[name] = name_initials(name)
        values = (
            name,
            initials,
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
            assert parsed is not None  # a keyed row always names someone in the ledger
            action = _CREATE
            encrypted = self.cipher.encrypt(parsed.value)
            result.create += 1
            if len(result.changes) < PREVIEW_ROWS:
                result.changes.append(
                    {"row": row_no, "action": _CREATE, "name": name, "id": parsed.masked}
                )
        elif current == values:
            result.unchanged += 1
            return
        else:
            action = _UPDATE
            encrypted = ""  # the person keeps their stored ciphertext
            result.update += 1
            if len(result.changes) < PREVIEW_ROWS:
                result.changes.append(self._change(row_no, name, digest, current, values))
        if keyed is not None:
            identity = (keyed[0], encrypted, keyed[1], keyed[2], keyed[3], keyed[4])
        else:
            assert parsed is not None
            identity = (
                digest,
                encrypted,
                parsed.masked,
                id_tail(parsed.value),
                parsed.gender,
                birth,
            )
        # The staging table is loaded by COPY / executemany, past the model field: seal the
        # phone here, so that neither it nor the ledger ever holds the clear number.
        stored = (*values[:PHONE_AT], self.seal(phone), *values[PHONE_AT + 1 :])
        result.staged.append((row_no, action, *identity, *stored))

    def _keyed(self, key_text: str, id_text: str) -> tuple[tuple[Any, ...] | None, str]:
        """The ledger person a row key names, or the message why it cannot be used."""
        found = row_key_read(key_text)
        if found is None:
            return None, ROW_KEY_INVALID
        enterprise_id, person_id = found
        if enterprise_id != self.enterprise.pk:
            return None, ROW_KEY_OTHER_ENTERPRISE
        person = self.by_pk.get(person_id)
        if person is None:
            return None, ROW_KEY_UNKNOWN
        if id_text and id_text != person[1]:
            try:
                other = id_parse(id_text, today=self.today, regions=self.regions).digest
            except IdentityError:
                other = ""
            if other != person[0]:
                return None, ROW_KEY_ID_MISMATCH
        return person, ""

    def _change(
        self, row_no: int, name: str, digest: str, old: tuple[Any, ...], new: tuple[Any, ...]
    ) -> dict[str, Any]:
        """One updated row as the preview shows it: each changed field, old → new, masked."""
        fields = []
        for index, key in enumerate(ROW_FIELDS):
            if key in _DERIVED or old[index] == new[index]:
                continue
            fields.append(
                {
                    "field": FIELD_LABELS[key],
                    "old": self._shown(key, old[index]),
                    "new": self._shown(key, new[index]),
                }
            )
        masked = self.by_digest_mask.get(digest, "")
        return {"row": row_no, "action": _UPDATE, "name": name, "id": masked, "fields": fields}

    def _shown(self, key: str, value: Any) -> str:
        if value is None or value == "":
            return "（空）"
        if key == "phone":
            return phone_mask(str(value))
        if key == "org_unit_id":
            return self.unit_by_id.get(value, "")
        if key in ("home_community_id", "home_grid_id"):
            return self.place_names.get(value, "")
        if key == "wide_contact":
            return "是" if value else "否"
        if key == "category":
            return str(StaffCategory(value).label) if value in StaffCategory.values else str(value)
        if key == "status":
            return (
                str(EmploymentStatus(value).label)
                if value in EmploymentStatus.values
                else str(value)
            )
        if isinstance(value, dt.date):
            return value.isoformat()
        return shown(str(value))
