"""lib.hot_sql: the gate's pre-written INSERT and SELECT store and load what the ORM would
(JSON, decimals, aware datetimes, foreign keys, defaults), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from parkguard.gate.models import AccessCheck, Gate
from parkguard.lib import hot_sql
from tests.factories import World
from tests.gate.conftest import AT, GateWorld

pytestmark = pytest.mark.django_db


def test_an_insert_stores_what_save_would(gw: GateWorld) -> None:
    row = AccessCheck(
        at=AT,
        recorded_at=AT + dt.timedelta(seconds=3),
        gate=gw.gate,
        park_id=gw.gate.park_id,
        enterprise_id=gw.gate.enterprise_id,
        direction="in",
        method="phone_pass",
        person=gw.world.a1_person,
        allowed=False,
        refusal="decision",
        reasons=[{"text": "体温达到发热标准", "citation": {"pack": "z", "clause": "4.2"}}],
        packs=[["zhengyang-2022-20", 2]],
        temperature=Decimal("37.4"),
    )
    hot_sql.insert(row)
    assert row.pk is not None and not row._state.adding
    stored = AccessCheck.objects.get(pk=row.pk)
    assert stored.at == AT and stored.recorded_at == AT + dt.timedelta(seconds=3)
    assert (stored.gate_id, stored.person_id, stored.device_id) == (
        gw.gate.pk,
        gw.world.a1_person.pk,
        None,
    )
    assert stored.reasons == row.reasons and stored.packs == [["zhengyang-2022-20", 2]]
    assert stored.temperature == Decimal("37.4") and stored.refusal == "decision"
    assert stored.steps == [] and stored.code_source == "none" and stored.queued is False
    second = AccessCheck(
        **{
            **{f.attname: getattr(row, f.attname) for f in AccessCheck._meta.concrete_fields},
            "id": None,
        }
    )
    hot_sql.insert(second)
    assert second.pk != row.pk and AccessCheck.objects.count() == 2


def test_a_select_loads_what_the_orm_would(gw: GateWorld) -> None:
    Gate.objects.filter(pk=gw.gate.pk).update(route_areas=["一号宿舍", "二车间"], closed_loop=True)
    names = [f.name for f in Gate._meta.concrete_fields]
    found = hot_sql.select_one(Gate, names, "t.id = %s", [gw.gate.pk], extra=["t.id + 1"])
    assert found is not None
    gate, (extra,) = found
    orm = Gate.objects.get(pk=gw.gate.pk)
    assert {
        n: getattr(gate, n)
        for n in (
            "id",
            "park_id",
            "enterprise_id",
            "name",
            "place",
            "place_code",
            "route_areas",
            "closed_loop",
            "active",
            "created_at",
        )
    } == {
        n: getattr(orm, n)
        for n in (
            "id",
            "park_id",
            "enterprise_id",
            "name",
            "place",
            "place_code",
            "route_areas",
            "closed_loop",
            "active",
            "created_at",
        )
    }
    assert gate.created_at == AT and gate.route_areas == ["一号宿舍", "二车间"]
    assert extra == gw.gate.pk + 1
    assert hot_sql.select_one(Gate, names, "t.id = %s", [10**9]) is None


def test_a_select_of_some_fields_defers_the_rest(world: World, gw: GateWorld) -> None:
    found = hot_sql.select_one(Gate, ["name", "id"], "t.id = %s", [gw.gate.pk])
    assert found is not None
    gate, extra = found
    assert gate.name == gw.gate.name and extra == ()
    assert gate.get_deferred_fields() >= {"place", "route_areas"}
    with pytest.raises(ValueError):
        hot_sql.select_one(Gate, ["no_such_field"], "t.id = %s", [gw.gate.pk])


def _prepared() -> list[str]:
    """The statements prepared on this PostgreSQL connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_hot_statements_are_prepared_on_postgresql_and_the_orms_are_not(gw: GateWorld) -> None:
    names = ["id", "name"]
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            found = hot_sql.select_one(Gate, names, "t.id = %s", [gw.gate.pk])
            assert found is not None and found[0].name == gw.gate.name
    # Still Django's cursor: the statements are in the query log (query-count tests see them).
    assert len(queries) == 3 and all('FROM "gate_gate" t' in q["sql"] for q in queries)
    prepared = _prepared()
    assert sum('FROM "gate_gate" t' in p for p in prepared) == 1
    # The ORM's statements, however often run, are not prepared.
    for _ in range(10):
        assert Gate.objects.filter(pk=gw.gate.pk).count() == 1
    assert list(Gate.objects.filter(pk=gw.gate.pk).iterator()) == [gw.gate]
    assert _prepared() == prepared


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_preparing_can_be_turned_off(gw: GateWorld, settings: Any) -> None:
    settings.DB_PREPARE = False
    before = _prepared()
    found = hot_sql.select_one(Gate, ["id", "place"], "t.id = %s AND t.id > %s", [gw.gate.pk, 0])
    assert found is not None and found[0].place == gw.gate.place
    assert _prepared() == before


def test_an_error_in_a_hot_statement_is_djangos(gw: GateWorld) -> None:
    """A constraint broken by a hot INSERT raises Django's IntegrityError on both databases
    (the prepared path translates psycopg's errors as the ORM's cursor does), and the
    connection goes on working."""
    row = AccessCheck(
        at=None,  # type: ignore[misc]  # NOT NULL
        recorded_at=AT,
        gate=gw.gate,
        park_id=gw.gate.park_id,
        direction="in",
        method="phone_pass",
        allowed=True,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        hot_sql.insert(row)
    assert row.pk is None and not AccessCheck.objects.exists()
    found = hot_sql.select_one(Gate, ["id"], "t.id = %s", [gw.gate.pk])
    assert found is not None and found[0].pk == gw.gate.pk
