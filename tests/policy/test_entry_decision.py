"""The gate's entry decision (Z-5.2e, Z-5.2d, J-1.5a): exact times, every reason cited."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from parkguard.policy import Registry
from parkguard.policy.entry import (
    CODE_NOT_GREEN,
    CODE_NOT_SEEN,
    HOLD_OPEN,
    NO_CHECKS,
    NO_PACK,
    STEP_NOT_DONE,
    TEMPERATURE_FEVER,
    TEMPERATURE_MISSING,
    GateFacts,
    Hold,
    StatusSnapshot,
    entry_decide,
    entry_decide_all,
    has_entry_checks,
    hold_citation,
)

Z = "zhengyang-2022-20"
J = "jinjiang-xiyuan-2022-81"
AT = datetime(2022, 11, 20, 8, 0, tzinfo=UTC)
PARAMS = {"entry_test_hours": 48}
STEPS = frozenset({"mask", "disinfect_person", "register"})
NEG_OK = datetime(2022, 11, 18, 8, 0, tzinfo=UTC)  # exactly 48 hours before
NEG_OLD = datetime(2022, 11, 18, 7, 59, tzinfo=UTC)  # one minute too old
CITED = {
    "pack_id": "sampling",
    "version": 1,
    "document_number": "正阳园区管委发〔2022〕20号",
    "requirement": "Z-5.1",
    "clause": "混管阳性",
    "rule_id": "pool",
}


def facts(**kw: object) -> GateFacts:
    base: dict[str, object] = {
        "at": AT,
        "code_colour": "green",
        "temperature": Decimal("36.5"),
        "steps_done": STEPS,
    }
    base.update(kw)
    return GateFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "status", "gate", "allowed", "texts"),
    [
        ("all-clear", StatusSnapshot(latest_negative_at=NEG_OK), facts(), True, []),
        (
            "negative-one-minute-too-old",
            StatusSnapshot(latest_negative_at=NEG_OLD),
            facts(),
            False,
            ["无48小时内的核酸检测阴性证明"],
        ),
        ("no-negative", StatusSnapshot(), facts(), False, ["无48小时内的核酸检测阴性证明"]),
        (
            "yellow-code",
            StatusSnapshot(latest_negative_at=NEG_OK),
            facts(code_colour="yellow"),
            False,
            [CODE_NOT_GREEN.format(colour="黄码")],
        ),
        (
            "code-not-seen",
            StatusSnapshot(latest_negative_at=NEG_OK),
            facts(code_colour=None),
            False,
            [CODE_NOT_SEEN],
        ),
        (
            "fever-at-threshold",
            StatusSnapshot(latest_negative_at=NEG_OK),
            facts(temperature=Decimal("37.3")),
            False,
            [TEMPERATURE_FEVER.format(value="37.3", threshold="37.3")],
        ),
        (
            "just-under-threshold",
            StatusSnapshot(latest_negative_at=NEG_OK),
            facts(temperature=Decimal("37.2")),
            True,
            [],
        ),
        (
            "no-temperature",
            StatusSnapshot(latest_negative_at=NEG_OK),
            facts(temperature=None),
            False,
            [TEMPERATURE_MISSING],
        ),
        (
            "mask-not-ticked",
            StatusSnapshot(latest_negative_at=NEG_OK),
            facts(steps_done=frozenset({"disinfect_person", "register"})),
            False,
            [STEP_NOT_DONE.format(label="佩戴口罩")],
        ),
        (
            "device-confirms-no-steps",
            StatusSnapshot(latest_negative_at=NEG_OK),
            facts(steps_done=None),
            True,
            [],
        ),
        (
            "open-hold-of-any-kind",
            StatusSnapshot(
                latest_negative_at=NEG_OK,
                holds=(Hold("pool_positive", "混管阳性", "所在混管阳性，待单管复核"),),
            ),
            facts(),
            False,
            [HOLD_OPEN.format(label="混管阳性", reason="所在混管阳性，待单管复核")],
        ),
        (
            "going-out-with-a-hold",
            StatusSnapshot(holds=(Hold("fever", "体温异常", "体温 38.0 ℃"),)),
            facts(direction="out", temperature=None, code_colour=None),
            True,
            [],
        ),
    ],
)
def test_z_5_2e_entry_decision_table(
    registry: Registry,
    name: str,
    status: StatusSnapshot,
    gate: GateFacts,
    allowed: bool,
    texts: list[str],
) -> None:
    """Z-5.2e at 2022-11-20 08:00 under Z v2 with a 48-hour park parameter."""
    pack = registry.get(Z, 2)
    decision = entry_decide(pack=pack, status=status, facts=gate, params=PARAMS)
    assert decision.allowed is allowed, name
    assert [r.text for r in decision.reasons] == texts, name
    assert (decision.pack_id, decision.version) == (Z, 2)
    for reason in decision.reasons:
        assert reason.citation is not None or reason.text.startswith("混管"), name


def test_z_5_2e_reasons_cite_their_rules(registry: Registry) -> None:
    """The negative test cites Z-5.2e; a fever cites the rule that sets the threshold (Z-4.2);
    a hold cites what opened it."""
    pack = registry.get(Z, 2)
    status = StatusSnapshot(
        holds=(Hold("positive", "检测阳性", "阳性", hold_citation(CITED)),),
    )
    decision = entry_decide(
        pack=pack, status=status, facts=facts(temperature=Decimal("38.1")), params=PARAMS
    )
    cited = {r.text: r.citation.requirement for r in decision.reasons if r.citation}
    assert cited == {
        TEMPERATURE_FEVER.format(value="38.1", threshold="37.3"): "Z-4.2",
        "无48小时内的核酸检测阴性证明": "Z-5.2e",
        HOLD_OPEN.format(label="检测阳性", reason="阳性"): "Z-5.1",
    }
    assert decision.fever_threshold_c == Decimal("37.3")


def test_z_5_2e_the_park_threshold_moves_the_answer(registry: Registry) -> None:
    """A park that sets 37.0 ℃ refuses 37.1 ℃, which the default 37.3 ℃ lets in."""
    pack = registry.get(Z, 2)
    status = StatusSnapshot(latest_negative_at=NEG_OK)
    gate = facts(temperature=Decimal("37.1"))
    assert entry_decide(pack=pack, status=status, facts=gate, params=PARAMS).allowed
    strict = entry_decide(
        pack=pack, status=status, facts=gate, params={**PARAMS, "fever_threshold_c": 37.0}
    )
    assert not strict.allowed


def test_z_5_2e_the_hours_come_from_the_park(registry: Registry) -> None:
    """With 72 hours set by the park, a test 60 hours old passes."""
    pack = registry.get(Z, 2)
    status = StatusSnapshot(latest_negative_at=datetime(2022, 11, 17, 20, 0, tzinfo=UTC))
    assert not entry_decide(pack=pack, status=status, facts=facts(), params=PARAMS).allowed
    decision = entry_decide(
        pack=pack, status=status, facts=facts(), params={"entry_test_hours": 72}
    )
    assert decision.allowed


@pytest.mark.parametrize(
    ("closed_loop", "on_route", "direction", "allowed"),
    [
        (False, False, "in", True),
        (True, True, "in", True),
        (True, False, "in", False),
        (True, False, "out", False),
    ],
)
def test_z_5_2d_closed_loop_only_on_the_route(
    registry: Registry, closed_loop: bool, on_route: bool, direction: str, allowed: bool
) -> None:
    """Z-5.2d "两点一线": in a closed-loop period a gate off the person's route refuses."""
    pack = registry.get(Z, 2)
    gate = facts(closed_loop=closed_loop, on_route=on_route, direction=direction)
    decision = entry_decide(
        pack=pack, status=StatusSnapshot(latest_negative_at=NEG_OK), facts=gate, params=PARAMS
    )
    assert decision.allowed is allowed
    if not allowed:
        (reason,) = decision.reasons
        assert reason.citation is not None and reason.citation.requirement == "Z-5.2d"


def test_a_place_the_pack_does_not_check_is_refused_with_a_reason(registry: Registry) -> None:
    decision = entry_decide(
        pack=registry.get(Z, 2),
        status=StatusSnapshot(latest_negative_at=NEG_OK),
        facts=facts(place="nowhere"),
        params=PARAMS,
    )
    assert not decision.allowed and [r.text for r in decision.reasons] == [NO_CHECKS]


def test_hold_citation_reads_complete_dicts_only() -> None:
    assert hold_citation({}) is None
    assert hold_citation({"pack_id": "x"}) is None
    cited = hold_citation(CITED)
    assert cited is not None and cited.requirement == "Z-5.1"


def test_z_5_2e_every_followed_pack_decides_and_one_refusal_refuses(registry: Registry) -> None:
    """Park A follows J and Z: J sets no fever number, Z does; 37.5 ℃ is refused under Z."""
    packs = [(registry.get(J, 1), None), (registry.get(Z, 2), PARAMS)]
    assert has_entry_checks(packs[0][0], "plant_gate")
    assert not has_entry_checks(packs[0][0], "nowhere")
    status = StatusSnapshot(
        latest_negative_at=NEG_OK, holds=(Hold("zone", "红区", "所在区域为红区"),)
    )
    decision = entry_decide_all(
        packs=packs, status=status, facts=facts(temperature=Decimal("37.5"))
    )
    assert not decision.allowed
    texts = [r.text for r in decision.reasons]
    assert texts.count(HOLD_OPEN.format(label="红区", reason="所在区域为红区")) == 1
    assert TEMPERATURE_FEVER.format(value="37.5", threshold="37.3") in texts
    assert decision.packs == ((J, 1), (Z, 2))
    nothing = entry_decide_all(packs=[], status=status, facts=facts())
    assert not nothing.allowed and [r.text for r in nothing.reasons] == [NO_PACK]
