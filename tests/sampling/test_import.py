"""Lab import (issue 11 §5, Z-3.2, Z-5.2b): .csv in UTF-8, UTF-8-BOM or GBK, .xlsx, header
synonyms and a lab's saved mapping; matched by barcode or by the ID number's HMAC;
idempotent; all-or-nothing; a dry run writes nothing; each bad input its own message."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import xlsxwriter
from django.db import connection

from parkguard.orgs.access import scope_for_user
from parkguard.people.importing.jobs import sheet_limits
from parkguard.people.models import Person
from parkguard.sampling import importing, jobs, labfile, services
from parkguard.sampling.choices import ImportState, Result, SampleKind
from parkguard.sampling.models import ResultImport, Sample
from parkguard.status.choices import HoldKind
from parkguard.status.models import PersonStatus, StatusHold
from parkguard.status.services import status_rebuild
from tests.factories import valid_id
from tests.sampling.conftest import AT, LATER, LabDay

HEADER = "条码号,姓名,检测结果,采样时间,检测时间\n"


def _tubes(t: LabDay, n: int = 3) -> list[Sample]:
    """Single tubes for the first n staff, and one pool of the rest."""
    scope = t.officer()
    tubes = [
        services.sample_take(
            scope=scope,
            round=t.round,
            barcode=f"T{i:04d}",
            kind=SampleKind.SINGLE,
            person_ids=[p.pk],
            at=AT,
            by=None,
        )
        for i, p in enumerate(t.staff[:n])
    ]
    tubes.append(
        services.sample_take(
            scope=scope,
            round=t.round,
            barcode="P0001",
            kind=SampleKind.POOL,
            person_ids=[p.pk for p in t.staff[n:]],
            at=AT,
            by=None,
        )
    )
    return tubes


def _run(
    t: LabDay, text: str | bytes, *, name: str = "lab.csv", dry_run: bool = False
) -> ResultImport:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return jobs.result_file_import(
        scope=t.officer(),
        lab=t.lab,
        enterprise=t.world.a1,
        data=data,
        filename=name,
        dry_run=dry_run,
        at=LATER,
        by=t.world.users["a1_officer"],
    )


def _csv(rows: list[str], header: str = HEADER) -> str:
    return header + "".join(r + "\n" for r in rows)


GOOD = [
    "T0000,甲一张三,阴性,2022-11-16 08:30,2022-11-16 12:00",
    "T0001,甲一李四,阴性(-),2022-11-16 08:30,2022-11-16 12:00",
    "T0002,x,negative,2022/11/16 08:30,2022/11/16 12:00",
    "P0001,,阳性(+),2022-11-16 08:30,2022-11-16 12:00",
]


def _snapshot() -> list[Any]:
    return [
        list(Sample.objects.order_by("pk").values_list("pk", "result", "result_at")),
        list(
            PersonStatus.objects.order_by("pk").values_list(
                "pk", "latest_negative_at", "pending_results", "on_hold"
            )
        ),
        list(StatusHold.objects.order_by("pk").values_list("pk", "cleared_at")),
    ]


@pytest.mark.django_db
def test_it_imports_a_csv_and_a_positive_pool_holds_every_member_z_5_2b(lab_day: LabDay) -> None:
    tubes = _tubes(lab_day)
    batch = _run(lab_day, _csv(GOOD))
    assert batch.state == ImportState.DONE, batch.errors
    assert batch.written == 4
    for tube in tubes:
        tube.refresh_from_db()
    assert [t.result for t in tubes] == [Result.NEGATIVE] * 3 + [Result.POSITIVE]
    first = PersonStatus.objects.get(pk=lab_day.staff[0].pk)
    assert first.latest_negative_at == AT and first.pending_results == 0
    pool_members = [p.pk for p in lab_day.staff[3:]]
    held = StatusHold.objects.filter(
        kind=HoldKind.RETEST, cleared_at=None, person_id__in=pool_members
    )
    assert held.count() == len(pool_members)
    assert all(PersonStatus.objects.get(pk=pk).on_hold for pk in pool_members)
    assert status_rebuild(at=LATER, write=False).differences == []


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(lab_day: LabDay) -> None:
    _tubes(lab_day)
    _run(lab_day, _csv(GOOD))
    before = _snapshot()
    again = _run(lab_day, _csv(GOOD))
    assert again.state == ImportState.DONE
    assert again.written == 0 and again.unchanged == 4
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(lab_day: LabDay) -> None:
    _tubes(lab_day)
    before = _snapshot()
    batch = _run(lab_day, _csv(GOOD), dry_run=True)
    assert batch.state == ImportState.CHECKED and batch.written == 4
    assert _snapshot() == before


@pytest.mark.django_db
def test_it_reads_gbk_and_bom_csv_and_synonym_headers(lab_day: LabDay) -> None:
    _tubes(lab_day)
    header = "试管编码,受检者,核酸结果,采集时间,报告时间\n"
    gbk = _run(lab_day, _csv(GOOD[:2], header).encode("gbk"))
    assert gbk.state == ImportState.DONE and gbk.written == 2, gbk.errors
    bom = _run(lab_day, "\ufeff" + _csv(GOOD[2:], "管码,姓名,检测结果,采样时间,检测时间\n"))
    assert bom.state == ImportState.DONE and bom.written == 2, bom.errors


@pytest.mark.django_db
def test_it_reads_an_xlsx(lab_day: LabDay) -> None:
    _tubes(lab_day)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["样本编号", "检测结果", "采样时间"])
    sheet.write_row(1, 0, ["T0000", "阴性", "2022-11-16 08:30"])
    sheet.write_datetime(
        2, 2, dt.datetime(2022, 11, 16, 8, 30), book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    )
    sheet.write(2, 0, "T0001")
    sheet.write(2, 1, "neg")
    book.close()
    batch = _run(lab_day, buffer.getvalue(), name="lab.xlsx")
    assert batch.state == ImportState.DONE and batch.written == 2, batch.errors


@pytest.mark.django_db
def test_a_labs_saved_mapping_reads_its_own_headers(lab_day: LabDay) -> None:
    _tubes(lab_day)
    header = "流水号,样品码,判定,备注说明\n"
    rows = ["1,T0000,阴性,", "2,T0001,阴性,"]
    refused = _run(lab_day, _csv(rows, header))
    assert refused.errors[0]["message"] == labfile.NO_HEADER
    services.lab_mapping_save(
        scope=lab_day.officer(),
        lab=lab_day.lab,
        enterprise=lab_day.world.a1,
        mapping={"流水号": "ignore", "样品码": "barcode", "判定": "result", "备注说明": "ignore"},
    )
    lab_day.lab.refresh_from_db()
    batch = _run(lab_day, _csv(rows, header))
    assert batch.state == ImportState.DONE and batch.written == 2, batch.errors


@pytest.mark.django_db
def test_it_matches_an_unknown_barcode_by_the_id_number_hmac(lab_day: LabDay) -> None:
    """The ID number is matched through its HMAC; it is never stored or reported in clear."""
    person = lab_day.world.a1_person
    number = valid_id(101)
    assert Person.objects.get(pk=person.pk).id_masked != number
    batch = _run(
        lab_day,
        _csv([f"L9001,{number},阴性,2022-11-16 07:00"], "条码号,身份证号,检测结果,采样时间\n"),
    )
    assert batch.state == ImportState.DONE and batch.errors == []
    sample = Sample.objects.get(barcode="L9001")
    assert list(sample.members.all()) == [person]
    assert PersonStatus.objects.get(pk=person.pk).latest_negative_at is not None
    assert number not in str(ResultImport.objects.get(pk=batch.pk).__dict__)


@pytest.mark.django_db
def test_unmatched_rows_are_reported_and_the_rest_written(lab_day: LabDay) -> None:
    _tubes(lab_day)
    batch = _run(lab_day, _csv([GOOD[0], "ZZ999,,阴性,2022-11-16 08:30,"]))
    assert batch.state == ImportState.DONE and batch.written == 1
    assert batch.unmatched[0]["message"] == importing.UNMATCHED.format(row=3, barcode="ZZ999")


# --- bad input: one bad row and nothing is written (issue 11 "Bad input") ------------------
def _refused(t: LabDay, text: str | bytes, **kw: Any) -> list[dict[str, Any]]:
    _tubes(t)
    before = _snapshot()
    batch = _run(t, text, **kw)
    assert batch.state == ImportState.INVALID
    assert _snapshot() == before, "a refused file wrote something"
    return batch.errors


@pytest.mark.django_db
def test_an_unknown_column_is_refused(lab_day: LabDay) -> None:
    errors = _refused(lab_day, _csv(GOOD, "条码号,姓名,检测结果,采样时间,检测时间,温度\n"))
    assert errors[0]["message"] == labfile.UNKNOWN_COLUMN.format(column=6, header="温度")


@pytest.mark.django_db
def test_a_missing_sample_id_is_refused(lab_day: LabDay) -> None:
    errors = _refused(lab_day, _csv([*GOOD, ",甲一王,阴性,2022-11-16 08:30,"]))
    assert errors == [
        {"row": 6, "column": "条码号", "message": labfile.MISSING_SAMPLE_ID.format(row=6)}
    ]


@pytest.mark.django_db
def test_a_sampling_time_in_the_future_is_refused(lab_day: LabDay) -> None:
    errors = _refused(lab_day, _csv([*GOOD[:3], "P0001,,阴性,2030-01-01 08:00,"]))
    assert errors[0]["message"] == labfile.FUTURE_TIME.format(row=5, column="采样时间")


@pytest.mark.django_db
def test_a_result_outside_the_allowed_values_is_refused(lab_day: LabDay) -> None:
    errors = _refused(lab_day, _csv([*GOOD[:3], "P0001,,可疑,2022-11-16 08:30,"]))
    assert errors[0]["message"] == labfile.BAD_RESULT.format(row=5, column="检测结果", value="可疑")


@pytest.mark.django_db
def test_a_sample_of_another_enterprise_is_refused(lab_day: LabDay) -> None:
    w = lab_day.world
    from parkguard.sampling.choices import RoundGroup, RoundKind

    a2 = scope_for_user(w.users["a2_officer"])
    r2 = services.round_plan(
        scope=a2,
        enterprise=w.a2,
        name="甲二",
        on=AT.date(),
        kind=RoundKind.FULL,
        group=RoundGroup.ALL,
        pool_size=10,
        at=AT,
        by=None,
    )
    services.sample_take(
        scope=a2,
        round=r2,
        barcode="A2-01",
        kind=SampleKind.SINGLE,
        person_ids=[w.a2_person.pk],
        at=AT,
        by=None,
    )
    errors = _refused(lab_day, _csv([*GOOD, "A2-01,,阴性,2022-11-16 08:30,"]))
    assert errors[0]["message"] == importing.OTHER_ENTERPRISE.format(row=6, barcode="A2-01")


@pytest.mark.django_db
def test_an_id_number_of_another_enterprise_is_refused(lab_day: LabDay) -> None:
    number = valid_id(201)  # 甲二王五, of A2
    errors = _refused(
        lab_day,
        _csv([f"L9002,{number},阴性,2022-11-16 07:00"], "条码号,身份证号,检测结果,采样时间\n"),
    )
    assert errors[0]["message"] == importing.OTHER_ENTERPRISE.format(row=2, barcode="L9002")
    assert number not in str(errors)


@pytest.mark.django_db
def test_the_same_sample_twice_with_different_results_is_refused(lab_day: LabDay) -> None:
    errors = _refused(lab_day, _csv([*GOOD, "T0000,甲一张三,阳性,2022-11-16 08:30,"]))
    assert errors[0]["message"] == importing.CONFLICT_IN_FILE.format(
        row=6, barcode="T0000", other=2
    )


@pytest.mark.django_db
def test_a_result_that_would_overwrite_a_stored_one_is_refused(lab_day: LabDay) -> None:
    _tubes(lab_day)
    _run(lab_day, _csv(GOOD))
    before = _snapshot()
    batch = _run(lab_day, _csv(["T0000,甲一张三,阳性,2022-11-16 08:30,"]))
    assert batch.state == ImportState.INVALID
    assert batch.errors[0]["message"] == importing.CONFLICT_STORED.format(
        row=2, barcode="T0000", stored="阴性"
    )
    assert _snapshot() == before


@pytest.mark.django_db
def test_an_unreadable_time_is_refused(lab_day: LabDay) -> None:
    errors = _refused(lab_day, _csv([*GOOD[:3], "P0001,,阴性,昨天上午,"]))
    assert errors[0]["message"] == labfile.BAD_TIME.format(
        row=5, column="采样时间", value="昨天上午"
    )


@pytest.mark.django_db
def test_postgresql_copies_a_clean_csv_and_falls_back_on_a_ragged_one(lab_day: LabDay) -> None:
    """The COPY fast path gives the same result as the row reader; a file it cannot read
    cleanly (a ragged row) goes to the row reader, which names the problem."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    _tubes(lab_day)
    data = _csv(GOOD).encode("gbk")
    layout, rows = importing.file_layout(
        data=data, filename="lab.csv", lab=lab_day.lab, limits=sheet_limits()
    )
    _, report = importing.results_import(
        scope=lab_day.officer(),
        lab=lab_day.lab,
        enterprise=lab_day.world.a1,
        layout=layout,
        rows=rows,
        dry_run=False,
        at=LATER,
        by=None,
    )
    assert report.copied and report.written == 4 and not report.errors
    assert Sample.objects.get(barcode="P0001").result == Result.POSITIVE
    # A row with a cell past the header: COPY refuses it, the row reader ignores the cell.
    ragged = _run(lab_day, _csv([*GOOD, "T0009,,阴性,2022-11-16 08:30,,多余"]))
    assert ragged.state == ImportState.DONE and ragged.unchanged == 4
    assert [u["barcode"] for u in ragged.unmatched] == ["T0009"]
