"""One-way junctions (Z-5.1b, a hand-over block's clean-to-dirty flow) and editing a
junction's gate, direction and controlled flag (issue 14). Tracing through a one-way junction
looks for a meeting in its start area only in the pack's gap before the index person's
passage, in its end area only after, and follows uncontrolled one-way junctions downstream
only; a two-way junction keeps both sides. The gap is the pack's (v3 default 30 minutes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.gate.models import Gate
from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.response import services
from parkguard.response.choices import JunctionDirection
from parkguard.response.models import Area, Junction
from parkguard.response.owners import Owner
from tests.factories import World, make_person
from tests.response.conftest import AT
from tests.response.test_junction_tracing import DETECTED_V3, GAP, TICK, _area, _gate, _pass, _trace

pytestmark = pytest.mark.django_db

PASSED = DETECTED_V3 - dt.timedelta(hours=2)


def _junction(
    world: World,
    a: Area,
    b: Area,
    kind: str,
    *,
    controlled: bool = True,
    gate: Gate | None = None,
    direction: str = "",
) -> Junction:
    return services.junction_create(
        scope=SYSTEM,
        owner=Owner(enterprise=world.a1),
        from_area=a,
        to_area=b,
        kind=kind,
        controlled=controlled,
        gate=gate,
        direction=direction,
        by=None,
        at=AT,
    )


def _hand_over(world: World, direction: str) -> tuple[Junction, Gate, Gate]:
    """Clean area → dirty area through a door served by the hand-over gate (one way or both,
    as the test says); each area has one more door with its own gate."""
    clean, dirty = _area(world, "洁净区", "handover"), _area(world, "污染区", "handover")
    office, wash = _area(world, "办公区", "production"), _area(world, "洗消间", "public_health")
    hand_over = _gate(world, "交接门")
    clean_gate, dirty_gate = _gate(world, "洁区门"), _gate(world, "污区门")
    j = _junction(world, clean, dirty, "door", gate=hand_over, direction=direction)
    _junction(world, office, clean, "door", gate=clean_gate)
    _junction(world, dirty, wash, "door", gate=dirty_gate)
    return j, clean_gate, dirty_gate


@pytest.mark.parametrize("direction", [JunctionDirection.FORWARD, JunctionDirection.BOTH])
def test_a_one_way_junction_looks_before_in_its_start_area_and_after_in_its_end_area(
    response_world: World, direction: str
) -> None:
    w = response_world
    j, clean_gate, dirty_gate = _hand_over(w, direction)
    hand_over = j.gate
    assert hand_over is not None
    _pass(hand_over, w.a1_person, PASSED)
    people = {k: make_person(w.a1, f"甲一{k}", 130 + i) for i, k in enumerate("ABCD")}
    _pass(dirty_gate, people["A"], PASSED + GAP)  # end area, at the gap after: always
    _pass(dirty_gate, people["B"], PASSED - TICK)  # end area, just before: two-way only
    _pass(clean_gate, people["C"], PASSED - GAP)  # start area, at the gap before: always
    _pass(clean_gate, people["D"], PASSED + TICK)  # start area, just after: two-way only
    found = _trace(w, w.a1_person, DETECTED_V3)
    one_way = direction == JunctionDirection.FORWARD
    expected = {"A", "C"} if one_way else {"A", "B", "C", "D"}
    assert {k for k, p in people.items() if p.pk in found} == expected
    if one_way:
        assert "洁净区→污染区 门禁接合部" in found[people["A"].pk].basis
        assert "此后 30 分钟内进出污染区" in found[people["A"].pk].basis
        assert "此前 30 分钟内进出洁净区" in found[people["C"].pk].basis
    else:
        assert "前后 30 分钟内进出污染区" in found[people["A"].pk].basis


@pytest.mark.parametrize("direction", [JunctionDirection.FORWARD, JunctionDirection.BOTH])
def test_an_uncontrolled_one_way_passage_joins_areas_downstream_only(
    response_world: World, direction: str
) -> None:
    w = response_world
    j, _clean_gate, _dirty_gate = _hand_over(w, JunctionDirection.BOTH)
    clean = j.from_area
    dirty = j.to_area
    # 来料区 → 洁净区 and 污染区 → 废弃物暂存: uncontrolled passages, one way or both.
    upstream, downstream = _area(w, "来料区", "handover"), _area(w, "废弃物暂存", "handover")
    _junction(w, upstream, clean, "passage", controlled=False, direction=direction)
    _junction(w, dirty, downstream, "passage", controlled=False, direction=direction)
    up_gate, down_gate = _gate(w, "来料门"), _gate(w, "暂存门")
    _junction(w, _area(w, "道路甲", "public_space"), upstream, "door", gate=up_gate)
    _junction(w, downstream, _area(w, "道路乙", "public_space"), "door", gate=down_gate)
    assert j.gate is not None
    _pass(j.gate, w.a1_person, PASSED)
    up, down = make_person(w.a1, "甲一上游", 140), make_person(w.a1, "甲一下游", 141)
    _pass(up_gate, up, PASSED + dt.timedelta(minutes=5))
    _pass(down_gate, down, PASSED + dt.timedelta(minutes=5))
    found = _trace(w, w.a1_person, DETECTED_V3)
    assert down.pk in found and "经无管控的 污染区" in found[down.pk].basis
    # Nobody comes back up a one-way passage: the area upstream of the index person's is not
    # joined to it; both ways it is.
    assert (up.pk in found) == (direction == JunctionDirection.BOTH)


def test_a_one_way_passage_is_one_way_and_a_door_may_be(response_world: World) -> None:
    w = response_world
    a, b, c = _area(w, "甲区", "production"), _area(w, "乙区", "living"), _area(w, "丙区", "living")
    assert _junction(w, a, b, "one_way").direction == JunctionDirection.FORWARD
    assert _junction(w, a, b, "door").direction == JunctionDirection.BOTH
    assert _junction(w, b, c, "door", direction="forward").direction == JunctionDirection.FORWARD
    before = Junction.objects.count()
    for direction, message in (
        ("both", services.JUNCTION_ONE_WAY_BOTH),
        ("sideways", services.JUNCTION_DIRECTION_INVALID),
    ):
        with pytest.raises(ValidationError) as refused:
            _junction(w, a, c, "one_way", direction=direction)
        assert refused.value.message_dict["direction"] == [message]
    assert Junction.objects.count() == before


# --- editing a junction --------------------------------------------------------------------
def _edited(world: World) -> tuple[Junction, Gate]:
    a, b = _area(world, "甲区", "production"), _area(world, "乙区", "living")
    return _junction(world, a, b, "door", controlled=False), _gate(world, "乙区门禁")


def test_an_officer_changes_a_junctions_gate_direction_and_control_audited(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    j, gate = _edited(w)
    response = client_as("a1_officer").post(
        f"/response/enterprises/{w.a1.pk}/junctions/{j.pk}/edit/",
        {"gate": gate.pk, "direction": "forward", "controlled": "1"},
    )
    assert response.status_code == 302
    j.refresh_from_db()
    assert (j.gate_id, j.direction, j.controlled) == (gate.pk, "forward", True)
    event = AuditEvent.objects.get(action="junction_update")
    assert event.detail["before"] == {"gate": None, "direction": "both", "controlled": False}
    assert event.detail["after"] == {"gate": gate.pk, "direction": "forward", "controlled": True}
    page = client_as("a1_officer").get(f"/response/enterprises/{w.a1.pk}/").content.decode()
    assert "甲区 → 乙区" in page and "经乙区门禁" in page and "保存修改" in page
    # The API: back to two-way, no gate.
    body = client_as("a1_officer").put(
        f"/api/v1/response/enterprises/{w.a1.pk}/junctions/{j.pk}",
        {"direction": "both", "controlled": False, "gate_id": None},
        content_type="application/json",
    )
    assert body.status_code == 200 and body.json()["direction"] == "both"
    j.refresh_from_db()
    assert (j.gate_id, j.direction, j.controlled) == (None, "both", False)


def _state(j: Junction) -> tuple[object, ...]:
    j.refresh_from_db()
    return (j.gate_id, j.direction, j.controlled)


def test_an_edit_is_refused_with_the_create_checks_and_changes_nothing(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    j, _gate_ok = _edited(w)
    old = _state(j)
    other = _gate(w, "甲二门", enterprise=w.a2)
    one_way = _junction(w, j.from_area, j.to_area, "one_way")
    for target, payload, field, message in (
        (j, {"gate_id": other.pk}, "gate_id", services.JUNCTION_GATE_NOT_HERE),
        (j, {"gate_id": 999_999}, "gate_id", services.JUNCTION_GATE_NOT_HERE),
        (one_way, {}, "direction", services.JUNCTION_ONE_WAY_BOTH),
    ):
        before = _state(target)
        response = client_as("a1_officer").put(
            f"/api/v1/response/enterprises/{w.a1.pk}/junctions/{target.pk}",
            {"direction": "both", "controlled": True, **payload},
            content_type="application/json",
        )
        assert response.status_code == 422, payload
        errors = response.json()["errors"] if "errors" in response.json() else response.json()
        assert message in str(errors) and field in str(errors)
        assert _state(target) == before
    # The page: the same message, nothing changed.
    client = client_as("a1_officer")
    client.post(
        f"/response/enterprises/{w.a1.pk}/junctions/{j.pk}/edit/",
        {"gate": other.pk, "direction": "forward"},
    )
    assert _state(j) == old
    # The service: another enterprise's gate (one the caller sees, as the park's admin does),
    # another enterprise's junction.
    with pytest.raises(ValidationError) as refused:
        services.junction_update(
            scope=scope_for_user(w.users["park_a_admin"]),
            enterprise=w.a1,
            junction=j,
            gate=other,
            direction="forward",
            controlled=True,
            by=None,
            at=AT,
        )
    assert refused.value.message_dict["gate"] == [services.JUNCTION_GATE_NOT_HERE]
    assert _state(j) == old
    theirs = services.junction_create(
        scope=SYSTEM,
        owner=Owner(enterprise=w.a2),
        from_area=services.area_create(
            scope=SYSTEM,
            owner=Owner(enterprise=w.a2),
            name="二甲",
            block="living",
            capacity=5,
            by=None,
            at=AT,
        ),
        to_area=services.area_create(
            scope=SYSTEM,
            owner=Owner(enterprise=w.a2),
            name="二乙",
            block="living",
            capacity=5,
            by=None,
            at=AT,
        ),
        kind="door",
        by=None,
        at=AT,
    )
    with pytest.raises(ValidationError) as refused:
        services.junction_update(
            scope=SYSTEM,
            enterprise=w.a1,
            junction=theirs,
            gate=None,
            direction="forward",
            controlled=True,
            by=None,
            at=AT,
        )
    assert refused.value.message_dict["junction"] == [services.JUNCTION_NOT_HERE]
    assert _state(theirs) == (None, "both", False)
    assert not AuditEvent.objects.filter(action="junction_update").exists()


def test_outsiders_may_not_edit_a_junction(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    j, gate = _edited(w)
    old = _state(j)
    for who in ("a2_officer", "park_b_admin", "a1_leader", "a1_employee", None):
        client = client_as(who)
        page = client.post(
            f"/response/enterprises/{w.a1.pk}/junctions/{j.pk}/edit/",
            {"gate": gate.pk, "direction": "forward", "controlled": "1"},
        )
        api = client.put(
            f"/api/v1/response/enterprises/{w.a1.pk}/junctions/{j.pk}",
            {"direction": "forward", "controlled": True, "gate_id": gate.pk},
            content_type="application/json",
        )
        assert page.status_code in (302, 403, 404) and api.status_code in (401, 403, 404), who
        if who is not None:
            assert page.status_code in (403, 404), who
        assert _state(j) == old
    # The service itself refuses a team leader.
    with pytest.raises(PermissionDenied):
        services.junction_update(
            scope=scope_for_user(w.users["a1_leader"]),
            enterprise=w.a1,
            junction=j,
            gate=gate,
            direction="forward",
            controlled=True,
            by=None,
            at=AT,
        )
    assert _state(j) == old
