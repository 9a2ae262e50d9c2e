"""Reading a lab's result file: which column is which (the lab's saved mapping, then common
header synonyms), and each cell's value (result words, times). Pure reading: no database.

A lab file's rows come out as `Parsed` tuples or as a row-level error; the set-based checks
across rows (duplicates, matching, enterprise) are the import's (importing.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from parkguard.people import sheets
from parkguard.sampling.choices import Column, Result

UNKNOWN_COLUMN = (
    "第 {column} 列“{header}”不是可识别的列：请在“列对应关系”中指定它对应的字段，或设为“不导入”"
)
MISSING_COLUMN = "文件中没有“{field}”列：请检查表头，或在“列对应关系”中指定"
DUPLICATE_COLUMN = "第 {column} 列“{header}”与前面的列对应同一字段“{field}”"
MISSING_SAMPLE_ID = "第 {row} 行：缺少条码号（样本编号）"
BAD_RESULT = "第 {row} 行“{column}”：检测结果“{value}”不在允许的取值内（阴性、阳性、无效）"
BAD_TIME = "第 {row} 行“{column}”：无法识别的时间“{value}”，应写成 2022-11-15 08:30 的形式"
FUTURE_TIME = "第 {row} 行“{column}”：时间晚于当前时间"
BAD_ID = "第 {row} 行“{column}”：身份证号格式不正确"
NO_HEADER = "没有找到表头：表头应含有“条码号”（或试管编码、样本编号、管码）和“检测结果”"

# Header words labs use, normalised (NFKC, no spaces, lower case), per field.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        [
            "条码号",
            "条码",
            "条形码",
            "试管编码",
            "试管条码",
            "试管号",
            "样本编号",
            "样本号",
            "样本条码",
            "管码",
            "采样管编号",
            "barcode",
            "sampleid",
            "sample_id",
        ],
        Column.BARCODE,
    ),
    **dict.fromkeys(["检测结果", "结果", "核酸结果", "核酸检测结果", "result"], Column.RESULT),
    **dict.fromkeys(["采样时间", "采集时间", "采样日期", "sampled_at"], Column.SAMPLED_AT),
    **dict.fromkeys(
        ["检测时间", "报告时间", "出结果时间", "检测日期", "tested_at"], Column.TESTED_AT
    ),
    **dict.fromkeys(["姓名", "受检者", "受检人", "name"], Column.NAME),
    **dict.fromkeys(
        ["身份证号", "身份证号码", "证件号码", "证件号", "id_number"], Column.ID_NUMBER
    ),
    **dict.fromkeys(["序号", "编号序号", "检测机构", "备注"], Column.IGNORE),
}

# Result words, normalised the same way (full-width brackets become ASCII by NFKC).
RESULT_WORDS: dict[str, str] = {
    **dict.fromkeys(["阴性", "阴性(-)", "阴", "negative", "neg", "-", "(-)"], Result.NEGATIVE),
    **dict.fromkeys(["阳性", "阳性(+)", "阳", "positive", "pos", "+", "(+)"], Result.POSITIVE),
    **dict.fromkeys(["无效", "无效样本", "invalid", "需重采"], Result.INVALID),
}

_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?)?$"
)


def normalise(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


class FileRefused(ValueError):
    """A file refused as a whole (columns, encoding, size); `message` is the Chinese text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Layout:
    """Which cell index holds which field; `headers` are the file's own words, for messages."""

    header_row: int  # 1-based row number of the header
    index: Mapping[str, int]
    headers: Mapping[str, str]
    # A .csv's text after the header and the header's width, for PostgreSQL's COPY fast path
    # (importing.py); None for an .xlsx or the API.
    body: str | None = None
    width: int = 0


def layout_find(rows: Sequence[Sequence[Any]], *, mapping: Mapping[str, str]) -> Layout:
    """The header among the first rows, resolved through the lab's mapping, then synonyms."""
    saved = {normalise(k): v for k, v in mapping.items()}
    for number, row in enumerate(rows[: sheets.HEADER_SEARCH_ROWS], start=1):
        words = [normalise(cell) for cell in row]
        fields = [saved.get(w) or SYNONYMS.get(w) for w in words]
        if Column.RESULT not in fields or Column.BARCODE not in fields:
            continue
        index: dict[str, int] = {}
        headers: dict[str, str] = {}
        for i, (word, field) in enumerate(zip(words, fields, strict=True)):
            if not word:
                continue
            if field is None:
                raise FileRefused(UNKNOWN_COLUMN.format(column=i + 1, header=str(row[i])))
            if field == Column.IGNORE:
                continue
            if field in index:
                raise FileRefused(
                    DUPLICATE_COLUMN.format(
                        column=i + 1, header=str(row[i]), field=Column(field).label
                    )
                )
            index[field] = i
            headers[field] = str(row[i]).strip()
        return Layout(header_row=number, index=index, headers=headers)
    raise FileRefused(NO_HEADER)


def file_rows(*, data: bytes, filename: str, limits: sheets.SheetLimits) -> Iterator[list[Any]]:
    """Every row of the file's first sheet, scanned for bombs first (people.sheets).

    A .csv is decoded as UTF-8 (with or without BOM), else GBK (GB 18030), and read as a
    stream; an .xlsx is read by calamine.
    """
    try:
        kind = sheets.sheet_kind(filename)
        sheets.sheet_scan(data=data, kind=kind, limits=limits)
        if kind == "xlsx":
            yield from sheets.sheet_parse(data=data, kind=kind, limits=limits)
            return
    except sheets.SheetError as error:
        raise FileRefused(error.message) from None
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise FileRefused(sheets.ENCODING_UNKNOWN)
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:
        raise FileRefused(sheets.NOT_SPREADSHEET) from None


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


# (row number, barcode, result, sampled_at, tested_at, clear ID number or "")
Parsed = tuple[int, str, str, dt.datetime | None, dt.datetime | None, str]


def _cell_text(value: object) -> str:
    """A barcode cell that is not text: an .xlsx number (12345.0 → "12345"), or empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class TimeReader:
    """Cell → aware datetime, cached per text: a lab's file repeats the same few times."""

    def __init__(self, tz: ZoneInfo) -> None:
        self._tz = tz
        self._cache: dict[object, dt.datetime | None] = {}

    def __call__(self, value: object) -> dt.datetime | None:
        """None for an unreadable value; raises nothing."""
        try:
            return self._cache[value]
        except KeyError:
            pass
        except TypeError:  # unhashable: not a time
            return None
        found = self._read(value)
        if len(self._cache) < _TIME_CACHE:
            self._cache[value] = found
        return found

    def _read(self, value: object) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=self._tz)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(), tzinfo=self._tz)
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = _TIME.match(text)
        if match is None:
            try:
                parsed = dt.datetime.fromisoformat(text)
            except ValueError:
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=self._tz)
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
        try:
            return dt.datetime(y, mo, d, h, mi, s, tzinfo=self._tz)
        except ValueError:
            return None


# Distinct time texts remembered per file (memory bound, not a policy number).
_TIME_CACHE = 100_000


def row_parser(
    layout: Layout, *, at: dt.datetime, tz: ZoneInfo
) -> Any:  # Callable[[int, Sequence[Any]], Parsed | list[RowError] | None]
    """A fast per-row reader for this layout: Parsed, a list of errors, or None (blank row)."""
    ix = layout.index
    heads = layout.headers
    i_bar = ix[Column.BARCODE]
    i_res = ix[Column.RESULT]
    i_smp = ix.get(Column.SAMPLED_AT)
    i_tst = ix.get(Column.TESTED_AT)
    i_id = ix.get(Column.ID_NUMBER)
    width = max(ix.values()) + 1
    words = RESULT_WORDS
    read_time = TimeReader(tz)
    result_cache: dict[str, str | None] = {}

    # Time texts already read and found not in the future: the common case, one dict lookup.
    good: dict[str, dt.datetime] = {}
    head_bar = heads.get(Column.BARCODE, "")
    head_res = heads[Column.RESULT]

    def when(number: int, field: str, value: Any, errors: list[RowError]) -> dt.datetime | None:
        found = read_time(value)
        if found is None:
            errors.append(
                RowError(
                    number,
                    heads[field],
                    BAD_TIME.format(row=number, column=heads[field], value=str(value)[:30]),
                )
            )
        elif found > at:
            errors.append(
                RowError(number, heads[field], FUTURE_TIME.format(row=number, column=heads[field]))
            )
            found = None
        elif isinstance(value, str) and len(good) < _TIME_CACHE:
            good[value] = found
        return found

    def parse(number: int, row: Sequence[Any]) -> Parsed | list[RowError] | None:
        if len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        code = row[i_bar]
        raw = row[i_res]
        if not code and not raw and not any(row):
            return None
        # Fast path: a text barcode, a known result word, times already seen (and past).
        barcode = code.strip() if isinstance(code, str) else _cell_text(code)
        text = raw if isinstance(raw, str) else str(raw)
        result = result_cache.get(text)
        if result is None:
            result = words.get(normalise(text))
            if result is not None:
                result_cache[text] = result
        sampled = tested = None
        errors: list[RowError] | None = None
        if i_smp is not None:
            value = row[i_smp]
            if value is not None and value != "":
                sampled = good.get(value) if isinstance(value, str) else None
                if sampled is None:
                    errors = errors or []
                    sampled = when(number, Column.SAMPLED_AT, value, errors)
        if i_tst is not None:
            value = row[i_tst]
            if value is not None and value != "":
                tested = good.get(value) if isinstance(value, str) else None
                if tested is None:
                    errors = errors or []
                    tested = when(number, Column.TESTED_AT, value, errors)
        if barcode and result is not None and not errors:
            clear_id = "" if i_id is None else str(row[i_id] or "").strip().upper()
            return (number, barcode, result, sampled, tested, clear_id)
        errors = errors or []
        if not barcode:
            errors.insert(0, RowError(number, head_bar, MISSING_SAMPLE_ID.format(row=number)))
        if result is None:
            errors.append(
                RowError(
                    number,
                    head_res,
                    BAD_RESULT.format(row=number, column=head_res, value=text[:20]),
                )
            )
        return errors

    return parse


def layout_for_api(fields: Iterable[str]) -> Layout:
    """The layout of the API's JSON rows, whose keys are the fields themselves."""
    order = list(fields)
    return Layout(
        header_row=0,
        index={f: i for i, f in enumerate(order)},
        headers={f: f for f in order},
    )
