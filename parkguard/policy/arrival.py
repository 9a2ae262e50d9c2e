"""The plan for an arriving person, and its evaluation against what was recorded.

Day numbering (stated in every pack as ``day_numbering``):
- ``arrival_day_is_1``: the arrival date is day 1 of the first phase and of arrival tests.
- ``arrival_day_is_0``: the arrival date is day 0; day 1 is the next calendar day.
A phase of N days covers calendar days 1..N; the next phase's day 1 is the day after the
previous phase's last day. A phase ends at midnight after its last day. The first phase
starts at the moment of arrival.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from parkguard.policy import errors as E
from parkguard.policy import labels
from parkguard.policy.context import Context, Params, matches, midnight, select
from parkguard.policy.facts import EnterpriseFacts, ParamValue, PersonFacts, Records, Sample
from parkguard.policy.pack import BoundRule, Pack
from parkguard.policy.results import (
    Citation,
    EntryNeed,
    EntryVerdict,
    Note,
    Obligation,
    ObligationStatus,
    PhasePlan,
    Plan,
    PlanStatus,
    Prohibited,
    Reason,
    Status,
    cite,
)
from parkguard.policy.schema import (
    AnyOf,
    ArrivalTests,
    CertificateMeasure,
    ClosedLoop,
    Instruction,
    Notify,
    Phases,
    PreDepartureTest,
    Prohibition,
)

ARRIVAL_MEASURES = frozenset(
    {
        "pre_departure_test",
        "notify",
        "certificate",
        "arrival_tests",
        "phases",
        "any_of",
        "prohibition",
        "instruction:arrival",
        "closed_loop",
    }
)
_ENTRY_PROHIBITIONS = frozenset({"no_entry", "no_return"})


def day_date(arrival: date, day: int, numbering: str) -> date:
    """The calendar date of relative day ``day`` under the pack's day numbering."""
    offset = day - 1 if numbering == "arrival_day_is_1" else day
    return arrival + timedelta(days=offset)


def plan_arrival(
    *,
    pack: Pack,
    person: PersonFacts,
    arrived_at: datetime,
    enterprise: EnterpriseFacts | None = None,
    params: Mapping[str, ParamValue] | None = None,
) -> Plan:
    """Obligations, phases, test dates and earliest plant entry for an arriving person."""
    ctx = Context(at=arrived_at, params=Params(pack, params), person=person, enterprise=enterprise)
    rules = select(pack, ctx, ARRIVAL_MEASURES)
    builder = _Builder(ctx)
    used = [bound for bound in rules if builder.add_rule(bound)]
    blocking_ends = [p.end_at for p in builder.phases if p.blocks_entry]
    earliest: datetime | None = max([arrived_at, *blocking_ends])
    if any(p.action in _ENTRY_PROHIBITIONS for p in builder.prohibitions):
        earliest = None
    return Plan(
        pack_id=pack.id,
        version=pack.version,
        document_number=pack.meta.document_number,
        arrived_at=arrived_at,
        day_numbering=pack.meta.day_numbering,
        pack_in_force=pack.meta.in_force(arrived_at.date()),
        rules=tuple(cite(b) for b in used),
        obligations=tuple(builder.obligations),
        phases=tuple(builder.phases),
        earliest_entry=earliest,
        prohibitions=tuple(builder.prohibitions),
        notes=tuple(builder.notes),
        params=ctx.params.used(),
    )


class _Builder:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.obligations: list[Obligation] = []
        self.phases: list[PhasePlan] = []
        self.prohibitions: list[Prohibited] = []
        self.notes: list[Note] = []

    def add_rule(self, bound: BoundRule) -> bool:
        """Add what the rule asks of an arriving person; False if it asks nothing."""
        before = (len(self.obligations), len(self.phases), len(self.prohibitions), len(self.notes))
        citation = cite(bound)
        numbering = bound.source.day_numbering
        for j, measure in enumerate(bound.rule.measures):
            key = f"{bound.rule.id}/{j}"
            if isinstance(measure, Phases):
                self._phases(measure, key, citation, numbering)
            elif isinstance(measure, AnyOf):
                self.obligations.append(self._any_of(measure, key, citation, numbering))
            elif isinstance(measure, Prohibition):
                if measure.unless is None or not matches(measure.unless, self.ctx):
                    self.prohibitions.append(Prohibited(measure.action, measure.text, citation))
            elif isinstance(measure, Instruction):
                if measure.context == "arrival":
                    self.notes.append(Note(measure.text, citation))
            elif isinstance(measure, ClosedLoop):
                covers = "、".join(measure.covers)
                text = measure.text or f"在{measure.area}实行闭环管理" + (
                    f"（{covers}）" if covers else ""
                )
                self.notes.append(Note(text, citation))
            elif isinstance(measure, PreDepartureTest | Notify | CertificateMeasure | ArrivalTests):
                self.obligations.extend(self._simple(measure, key, citation, numbering))
        after = (len(self.obligations), len(self.phases), len(self.prohibitions), len(self.notes))
        return after != before

    def _simple(
        self,
        measure: PreDepartureTest | Notify | CertificateMeasure | ArrivalTests,
        key: str,
        citation: Citation,
        numbering: str,
    ) -> list[Obligation]:
        ctx, p = self.ctx, self.ctx.params
        arrived = ctx.at
        person = ctx.person
        assert person is not None
        if isinstance(measure, PreDepartureTest):
            hours = p.int(measure.within_hours)
            end = person.departed_at or arrived
            title = measure.title or f"离开前{hours}小时内完成{measure.test}"
            return [
                Obligation(
                    key,
                    "pre_departure_test",
                    title,
                    citation,
                    due_at=end,
                    window_start=end - timedelta(hours=hours),
                )
            ]
        if isinstance(measure, Notify):
            hours = p.int(measure.hours)
            due: datetime | None
            if measure.timing == "before_departure":
                due = person.departed_at - timedelta(hours=hours) if person.departed_at else None
            elif measure.timing == "before_arrival":
                due = arrived - timedelta(hours=hours)
            else:
                due = arrived + timedelta(hours=hours)
            return [
                Obligation(
                    key,
                    "notify",
                    measure.title or notify_text(measure, hours),
                    citation,
                    due_at=due,
                )
            ]
        if isinstance(measure, CertificateMeasure):
            if measure.within_hours is not None:
                span = timedelta(hours=p.int(measure.within_hours))
                text = f"{p.int(measure.within_hours)}小时内"
            else:
                assert measure.within_days is not None
                span = timedelta(days=p.int(measure.within_days))
                text = f"{p.int(measure.within_days)}天内"
            title = measure.title or f"持{text}{measure.test}"
            need: EntryNeed = "negative" if measure.blocks_entry else "none"
            return [
                Obligation(
                    key,
                    "certificate",
                    title,
                    citation,
                    due_at=arrived,
                    window_start=arrived - span,
                    blocks_entry=need,
                )
            ]
        out: list[Obligation] = []
        first_hours = measure.first_within_hours
        for n, day in enumerate(measure.days):
            on = day_date(arrived.date(), day, numbering)
            start = max(arrived, midnight(on, arrived))
            due = midnight(on + timedelta(days=1), arrived)
            if n == 0 and first_hours is not None:
                due = arrived + timedelta(hours=p.int(first_hours))
            title = measure.title or f"抵达后第{day}天{measure.test}"
            out.append(
                Obligation(
                    f"{key}/d{day}",
                    "test",
                    title,
                    citation,
                    due_at=due,
                    window_start=start,
                    on_date=on,
                    day=day,
                    blocks_entry=measure.blocks_entry,
                )
            )
        return out

    def _phases(self, measure: Phases, key: str, citation: Citation, numbering: str) -> None:
        arrived = self.ctx.at
        p = self.ctx.params
        first = day_date(arrived.date(), 1, numbering)
        start_at = arrived
        for k, phase in enumerate(measure.phases):
            days = p.int(phase.days)
            for day in phase.test_days:
                if day > days:
                    raise E.PolicyInputError(
                        E.ERR_TEST_DAY_OUTSIDE_PHASE,
                        path=f"{citation.rule_id}.phases[{k}].test_days",
                        detail=f"第 {day} 天 > {days}",
                    )
            last = first + timedelta(days=days - 1)
            end_at = midnight(last + timedelta(days=1), arrived)
            label = phase.label or labels.PHASE[phase.kind]
            index = len(self.phases)
            test_dates = tuple(first + timedelta(days=d - 1) for d in phase.test_days)
            self.phases.append(
                PhasePlan(
                    index=index,
                    kind=phase.kind,
                    label=label,
                    start_at=start_at,
                    end_at=end_at,
                    first_day=first,
                    last_day=last,
                    days=days,
                    test_dates=test_dates,
                    blocks_entry=phase.blocks_entry,
                    citation=citation,
                )
            )
            need: EntryNeed = "none"
            if phase.blocks_entry:
                need = "negative" if measure.entry_requires_negative else "sampled"
            for day, on in zip(phase.test_days, test_dates, strict=True):
                self.obligations.append(
                    Obligation(
                        f"{key}/p{k}/d{day}",
                        "test",
                        f"{label}第{day}天核酸检测",
                        citation,
                        due_at=midnight(on + timedelta(days=1), arrived),
                        window_start=max(start_at, midnight(on, arrived)),
                        on_date=on,
                        phase=index,
                        day=day,
                        blocks_entry=need,
                    )
                )
            first = last + timedelta(days=1)
            start_at = end_at

    def _any_of(self, measure: AnyOf, key: str, citation: Citation, numbering: str) -> Obligation:
        options: list[tuple[Obligation, ...]] = []
        for n, option in enumerate(measure.options):
            items: list[Obligation] = []
            for j, sub in enumerate(option.measures):
                items.extend(self._simple(sub, f"{key}/o{n}/{j}", citation, numbering))
            options.append(tuple(items))
        dues = [o.due_at for opt in options for o in opt if o.due_at is not None]
        needs = {o.blocks_entry for opt in options for o in opt}
        need: EntryNeed = (
            "negative" if "negative" in needs else ("sampled" if "sampled" in needs else "none")
        )
        title = measure.title or "（任选其一）" + " 或 ".join(o.label for o in measure.options)
        return Obligation(
            key,
            "any_of",
            title,
            citation,
            due_at=max(dues) if dues else None,
            blocks_entry=need,
            options=tuple(options),
            option_labels=tuple(o.label for o in measure.options),
        )


def notify_text(measure: Notify, hours: int) -> str:
    timing = labels.TIMING[measure.timing]
    when = f"{timing}{hours}小时" if hours else timing
    if measure.timing == "after_arrival" and hours:
        when = f"抵达后{hours}小时内"
    to = f"向{'、'.join(measure.to)}" if measure.to else ""
    channel = f"（通过{'或'.join(measure.channel)}）" if measure.channel else ""
    return f"{when}{to}{measure.action}{channel}"


# --- evaluation -------------------------------------------------------------------------
def _match_tests(ob: Obligation, tests: tuple[Sample, ...]) -> tuple[datetime | None, str | None]:
    start, end = ob.window_start, ob.due_at
    # The window already pins a test day to its calendar date (or to "within N hours");
    # a test day ends at midnight (exclusive), a certificate window at arrival (inclusive).
    inclusive = ob.kind != "test"
    found = [
        t
        for t in tests
        if (start is None or t.sampled_at >= start)
        and (end is None or t.sampled_at < end or (inclusive and t.sampled_at == end))
    ]
    if not found:
        return None, None
    results = {t.result for t in found}
    result = (
        "positive"
        if "positive" in results
        else ("negative" if "negative" in results else "pending")
    )
    return min(t.sampled_at for t in found), result


def _status(ob: Obligation, records: Records, at: datetime) -> ObligationStatus:
    if ob.kind == "any_of":
        option_states = [[_status(o, records, at) for o in opt] for opt in ob.options]
        for states in option_states:
            if all(s.status == "done" for s in states):
                done_at = max((s.done_at for s in states if s.done_at), default=None)
                results = {s.result for s in states if s.result}
                result = (
                    "positive"
                    if "positive" in results
                    else ("negative" if "negative" in results else ("pending" if results else None))
                )
                return ObligationStatus(ob, "done", done_at, result)
        return ObligationStatus(ob, _open(ob, at))
    if ob.kind == "notify":
        done = [n.at for n in records.notices if n.obligation == ob.key]
        if done:
            first = min(done)
            return ObligationStatus(
                ob, "done", first, None, ob.due_at is not None and first > ob.due_at
            )
        return ObligationStatus(ob, _open(ob, at))
    sampled_at, result = _match_tests(ob, records.tests)
    if sampled_at is not None:
        return ObligationStatus(ob, "done", sampled_at, result)
    return ObligationStatus(ob, _open(ob, at))


def _open(ob: Obligation, at: datetime) -> Status:
    return "overdue" if ob.due_at is not None and at > ob.due_at else "due"


def _entry_ok(state: ObligationStatus) -> bool:
    need = state.obligation.blocks_entry
    if need == "none":
        return True
    if state.status != "done":
        return False
    return need == "sampled" or state.result == "negative"


def evaluate_plan(*, plan: Plan, records: Records, at: datetime) -> PlanStatus:
    """Each obligation done / due / overdue at ``at``; may the person enter, or from when.

    ``records.tests`` holds every test result known, including certificates from before
    arrival; ``records.notices`` the declarations and reports, by obligation key.
    """
    states = tuple(_status(ob, records, at) for ob in plan.obligations)
    reasons: list[Reason] = [
        Reason(p.text, p.citation) for p in plan.prohibitions if p.action in _ENTRY_PROHIBITIONS
    ]
    foreseeable = not reasons
    for state in states:
        if _entry_ok(state):
            continue
        ob = state.obligation
        if state.result == "positive":
            reasons.append(Reason(f"{ob.title}：结果阳性，按规定处置", ob.citation))
            foreseeable = False
        elif state.status == "done":
            if state.result == "pending":
                reasons.append(Reason(f"{ob.title}：结果未出", ob.citation))
            else:
                reasons.append(Reason(f"{ob.title}：需要阴性结果", ob.citation))
                foreseeable = False
        elif state.status == "overdue":
            reasons.append(Reason(f"{ob.title}：已逾期未完成", ob.citation))
            foreseeable = False
        else:
            reasons.append(Reason(f"{ob.title}：尚未完成", ob.citation))
    earliest = plan.earliest_entry
    if earliest is not None and at < earliest:
        last = max((p for p in plan.phases if p.blocks_entry), key=lambda p: p.end_at, default=None)
        citation = last.citation if last is not None else None
        reasons.insert(0, Reason(f"须待{earliest:%Y-%m-%d %H:%M}之后方可进入厂区", citation))
    allowed = not reasons
    allowed_from: datetime | None
    if allowed:
        allowed_from = at if earliest is None else max(earliest, plan.arrived_at)
    else:
        allowed_from = earliest if foreseeable else None
    return PlanStatus(
        at=at,
        items=states,
        entry=EntryVerdict(allowed=allowed, allowed_from=allowed_from, reasons=tuple(reasons)),
        pack_id=plan.pack_id,
        version=plan.version,
    )
