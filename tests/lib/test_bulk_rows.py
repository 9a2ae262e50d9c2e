"""Many rows in and changed through COPY on PostgreSQL (`lib/bulk_rows.py`), the ORM's bulk
statements on SQLite: what is read back is what was written, every object carries the id of
its own row, and a failure part-way leaves nothing behind.

Most tests lower `THRESHOLD` so that a few rows take the COPY path on PostgreSQL; one keeps it
and shows where the path changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from parkguard.lib import bulk_rows
from parkguard.lib.bulk_rows import bulk_insert, bulk_set
from parkguard.mobility.models import IsolationRecord
from parkguard.status.models import PersonStatus
from tests.factories import World

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2022, 11, 15, 8, 30, 15, 123456, tzinfo=BEIJING)
# Text COPY's own escapes, quotes, SQL and Chinese: each must come back as it went in.
AWKWARD = [
    "制表\t符",
    "换行\n与回车\r\n",
    "反斜杠 \\ 与 \\N 与 \\t",
    "\\N",
    "'单引号' \"双引号\" ; DROP TABLE x; --",
    "",
    "末尾反斜杠\\",
]


@pytest.fixture
def copy_small() -> object:
    """Let a handful of rows take the COPY path on PostgreSQL."""
    saved = bulk_rows.THRESHOLD
    bulk_rows.THRESHOLD = 1
    yield
    bulk_rows.THRESHOLD = saved


def _record(world: World, n: int, **fields: object) -> IsolationRecord:
    values: dict[str, object] = {
        "person": world.a1_person,
        "enterprise": world.a1,
        "kind": "home",
        "label": f"第{n}条",
        "starts_at": AT + dt.timedelta(hours=n),
        "ends_at": AT + dt.timedelta(days=7, hours=n),
        "planned_end": AT + dt.timedelta(days=7),
        "release_note": str(n),
    }
    values.update(fields)
    return IsolationRecord(**values)


def _copies(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith("COPY ") for q in queries.captured_queries)


@pytest.mark.usefixtures("copy_small")
def test_it_reads_back_every_kind_of_value_it_wrote(world: World) -> None:
    rows = [
        _record(
            world,
            i,
            label=text[:50],
            release_note=text,
            earliest_end=None if i % 2 else AT + dt.timedelta(days=3),
            released_at=AT.astimezone(dt.UTC) if i % 3 == 0 else None,
            blocks_entry=i % 2 == 0,
            previous=[{"ends_at": AT.isoformat(), "reason": text, "by": None, "n": i}],
            citation={"文号": text, "条": [1, 2.5, True, None], "嵌套": {"a": {"b": text}}},
        )
        for i, text in enumerate(AWKWARD)
    ]
    with CaptureQueriesContext(connection) as queries:
        bulk_insert(IsolationRecord, rows)
    assert _copies(queries) == (1 if connection.vendor == "postgresql" else 0)
    for row in rows:
        stored = IsolationRecord.objects.get(pk=row.pk)
        for name in (
            "person_id",
            "enterprise_id",
            "declaration_id",
            "point_id",
            "kind",
            "label",
            "starts_at",
            "ends_at",
            "planned_end",
            "earliest_end",
            "blocks_entry",
            "previous",
            "citation",
            "released_at",
            "release_note",
        ):
            assert getattr(stored, name) == getattr(row, name), name
    assert IsolationRecord.objects.get(release_note="\\N").earliest_end is None
    assert IsolationRecord.objects.filter(release_note__isnull=True).count() == 0
    assert IsolationRecord.objects.get(release_note="").label == ""


@pytest.mark.usefixtures("copy_small")
def test_it_gives_each_object_the_id_of_its_own_row(world: World) -> None:
    before = set(IsolationRecord.objects.values_list("pk", flat=True))
    rows = bulk_insert(IsolationRecord, [_record(world, i) for i in range(40)])
    stored = dict(IsolationRecord.objects.exclude(pk__in=before).values_list("pk", "release_note"))
    assert len(stored) == 40
    # Each object's id leads to the row holding its own distinct value: ids handed out in
    # reverse or shifted by one would pair them with a neighbour's row.
    assert {row.pk: row.release_note for row in rows} == stored
    assert all(not row._state.adding for row in rows)
    # The sequence moved past the rows: the next ordinary insert does not collide.
    later = _record(world, 99)
    later.save()
    assert later.pk > max(stored)


@pytest.mark.usefixtures("copy_small")
def test_it_keeps_a_primary_key_given_by_the_caller(world: World) -> None:
    PersonStatus.objects.filter(pk__in=[world.a2_person.pk, world.b1_person.pk]).delete()
    rows = [
        PersonStatus(
            person=person,
            enterprise=person.enterprise,
            latest_negative_at=AT,
            pending_results=2,
            on_hold=True,
            holds=[{"reason": "体温\t37.6 ℃"}],
            alert_count=1,
            declared_on=dt.date(2022, 11, 14),
            last_temperature=Decimal("37.6"),
            last_temperature_at=None,
            updated_at=AT,
        )
        for person in (world.a2_person, world.b1_person)
    ]
    bulk_insert(PersonStatus, rows)
    stored = PersonStatus.objects.get(pk=world.b1_person.pk)
    assert stored.enterprise_id == world.b1.pk
    assert stored.last_temperature == Decimal("37.6")
    assert stored.declared_on == dt.date(2022, 11, 14)
    assert stored.holds == [{"reason": "体温\t37.6 ℃"}]
    assert stored.on_hold is True and stored.last_temperature_at is None


@pytest.mark.usefixtures("copy_small")
def test_it_sets_the_fields_named_and_nothing_else(world: World) -> None:
    rows = bulk_insert(IsolationRecord, [_record(world, i) for i in range(6)])
    untouched = rows[5]
    for i, row in enumerate(rows[:5]):
        row.release_note = AWKWARD[i]
        row.released_at = None if i % 2 else AT + dt.timedelta(days=i)
        row.earliest_end = AT if i % 2 else None
        row.blocks_entry = False
        row.citation = {"原因": AWKWARD[i], "i": i}
        row.label = "不应写入"  # not among the fields set
    rows[0].release_note = "先写的"
    with CaptureQueriesContext(connection) as queries:
        matched = bulk_set(
            IsolationRecord,
            [*rows[:5], rows[0]],
            ["release_note", "released_at", "earliest_end", "blocks_entry", "citation"],
        )
    rows[0].release_note = AWKWARD[0]
    assert _copies(queries) == (1 if connection.vendor == "postgresql" else 0)
    assert matched >= 5
    for i, row in enumerate(rows[:5]):
        row.refresh_from_db()
        assert row.release_note == AWKWARD[i] if i else row.release_note == "先写的"
        assert row.released_at == (None if i % 2 else AT + dt.timedelta(days=i))
        assert row.earliest_end == (AT if i % 2 else None)
        assert row.blocks_entry is False
        assert row.citation == {"原因": AWKWARD[i], "i": i}
        assert row.label == f"第{i}条"
    untouched.refresh_from_db()
    assert (untouched.release_note, untouched.blocks_entry, untouched.citation) == ("5", True, {})


@pytest.mark.usefixtures("copy_small")
def test_it_sets_decimals_dates_and_a_non_integer_key(world: World) -> None:
    people = [world.a1_person, world.a1_employee_person, world.a2_person]
    for person in people:
        PersonStatus.objects.get_or_create(
            person=person, defaults={"enterprise": person.enterprise, "updated_at": AT}
        )
    rows = list(PersonStatus.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))
    for i, row in enumerate(rows):
        row.last_temperature = Decimal("36.5") + i
        row.declared_on = dt.date(2022, 11, 10 + i)
        row.holds = [{"reason": AWKWARD[i]}]
        row.on_hold = True
        row.updated_at = AT
    bulk_set(
        PersonStatus, rows, ["last_temperature", "declared_on", "holds", "on_hold", "updated_at"]
    )
    for i, row in enumerate(rows):
        row.refresh_from_db()
        assert row.last_temperature == Decimal("36.5") + i
        assert row.declared_on == dt.date(2022, 11, 10 + i)
        assert row.holds == [{"reason": AWKWARD[i]}]
        assert row.on_hold is True and row.updated_at == AT


@pytest.mark.usefixtures("copy_small")
def test_it_leaves_nothing_when_a_row_fails_part_way(world: World) -> None:
    before = IsolationRecord.objects.count()
    rows = [_record(world, i) for i in range(20)]
    rows[12].ends_at = None  # type: ignore[assignment]  # NOT NULL: refused mid-stream
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(IsolationRecord, [_record(world, 100 + i) for i in range(5)])
        bulk_insert(IsolationRecord, rows)
    assert IsolationRecord.objects.count() == before

    saved = bulk_insert(IsolationRecord, [_record(world, i) for i in range(5)])
    for row in saved:
        row.release_note = "改了"
    saved[3].ends_at = None  # type: ignore[assignment]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_set(IsolationRecord, saved, ["release_note", "ends_at"])
    assert set(
        IsolationRecord.objects.filter(pk__in=[r.pk for r in saved]).values_list(
            "release_note", flat=True
        )
    ) == {"0", "1", "2", "3", "4"}
    # The transaction goes on: a later set works (its temporary table is a new one).
    saved[3].ends_at = AT
    assert bulk_set(IsolationRecord, saved, ["release_note", "ends_at"]) == 5
    assert set(
        IsolationRecord.objects.filter(pk__in=[r.pk for r in saved]).values_list(
            "release_note", flat=True
        )
    ) == {"改了"}


def test_it_copies_from_the_threshold_on_postgresql_only(world: World) -> None:
    small = [_record(world, i) for i in range(bulk_rows.THRESHOLD - 1)]
    large = [_record(world, i) for i in range(bulk_rows.THRESHOLD)]
    with CaptureQueriesContext(connection) as below:
        bulk_insert(IsolationRecord, small)
    with CaptureQueriesContext(connection) as at_threshold:
        bulk_insert(IsolationRecord, large)
    for row in large:
        row.release_note = "批量"
    with CaptureQueriesContext(connection) as setting:
        assert bulk_set(IsolationRecord, large, ["release_note"]) == len(large)
    postgresql = connection.vendor == "postgresql"
    assert _copies(below) == 0
    assert _copies(at_threshold) == (1 if postgresql else 0)
    assert _copies(setting) == (1 if postgresql else 0)
    assert IsolationRecord.objects.filter(release_note="批量").count() == len(large)
    assert all(row.pk is not None for row in small)


def test_it_refuses_unsaved_objects_and_the_key(world: World) -> None:
    with pytest.raises(ValueError):
        bulk_set(IsolationRecord, [_record(world, 1)], ["release_note"])
    saved = bulk_insert(IsolationRecord, [_record(world, 1)])
    with pytest.raises(ValueError):
        bulk_set(IsolationRecord, saved, [])
    assert bulk_set(IsolationRecord, [], ["release_note"]) == 0
