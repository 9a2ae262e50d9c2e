"""The check at the gate (issue 13): every code, every refusal logged with its reason (Z-5.2e)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parkguard.gate import services, tokens
from parkguard.gate.choices import Method, Refusal
from parkguard.gate.models import AccessCheck, TokenUse
from parkguard.health.models import Alert, TemperatureReading
from parkguard.health.services import TEMPERATURE_NOT_NUMBER
from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.policy.entry import CODE_NOT_GREEN, HOLD_OPEN
from parkguard.status.choices import HoldKind
from parkguard.status.services import status_hold_open
from tests.gate.conftest import AT, STEPS, GateWorld

pytestmark = pytest.mark.django_db


def check(gw: GateWorld, code: str, **kw: object) -> services.CheckAnswer:
    guard = gw.world.users["a1_guard"]
    args: dict[str, object] = {
        "scope": scope_for_user(guard),
        "gate": gw.gate,
        "direction": "in",
        "code": code,
        "temperature": "36.6",
        "code_colour": "green",
        "steps_done": STEPS,
        "at": AT,
        "by": guard,
    }
    args.update(kw)
    return services.gate_check(**args)  # type: ignore[arg-type]


def forged(code: str) -> str:
    """The same token with a signature that is certainly not the right one."""
    return code[:-1] + ("A" if code[-1] != "A" else "B")


def phone(gw: GateWorld, at: dt.datetime = AT, person: Person | None = None) -> str:
    return tokens.phone_token(person_id=(person or gw.world.a1_person).pk, at=at)


def test_z_5_2e_a_phone_pass_with_all_checks_passes_and_is_logged(gw: GateWorld) -> None:
    answer = check(gw, phone(gw))
    assert answer.allowed and answer.reasons == ()
    row = AccessCheck.objects.get(pk=answer.check.pk)
    assert row.method == Method.PHONE_PASS and row.person_id == gw.world.a1_person.pk
    assert row.packs == [["zhengyang-2022-20", 2]]
    assert row.guard == gw.world.users["a1_guard"] and row.temperature == Decimal("36.6")
    assert row.code_source == "guard" and row.steps == sorted(STEPS)
    # The temperature went through the health service, with its source.
    reading = TemperatureReading.objects.get(person=gw.world.a1_person)
    assert reading.source == "gate" and reading.place == "甲一东门"
    assert answer.name_masked == "甲***"


@pytest.mark.parametrize(
    ("name", "make", "refusal", "text"),
    [
        (
            "expired",
            lambda gw: phone(gw, AT - dt.timedelta(minutes=3)),
            Refusal.EXPIRED,
            services.TOKEN_EXPIRED,
        ),
        ("forged", lambda gw: forged(phone(gw)), Refusal.FORGED, services.TOKEN_FORGED),
        ("unreadable", lambda gw: "https://example.com", Refusal.UNREADABLE, services.UNREADABLE),
        (
            "other-enterprise",
            lambda gw: phone(gw, person=gw.world.a2_person),
            Refusal.OTHER_ENTERPRISE,
            services.OTHER_ENTERPRISE,
        ),
        ("unknown-printed", lambda gw: "pgp1.nothing", Refusal.FORGED, services.PASS_UNKNOWN),
    ],
)
def test_bad_codes_are_refused_with_their_reason_and_logged(
    gw: GateWorld, name: str, make: object, refusal: str, text: str
) -> None:
    answer = check(gw, make(gw))  # type: ignore[operator]
    assert not answer.allowed, name
    assert answer.refusal == refusal
    assert [r["text"] for r in answer.reasons] == [text]
    row = AccessCheck.objects.get(pk=answer.check.pk)
    assert not row.allowed and row.refusal == refusal and row.reasons[0]["text"] == text


def test_a_replayed_token_is_refused_at_the_same_gate_and_direction(gw: GateWorld) -> None:
    code = phone(gw)
    assert check(gw, code).allowed
    again = check(gw, code, at=AT + dt.timedelta(seconds=20))
    assert not again.allowed and again.refusal == Refusal.REPLAYED
    assert [r["text"] for r in again.reasons] == [services.TOKEN_REPLAYED]
    # Going out with the same code is a different use; so is another gate.
    assert check(gw, code, direction="out").allowed
    assert TokenUse.objects.count() == 2


def test_a_token_is_valid_until_its_ttl_and_not_after(gw: GateWorld) -> None:
    code = phone(gw)
    expires = tokens.phone_token_expires(at=AT)
    last = check(gw, code, at=expires - dt.timedelta(seconds=1), direction="out")
    assert last.allowed
    late = check(gw, code, at=expires)
    assert late.refusal == Refusal.EXPIRED


def test_a_revoked_printed_pass_is_refused(gw: GateWorld) -> None:
    officer = gw.world.users["a1_officer"]
    scope = scope_for_user(officer)
    issued = services.printed_pass_issue(scope=scope, person=gw.world.a1_person, at=AT, by=officer)
    assert check(gw, f"pgp1.{issued.serial}").allowed
    services.printed_pass_revoke(scope=scope, printed=issued, at=AT, by=officer)
    issued.refresh_from_db()
    assert issued.revoked_at == AT
    answer = check(gw, f"pgp1.{issued.serial}", at=AT + dt.timedelta(minutes=1))
    assert answer.refusal == Refusal.REVOKED
    assert [r["text"] for r in answer.reasons] == [services.PASS_REVOKED]


def test_a_person_who_left_is_refused(gw: GateWorld) -> None:
    Person.objects.filter(pk=gw.world.a1_person.pk).update(status=EmploymentStatus.LEFT)
    answer = check(gw, phone(gw))
    assert answer.refusal == Refusal.PERSON_LEFT
    assert [r["text"] for r in answer.reasons] == [services.PERSON_LEFT]


def test_a_temperature_of_abc_is_refused_and_logged(gw: GateWorld) -> None:
    answer = check(gw, phone(gw), temperature="abc")
    assert answer.refusal == Refusal.BAD_TEMPERATURE
    assert [r["text"] for r in answer.reasons] == [TEMPERATURE_NOT_NUMBER]
    assert AccessCheck.objects.filter(refusal=Refusal.BAD_TEMPERATURE).count() == 1
    assert not TemperatureReading.objects.exists()


def test_b_2_2b_a_fever_at_the_gate_is_refused_and_opens_the_health_alert(
    gw: GateWorld,
) -> None:
    answer = check(gw, phone(gw), temperature="38.2")
    assert not answer.allowed and answer.refusal == Refusal.DECISION
    (reason,) = answer.reasons
    assert reason["citation"]["requirement"] == "Z-4.2"
    assert Alert.objects.filter(person=gw.world.a1_person, kind="fever").count() == 1


def test_any_open_hold_refuses_with_its_reason_and_citation(gw: GateWorld) -> None:
    """A hold kind the gate does not know (a later app's) refuses just the same."""
    cited = {"pack_id": "zhengyang-2022-20", "version": 2, "requirement": "Z-5.1", "clause": "c"}
    status_hold_open(
        person_ids=[gw.world.a1_person.pk],
        kind=HoldKind.POSITIVE,
        reason="混管阳性，待单管复核",
        citation=cited,
        source="sampling.pool:1",
        at=AT,
    )
    answer = check(gw, phone(gw), code_colour="yellow")
    texts = [r["text"] for r in answer.reasons]
    assert HOLD_OPEN.format(label="检测阳性", reason="混管阳性，待单管复核") in texts
    assert CODE_NOT_GREEN.format(colour="黄码") in texts
    hold = next(r for r in answer.reasons if r["text"].startswith("检测阳性"))
    assert hold["citation"]["requirement"] == "Z-5.1"


def test_z_5_2d_closed_loop_only_on_the_route(gw: GateWorld) -> None:
    Person.objects.filter(pk=gw.world.a1_person.pk).update(dormitory="一号宿舍")
    services.gate_update(
        scope=SYSTEM,
        gate=gw.gate,
        route_areas=["二号宿舍"],
        closed_loop=True,
        active=True,
        at=AT,
        by=None,
    )
    answer = check(gw, phone(gw))
    assert not answer.allowed
    assert answer.reasons[0]["citation"]["requirement"] == "Z-5.2d"
    services.gate_update(
        scope=SYSTEM,
        gate=gw.gate,
        route_areas=["一号宿舍"],
        closed_loop=True,
        active=True,
        at=AT,
        by=None,
    )
    assert check(gw, phone(gw, AT + dt.timedelta(minutes=1))).allowed


def test_the_manual_path_is_audited(gw: GateWorld) -> None:
    from parkguard.audit.models import AuditEvent

    answer = check(gw, "", person_id=gw.world.a1_person.pk)
    assert answer.allowed and answer.check.method == Method.MANUAL
    assert AuditEvent.objects.filter(action="gate.manual_confirm").count() == 1


def test_a_queued_check_keeps_its_original_time(gw: GateWorld) -> None:
    scanned = AT - dt.timedelta(minutes=5)
    answer = check(gw, phone(gw, scanned), checked_at=scanned)
    assert answer.allowed
    row = AccessCheck.objects.get(pk=answer.check.pk)
    assert row.at == scanned and row.recorded_at == AT and row.queued


def test_a_check_reads_the_person_status_exactly_once(gw: GateWorld) -> None:
    """The gate's hot path: one indexed read of the status row (ARCHITECTURE "hot paths")."""
    code = phone(gw)
    with CaptureQueriesContext(connection) as queries:
        answer = check(gw, code, temperature=None, code_colour="green")
    assert not answer.allowed  # no temperature: refused, but the status was read
    status_reads = [
        q["sql"]
        for q in queries.captured_queries
        if '"status_personstatus"' in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert len(status_reads) == 1
    # Read with the person (issue 13, Speed), by primary key on both sides: one person by
    # their id, their status row joined on its key, which is that id. An indexed read, no scan.
    sql = status_reads[0].lower()
    assert 'left join "status_personstatus" s on s."person_id" = t."id"' in sql
    assert re.search(r"where t\.id = \d+$", sql.strip()), sql


def test_a_park_checkpoint_lets_the_parks_people_through_and_refuses_another_parks(
    gw: GateWorld,
) -> None:
    """A gate of the park itself (no enterprise): people of any enterprise of the park pass,
    a person of another park is refused with its reason and logged (docs/gate.md)."""
    from parkguard.gate.services import OTHER_PARK, gate_create

    world = gw.world
    checkpoint = gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=None,
        name="甲园区北卡口",
        place="plant_gate",
        at=AT,
        by=None,
    )
    admin = world.users["park_a_admin"]
    kw = {"scope": scope_for_user(admin), "by": admin, "gate": checkpoint}
    passed = check(gw, phone(gw), **kw)
    assert passed.allowed, passed.reasons
    refused = check(gw, phone(gw, person=world.b1_person), **kw)
    assert not refused.allowed and refused.refusal == Refusal.OTHER_ENTERPRISE
    assert refused.reasons == ({"text": OTHER_PARK, "citation": None},)
    row = AccessCheck.objects.get(pk=refused.check.pk)
    assert (row.gate_id, row.person_id, row.allowed) == (checkpoint.pk, world.b1_person.pk, False)
    assert row.reasons == [{"text": OTHER_PARK, "citation": None}]
    assert not TemperatureReading.objects.filter(person=world.b1_person).exists()


def test_a_gate_temperature_reaches_the_reading_and_the_status_row_in_order(
    gw: GateWorld,
) -> None:
    """The check's writes (on PostgreSQL one statement, docs/gate.md "Round five"): the log
    row, the token's use, the reading with its source and the status row's temperature; an
    older reading (a check queued offline) is kept but does not move the status row back, and
    a person with no status row yet gets one (the general path)."""
    from parkguard.status.models import PersonStatus
    from parkguard.status.services import status_results_record

    person = gw.world.a1_person
    PersonStatus.objects.filter(pk=person.pk).delete()
    # No status row, so no negative test either: refused, and the reading still kept.
    first = check(gw, phone(gw), temperature="36.4")
    assert first.refusal == Refusal.DECISION
    log = AccessCheck.objects.get(pk=first.check.pk)
    assert log.temperature == Decimal("36.4") and log.person_id == person.pk
    assert not TokenUse.objects.exists()  # a refused check spends no token
    reading = TemperatureReading.objects.get(person=person)
    assert (reading.temperature, reading.taken_at, reading.source) == (
        Decimal("36.4"),
        AT,
        "gate",
    )
    row = PersonStatus.objects.get(pk=person.pk)  # made by the general path
    assert (row.last_temperature, row.last_temperature_at) == (Decimal("36.4"), AT)
    status_results_record(negatives={person.pk: AT - dt.timedelta(hours=2)}, at=AT)
    later = AT + dt.timedelta(minutes=2)
    assert check(gw, phone(gw, later), direction="out", temperature="36.8", at=later).allowed
    assert TokenUse.objects.filter(gate=gw.gate, direction="out").count() == 1
    row.refresh_from_db()
    assert (row.last_temperature, row.last_temperature_at) == (Decimal("36.8"), later)
    # Queued offline five minutes before: logged and kept as a reading, the status row unmoved.
    scanned = later - dt.timedelta(minutes=5)
    queued = check(
        gw,
        phone(gw, scanned),
        temperature="36.2",
        checked_at=scanned,
        at=later + dt.timedelta(seconds=5),
    )
    assert queued.allowed and AccessCheck.objects.get(pk=queued.check.pk).queued
    assert TemperatureReading.objects.filter(person=person).count() == 3
    row.refresh_from_db()
    assert (row.last_temperature, row.last_temperature_at) == (Decimal("36.8"), later)


def test_a_replay_writes_no_reading_and_leaves_the_status_row(gw: GateWorld) -> None:
    """A replayed token is refused before its reading is kept: the chain of writes stops at
    the token's use (PostgreSQL) as the statements in turn do (SQLite)."""
    from parkguard.status.models import PersonStatus

    code = phone(gw)
    assert check(gw, code, temperature="36.5").allowed
    row = PersonStatus.objects.get(pk=gw.world.a1_person.pk)
    before = (row.last_temperature, row.last_temperature_at)
    again = check(gw, code, temperature="36.9", at=AT + dt.timedelta(seconds=10))
    assert again.refusal == Refusal.REPLAYED
    assert AccessCheck.objects.get(pk=again.check.pk).refusal == Refusal.REPLAYED
    assert TemperatureReading.objects.filter(person=gw.world.a1_person).count() == 1
    row.refresh_from_db()
    assert (row.last_temperature, row.last_temperature_at) == before == (Decimal("36.5"), AT)
    assert AccessCheck.objects.filter(allowed=True).count() == 1
