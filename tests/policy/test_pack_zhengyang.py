"""Notice Z (正阳园区管委发〔2022〕20号): one test per requirement ID, with exact dates."""

from __future__ import annotations

import pytest

from parkguard.policy import (
    PersonFacts,
    PolicyInputError,
    Registry,
    entry_checks,
    incident_deadlines,
    routine_schedule,
    symptom_lists,
    zone_for,
)
from parkguard.policy import errors as E
from tests.policy.facts import Z, d, dt, negative

PARK = {  # what a park following notice Z sets ("按照属地要求")
    "entry_test_hours": 72,
    "routine_test_interval_days": 7,
    "public_contact_test_interval_days": 3,
}
WORKER = PersonFacts(kind="employee", staff_category="labour_dispatch")
GUARD = PersonFacts(kind="employee", staff_category="outsourced", roles=("public_contact",))


@pytest.mark.parametrize(
    ("sampled_at", "status"),
    [("2022-11-17T08:01", "pass"), ("2022-11-17T07:59", "fail")],
)
def test_it_checks_z_5_2e_entry_with_the_park_s_hours(
    registry: Registry, sampled_at, status
) -> None:
    """Z-5.2e: scan, mask, code, temperature, register, disinfect; negative within park hours."""
    person = WORKER.model_copy(update={"certificates": (negative(sampled_at),)})
    gate = entry_checks(
        pack=registry.get(Z, 1),
        person=person,
        place="plant_gate",
        at=dt("2022-11-20T08:00"),
        params=PARK,
    )
    assert [c.kind for c in gate.checks] == [
        "scan_code",
        "mask",
        "health_code",
        "temperature",
        "register",
        "disinfect_person",
        "negative_test",
    ]
    test = gate.checks[-1]
    assert (test.status, test.within_hours) == (status, 72)
    assert gate.refused is (status == "fail")
    assert test.citation.requirement == "Z-5.2e"


def test_it_refuses_z_5_2e_without_the_park_parameter(registry: Registry) -> None:
    """Z-5.2e: the hours are the locality's; the pack has no default and says so."""
    with pytest.raises(PolicyInputError) as caught:
        entry_checks(
            pack=registry.get(Z, 1), person=WORKER, place="plant_gate", at=dt("2022-11-20T08:00")
        )
    assert caught.value.message == E.ERR_PARAM_MISSING
    assert caught.value.path == "params.entry_test_hours"


def test_it_schedules_z_5_2b_routine_tests_with_more_for_public_contact(registry: Registry) -> None:
    """Z-5.2b: everyone at the park's interval; staff in contact with the public more often."""
    pack = registry.get(Z, 1)
    worker = routine_schedule(
        pack=pack,
        start=d("2022-11-15"),
        end=d("2022-11-30"),
        activities=("test",),
        person=WORKER,
        params=PARK,
    )
    assert [i.on for i in worker] == [d("2022-11-15"), d("2022-11-22"), d("2022-11-29")]
    guard = routine_schedule(
        pack=pack,
        start=d("2022-11-15"),
        end=d("2022-11-21"),
        activities=("test",),
        person=GUARD,
        params=PARK,
    )
    assert [(i.on, i.group) for i in guard] == [
        (d("2022-11-15"), "全体在岗人员"),
        (d("2022-11-15"), "与社会面接触人员"),
        (d("2022-11-18"), "与社会面接触人员"),
        (d("2022-11-21"), "与社会面接触人员"),
    ]
    assert {i.citation.requirement for i in guard} == {"Z-5.2b"}


def test_it_gives_z_4_2_three_first_times_at_once(registry: Registry) -> None:
    """Z-4.2: report, isolate and coordinate at once; symptoms fever, dry cough, fatigue."""
    found = dt("2022-11-20T10:15")
    deadlines = incident_deadlines(pack=registry.get(Z, 1), found_at=found)
    assert len(deadlines) == 3
    assert all(x.due_at == found and x.citation.requirement == "Z-4.2" for x in deadlines)
    assert "报告" in deadlines[0].action
    lists = symptom_lists(pack=registry.get(Z, 1))
    assert [(s.symptoms, s.citation.requirement) for s in lists] == [
        (("发热", "干咳", "乏力"), "Z-4.2")
    ]


@pytest.mark.parametrize(
    ("symptoms", "colour", "requirement"),
    [((), "green", "Z-5.1"), (("乏力",), "orange", "Z-5.2f"), (("咽痛",), "green", "Z-5.1")],
)
def test_it_assigns_z_5_1_zones(registry: Registry, symptoms, colour, requirement) -> None:
    """Z-5.1: green for normal production; Z-5.2f: suspicious symptoms → orange."""
    person = WORKER.model_copy(update={"symptoms": symptoms})
    zone = zone_for(pack=registry.get(Z, 1), person=person, at=dt("2022-11-20T10:00"))
    assert zone is not None
    assert (zone.colour, zone.citation.requirement) == (colour, requirement)


def test_it_treats_all_z_5_2a_staff_categories_alike(registry: Registry) -> None:
    """Z-5.2a: every category of personnel gets the same entry checks."""
    pack = registry.get(Z, 1)
    seen = set()
    for category in (
        "regular",
        "intern",
        "client_dispatched",
        "labour_dispatch",
        "outsourced",
        "temporary",
    ):
        person = PersonFacts(kind="employee", staff_category=category)
        gate = entry_checks(
            pack=pack, person=person, place="plant_gate", at=dt("2022-11-20T08:00"), params=PARK
        )
        seen.add(tuple(c.kind for c in gate.checks))
    assert len(seen) == 1
