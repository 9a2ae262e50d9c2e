"""The entry decision at a gate: may this person pass, and if not, why (Z-5.2e, Z-5.2d, J-1.5a).

Pure: the caller hands in the person's status snapshot (one row, read once), what the guard or
the device saw (health-code colour, temperature, the steps done) and the gate's closed-loop
facts; the pack supplies every number (the hours of the negative test, the fever threshold).
Every refusal reason is Chinese text with the citation of the rule (or the hold) behind it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal

from parkguard.policy.citation import Citation
from parkguard.policy.context import Context, Params, check_input, select
from parkguard.policy.deadlines import symptom_lists
from parkguard.policy.facts import ParamValue, PersonFacts, Sample
from parkguard.policy.gate import ANY_PLACE, entry_checks
from parkguard.policy.pack import Pack
from parkguard.policy.results import CheckItem, Reason
from parkguard.policy.schema import ClosedLoop, EntryChecks

Direction = Literal["in", "out"]
# The steps a guard confirms with a tick (Z-5.2e: 戴口罩……消毒); a device confirms none.
CONFIRMED_STEPS = frozenset({"mask", "disinfect_person", "register"})
GREEN = "green"

CODE_NOT_SEEN = "未查验健康码"
CODE_NOT_GREEN = "健康码为{colour}，不得进入"
COLOUR_NAMES = {"green": "绿码", "yellow": "黄码", "red": "红码"}
TEMPERATURE_MISSING = "未测体温"
TEMPERATURE_FEVER = "体温 {value} ℃，达到发热标准（≥{threshold} ℃），不得进入"
STEP_NOT_DONE = "未完成：{label}"
HOLD_OPEN = "{label}：{reason}"
OFF_ROUTE = "闭环管理期间只能经“两点一线”路线上的出入口通行（{area}），本出入口不在此人路线上"
NO_CHECKS = "本园区规则包未规定此出入口的查验项目"


@dataclasses.dataclass(frozen=True, slots=True)
class Hold:
    """One open hold on the person's status row, whatever opened it (health, trips, pools...)."""

    kind: str
    label: str
    reason: str
    citation: Citation | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class StatusSnapshot:
    """The person's status row as the gate read it."""

    latest_negative_at: datetime | None = None
    pending_results: int = 0
    holds: tuple[Hold, ...] = ()
    last_temperature: Decimal | None = None
    last_temperature_at: datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class GateFacts:
    """What is known at the gate for this check."""

    at: datetime
    place: str = "plant_gate"
    direction: Direction = "in"
    person_kind: Literal["employee", "visitor", "truck_crew"] = "employee"
    # The colour the guard saw or the device read; None if nobody looked.
    code_colour: str | None = None
    temperature: Decimal | None = None
    # Steps the guard ticked; None when the checker cannot confirm steps (a device).
    steps_done: frozenset[str] | None = None
    # Closed loop (Z-5.2d): is the enterprise in a closed-loop period, and is this gate on the
    # person's dormitory-to-workshop route?
    closed_loop: bool = False
    on_route: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class EntryDecision:
    allowed: bool
    reasons: tuple[Reason, ...]
    checks: tuple[CheckItem, ...]
    pack_id: str
    version: int
    # The threshold the temperature was judged against, where the pack sets one.
    fever_threshold_c: Decimal | None = None


def hold_citation(data: Mapping[str, object] | None) -> Citation | None:
    """A hold's stored citation (a dict on the status row) as a Citation, if complete."""
    if not data:
        return None
    try:
        return Citation(
            pack_id=str(data["pack_id"]),
            version=int(str(data["version"])),
            document_number=str(data.get("document_number", "")),
            requirement=str(data.get("requirement", "")),
            clause=str(data.get("clause", "")),
            rule_id=str(data.get("rule_id", "")),
        )
    except (KeyError, ValueError):
        return None


def _fever(pack: Pack, params: Mapping[str, ParamValue] | None) -> tuple[Decimal, Citation] | None:
    best: tuple[Decimal, Citation] | None = None
    for item in symptom_lists(pack=pack, params=params):
        if item.fever_from_c is None:
            continue
        value = Decimal(str(item.fever_from_c))
        if best is None or value < best[0]:
            best = (value, item.citation)
    return best


def _closed_loop(
    pack: Pack, facts: GateFacts, params: Mapping[str, ParamValue] | None
) -> tuple[str, Citation] | None:
    """The closed-loop rule that applies to this person, if the pack has one."""
    ctx = Context(
        at=facts.at,
        params=Params(pack, params),
        person=PersonFacts(kind=facts.person_kind),
    )
    check_input(ctx)
    for bound in select(pack, ctx, ("closed_loop",)):
        for measure in bound.rule.measures:
            if isinstance(measure, ClosedLoop):
                return measure.area, bound.citation
    return None


def entry_decide(
    *,
    pack: Pack,
    status: StatusSnapshot,
    facts: GateFacts,
    params: Mapping[str, ParamValue] | None = None,
) -> EntryDecision:
    """Allowed or not, with every reason and its citation, under one pack version.

    Going in, the pack's entry checks for the place apply: the health code must be green, the
    temperature under the pack's fever threshold, the negative test within the pack's hours,
    the steps ticked, and no hold may be open (any kind: isolation, an unfinished plan, a
    positive pool, a zone...; each says why, with its own citation). In a closed-loop period
    only the gates on the person's route may be used, in either direction. Going out, only the
    route applies: a person sent home with a fever must be let out.
    """
    reasons: list[Reason] = []
    items: list[CheckItem] = []
    fever = _fever(pack, params)
    if facts.direction == "in":
        certificates = (
            (Sample(sampled_at=status.latest_negative_at),)
            if status.latest_negative_at is not None
            else ()
        )
        person = PersonFacts(kind=facts.person_kind, certificates=certificates)
        found = entry_checks(
            pack=pack, person=person, place=facts.place, at=facts.at, params=params
        )
        for item in found.checks:
            status_, detail, reason = _judge(item, facts, fever)
            items.append(dataclasses.replace(item, status=status_, detail=detail))
            if reason is not None:
                # A fever cites the rule that sets the threshold; a missing reading, the gate's.
                feverish = fever is not None and item.kind == "temperature"
                cited = fever[1] if fever and feverish and reason != TEMPERATURE_MISSING else None
                reasons.append(Reason(reason, cited or item.citation))
        if not found.checks:
            reasons.append(Reason(NO_CHECKS))
        for hold in status.holds:
            text = HOLD_OPEN.format(label=hold.label, reason=hold.reason)
            reasons.append(Reason(text, hold.citation))
    if facts.closed_loop and not facts.on_route:
        loop = _closed_loop(pack, facts, params)
        if loop is not None:
            reasons.append(Reason(OFF_ROUTE.format(area=loop[0]), loop[1]))
    return EntryDecision(
        allowed=not reasons,
        reasons=tuple(reasons),
        checks=tuple(items),
        pack_id=pack.id,
        version=pack.version,
        fever_threshold_c=fever[0] if fever else None,
    )


def _judge(
    item: CheckItem, facts: GateFacts, fever: tuple[Decimal, Citation] | None
) -> tuple[Literal["pass", "fail", "manual"], str, str | None]:
    """One check's status, detail and refusal reason (None when it passes or is manual)."""
    if item.kind == "negative_test":
        return item.status, item.detail, item.detail if item.status == "fail" else None
    if item.kind in {"health_code", "three_codes"}:
        if facts.code_colour is None:
            return "fail", CODE_NOT_SEEN, CODE_NOT_SEEN
        if facts.code_colour != GREEN:
            name = COLOUR_NAMES.get(facts.code_colour, facts.code_colour)
            text = CODE_NOT_GREEN.format(colour=name)
            return "fail", text, text
        return "pass", COLOUR_NAMES[GREEN], None
    if item.kind == "temperature":
        if facts.temperature is None:
            return "fail", TEMPERATURE_MISSING, TEMPERATURE_MISSING
        if fever is not None and facts.temperature >= fever[0]:
            text = TEMPERATURE_FEVER.format(value=facts.temperature, threshold=fever[0])
            return "fail", text, text
        return "pass" if fever is not None else "manual", f"{facts.temperature} ℃", None
    if item.kind in CONFIRMED_STEPS and facts.steps_done is not None:
        if item.kind in facts.steps_done:
            return "pass", "已确认", None
        text = STEP_NOT_DONE.format(label=item.label)
        return "fail", text, text
    if item.kind == "scan_code":
        return "pass", "已扫码", None
    return item.status, item.detail, None


@dataclasses.dataclass(frozen=True, slots=True)
class CombinedDecision:
    """The answer under every pack the park follows that checks this place."""

    allowed: bool
    reasons: tuple[Reason, ...]
    checks: tuple[CheckItem, ...]
    packs: tuple[tuple[str, int], ...]


NO_PACK = "本园区未采用规定出入查验的规则包，请联系园区管理员"


def entry_decide_all(
    *,
    packs: Sequence[tuple[Pack, Mapping[str, ParamValue] | None]],
    status: StatusSnapshot,
    facts: GateFacts,
) -> CombinedDecision:
    """Each pack decides; one refusal refuses. Reasons appear once (a hold is named by every
    pack), checks once per kind (the first pack that names it), packs in the order given."""
    if not packs:
        return CombinedDecision(False, (Reason(NO_PACK),), (), ())
    reasons: dict[str, Reason] = {}
    checks: dict[str, CheckItem] = {}
    versions: list[tuple[str, int]] = []
    for pack, params in packs:
        one = entry_decide(pack=pack, status=status, facts=facts, params=params)
        versions.append((one.pack_id, one.version))
        for reason in one.reasons:
            reasons.setdefault(reason.text, reason)
        for item in one.checks:
            if item.kind not in checks or item.status == "fail":
                checks[item.kind] = item
    return CombinedDecision(
        allowed=not reasons,
        reasons=tuple(reasons.values()),
        checks=tuple(checks.values()),
        packs=tuple(versions),
    )


def has_entry_checks(pack: Pack, place: str) -> bool:
    """Does the pack name entry checks for this place (or for any place)?"""
    for bound in pack.rules_with("entry_checks"):
        for measure in bound.rule.measures:
            if isinstance(measure, EntryChecks) and (
                place in measure.places or ANY_PLACE in measure.places
            ):
                return True
    return False
