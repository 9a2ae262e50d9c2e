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
from parkguard.policy.context import Context, Params, check_input, matches, midnight, select
from parkguard.policy.facts import (
    CaseChoice,
    EnterpriseFacts,
    ParamValue,
    PersonFacts,
    Records,
    Sample,
)
from parkguard.policy.pack import BoundRule, Pack
from parkguard.policy.results import (
    Citation,
    EntryNeed,
    EntryVerdict,
    Note,
    Obligation,
    ObligationStatus,
    PhasePlan,
    PhaseStatus,
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
    Document,
    Evidence,
    Instruction,
    Notify,
    Phases,
    PreDepartureTest,
    Prohibition,
    TestWindow,
)

ARRIVAL_MEASURES = frozenset(
    {
        "pre_departure_test",
        "notify",
        "certificate",
        "arrival_tests",
        "test_window",
        "document",
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
    choices: Mapping[str, CaseChoice] | None = None,
) -> Plan:
    """Obligations, phases, test dates and earliest plant entry for an arriving person.

    ``choices`` are an officer's per-case choices within the pack's bounds (each with who
    and why); the plan lists every choice it used, chosen or the pack's default.
    """
    ctx = Context(
        at=arrived_at,
        params=Params(pack, params, choices),
        person=person,
        enterprise=enterprise,
    )
    check_input(ctx)
    rules = select(pack, ctx, ARRIVAL_MEASURES)
    builder = _Builder(ctx)
    used = [bound for bound in rules if builder.add_rule(bound)]
    blocking = [p for p in builder.phases if p.blocks_entry]
    earliest: datetime | None = max([arrived_at, *(p.end_at for p in blocking if p.end_at)])
    if any(p.end_at is None for p in blocking):
        earliest = None  # a phase that ends on a condition: not foreseeable from the facts
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
        choices=ctx.params.choices_used(),
    )


def anchor_moment(anchor: str, ctx: Context) -> datetime | None:
    """The moment a measure counts from; None when the facts do not give it."""
    person = ctx.person
    if anchor == "arrival" or person is None:
        return ctx.at if anchor == "arrival" else None
    if anchor == "hire_date":
        return midnight(person.hired_on, ctx.at) if person.hired_on else None
    moment = {
        "work_start": person.work_start_at,
        "symptom_onset": person.symptom_onset_at,
        "first_positive": person.first_positive_at,
        "order": person.ordered_at,
    }[anchor]
    return moment


_SIMPLE = (PreDepartureTest, Notify, CertificateMeasure, ArrivalTests, TestWindow, Document)


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
            self._measure(measure, f"{bound.rule.id}/{j}", citation, numbering)
        after = (len(self.obligations), len(self.phases), len(self.prohibitions), len(self.notes))
        return after != before

    def _measure(self, measure: object, key: str, citation: Citation, numbering: str) -> None:
        if isinstance(measure, Phases):
            self._phases(measure, key, citation, numbering)
        elif isinstance(measure, AnyOf):
            if measure.choice is not None:
                self._chosen(measure, key, citation, numbering)
            else:
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
        elif isinstance(measure, _SIMPLE):
            self.obligations.extend(self._simple(measure, key, citation, numbering))

    def _chosen(self, measure: AnyOf, key: str, citation: Citation, numbering: str) -> None:
        """An option chosen for this case by an officer (or the pack's default option)."""
        assert measure.choice is not None
        labels_ = tuple(o.label for o in measure.options)
        picked = self.ctx.params.choice(measure.choice, labels_)
        n = labels_.index(str(picked))
        self.notes.append(Note(f"按逐案选择执行：{picked}", citation))
        for j, sub in enumerate(measure.options[n].measures):
            self._measure(sub, f"{key}/o{n}/{j}", citation, numbering)

    def _missing_anchor(self, anchor: str, title: str, citation: Citation) -> list[Obligation]:
        self.notes.append(Note(f"未提供{labels.ANCHOR[anchor]}，无法计算：{title}", citation))
        return []

    def _simple(
        self,
        measure: PreDepartureTest
        | Notify
        | CertificateMeasure
        | ArrivalTests
        | TestWindow
        | Document,
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
        anchor = measure.anchor
        base = anchor_moment(anchor, ctx)
        if isinstance(measure, Notify):
            promptly = measure.promptly
            vocab_hours = p.vocab.promptly_hours
            hours = (
                p.int(vocab_hours) if promptly and vocab_hours is not None else p.int(measure.hours)
            )
            title = measure.title or notify_text(measure, hours, anchor)
            if measure.timing == "before_departure":
                due = person.departed_at - timedelta(hours=hours) if person.departed_at else None
            elif base is None:
                return self._missing_anchor(anchor, title, citation)
            elif measure.timing == "before_arrival":
                due = base - timedelta(hours=hours)
            else:
                due = base + timedelta(hours=hours)
            return [Obligation(key, "notify", title, citation, due_at=due, anchor=anchor)]
        if isinstance(measure, CertificateMeasure):
            if measure.within_hours is not None:
                span = timedelta(hours=p.int(measure.within_hours))
                text = f"{p.int(measure.within_hours)}小时内"
            else:
                assert measure.within_days is not None
                span = timedelta(days=p.int(measure.within_days))
                text = f"{p.int(measure.within_days)}天内"
            if anchor != "arrival":
                text = f"{labels.ANCHOR_BEFORE[anchor]}{text}"
            title = measure.title or f"持{text}{measure.test}"
            if base is None:
                return self._missing_anchor(anchor, title, citation)
            need: EntryNeed = "negative" if measure.blocks_entry else "none"
            return [
                Obligation(
                    key,
                    "certificate",
                    title,
                    citation,
                    due_at=base,
                    window_start=base - span,
                    blocks_entry=need,
                    test_kind=measure.test_kind,
                    anchor=anchor,
                )
            ]
        if isinstance(measure, Document):
            verb = "审核通过" if measure.needs == "approved" else "提交"
            to = f"向{'、'.join(measure.to)}" if measure.to else ""
            title = measure.title or f"{to}提交{measure.name}" + (
                "并经审核通过" if measure.needs == "approved" else ""
            )
            if base is None:
                return self._missing_anchor(anchor, title, citation)
            due = base + timedelta(hours=p.int(measure.due_hours)) if measure.due_hours else base
            doc_need: EntryNeed = measure.needs if measure.blocks_entry else "none"
            del verb
            return [
                Obligation(
                    key,
                    "document",
                    title,
                    citation,
                    due_at=due,
                    blocks_entry=doc_need,
                    anchor=anchor,
                )
            ]
        if base is None:
            return self._missing_anchor(anchor, measure.title or measure.test, citation)
        if isinstance(measure, TestWindow):
            first = day_date(base.date(), measure.from_day, numbering)
            last = day_date(base.date(), measure.to_day, numbering)
            word = labels.ANCHOR_AFTER[anchor]
            title = measure.title or (
                f"{word}第{measure.from_day}至{measure.to_day}天内任一天{measure.test}一次"
            )
            return [
                Obligation(
                    key,
                    "test",
                    title,
                    citation,
                    due_at=midnight(last + timedelta(days=1), base),
                    window_start=max(base, midnight(first, base)),
                    on_date=first,
                    day=measure.from_day,
                    blocks_entry=measure.blocks_entry,
                    test_kind=measure.test_kind,
                    anchor=anchor,
                )
            ]
        out: list[Obligation] = []
        first_hours = measure.first_within_hours
        several = len(measure.days) > 1
        for n, day in enumerate(measure.days):
            on = day_date(base.date(), day, numbering)
            start = max(base, midnight(on, base))
            due = midnight(on + timedelta(days=1), base)
            if n == 0 and first_hours is not None:
                due = base + timedelta(hours=p.int(first_hours))
            out.append(
                Obligation(
                    f"{key}/d{day}",
                    "test",
                    _test_title(measure, day, several, anchor),
                    citation,
                    due_at=due,
                    window_start=start,
                    on_date=on,
                    day=day,
                    blocks_entry=measure.blocks_entry,
                    anchor=anchor,
                )
            )
        return out

    def _phases(self, measure: Phases, key: str, citation: Citation, numbering: str) -> None:
        base = anchor_moment(measure.anchor, self.ctx)
        if base is None:
            self._missing_anchor(measure.anchor, measure.title or "隔离/监测阶段", citation)
            return
        p = self.ctx.params
        first = day_date(base.date(), 1, numbering)
        start_at = base
        for k, phase in enumerate(measure.phases):
            days = p.int(phase.days) if phase.days is not None else None
            for day in phase.test_days:
                if days is not None and day > days:
                    raise E.PolicyInputError(
                        E.ERR_TEST_DAY_OUTSIDE_PHASE,
                        path=f"{citation.rule_id}.phases[{k}].test_days",
                        detail=f"第 {day} 天 > {days}",
                    )
            last = first + timedelta(days=days - 1) if days is not None else None
            end_at = midnight(last + timedelta(days=1), base) if last is not None else None
            label = phase.label or labels.PHASE[phase.kind]
            index = len(self.phases)
            test_dates = tuple(first + timedelta(days=d - 1) for d in phase.test_days)
            evidence = phase.until or phase.end_early
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
                    end_condition=describe_evidence(evidence, p) if evidence else None,
                    ends_early=phase.end_early is not None,
                    evidence_from_day=evidence.negative_test_from_day if evidence else None,
                    evidence_test_kind=evidence.test_kind if evidence else "nat",
                    symptom_free_days=(
                        p.int(evidence.symptom_free_days)
                        if evidence and evidence.symptom_free_days is not None
                        else None
                    ),
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
                        due_at=midnight(on + timedelta(days=1), base),
                        window_start=max(start_at, midnight(on, base)),
                        on_date=on,
                        phase=index,
                        day=day,
                        blocks_entry=need,
                        anchor=measure.anchor,
                    )
                )
            if last is None or end_at is None:
                break  # a phase that ends on a condition is the last one (checked on load)
            first = last + timedelta(days=1)
            start_at = end_at

    def _any_of(self, measure: AnyOf, key: str, citation: Citation, numbering: str) -> Obligation:
        options: list[tuple[Obligation, ...]] = []
        for n, option in enumerate(measure.options):
            items: list[Obligation] = []
            for j, sub in enumerate(option.measures):
                if isinstance(sub, _SIMPLE):
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


def _test_title(measure: ArrivalTests, day: int, several: bool, anchor: str) -> str:
    """Each test day gets its own title: a pack title names the day, never all of them."""
    if measure.title is None:
        return f"{labels.ANCHOR_AFTER[anchor]}第{day}天{measure.test}"
    if "{day}" in measure.title:
        return measure.title.replace("{day}", str(day))
    return f"{measure.title}（第{day}天）" if several else measure.title


def describe_evidence(evidence: Evidence, p: Params) -> str:
    parts = []
    if evidence.symptom_free_days is not None:
        parts.append(f"症状消失满{p.int(evidence.symptom_free_days)}天")
    if evidence.negative_test_from_day is not None:
        test = labels.TEST_KIND[evidence.test_kind]
        parts.append(f"第{evidence.negative_test_from_day}天起{test}阴性")
    return "且".join(parts)


def notify_text(measure: Notify, hours: int, anchor: str = "arrival") -> str:
    timing = labels.TIMING[measure.timing]
    if anchor != "arrival" and measure.timing != "before_departure":
        after = measure.timing == "after_arrival"
        timing = (labels.ANCHOR_AFTER if after else labels.ANCHOR_BEFORE)[anchor]
    when = f"{timing}{hours}小时" if hours else timing
    if measure.timing == "after_arrival" and hours:
        when = f"{labels.ANCHOR_AFTER[anchor]}{hours}小时内"
    if measure.promptly:
        when = f"及时（{when}）"
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
        if t.kind == ob.test_kind
        and (start is None or t.sampled_at >= start)
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
    if ob.kind == "document":
        docs = [d for d in records.documents if d.obligation == ob.key]
        if ob.blocks_entry == "approved" or any(d.approved_at for d in docs):
            approved = [d.approved_at for d in docs if d.approved_at is not None]
            if approved:
                return ObligationStatus(ob, "done", min(approved), "approved")
            if docs:
                return ObligationStatus(ob, _open(ob, at), None, "submitted")
            return ObligationStatus(ob, _open(ob, at))
        if docs:
            first = min(d.submitted_at for d in docs)
            late = ob.due_at is not None and first > ob.due_at
            return ObligationStatus(ob, "done", first, "submitted", late)
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
    if need == "none" or state.status == "not_needed":
        return True
    if state.status != "done":
        return False
    return need in ("sampled", "submitted", "approved") or state.result == "negative"


def phase_end(phase: PhasePlan, records: Records) -> tuple[datetime | None, bool]:
    """When the phase actually ends given the records, and whether that is early.

    The evidence holds at the latest of: a negative test (of the declared kind) sampled on
    or after the phase's day N; N full days after symptoms were gone.
    """
    if phase.end_condition is None:
        return phase.end_at, False
    moments: list[datetime] = []
    if phase.evidence_from_day is not None:
        from_date = phase.first_day + timedelta(days=phase.evidence_from_day - 1)
        found = [
            t.sampled_at
            for t in records.tests
            if t.kind == phase.evidence_test_kind
            and t.result == "negative"
            and t.sampled_at >= max(phase.start_at, midnight(from_date, phase.start_at))
        ]
        if not found:
            return phase.end_at, False
        moments.append(min(found))
    if phase.symptom_free_days is not None:
        if records.symptoms_gone_at is None:
            return phase.end_at, False
        moments.append(records.symptoms_gone_at + timedelta(days=phase.symptom_free_days))
    end = max(moments)
    if phase.end_at is not None and end >= phase.end_at:
        return phase.end_at, False
    return end, phase.end_at is not None


def evaluate_plan(*, plan: Plan, records: Records, at: datetime) -> PlanStatus:
    """Each obligation done / due / overdue at ``at``; may the person enter, or from when.

    ``records.tests`` holds every test result known, including certificates from before
    arrival; ``records.notices`` the declarations and reports, by obligation key;
    ``records.documents`` the documents submitted (and approved). A phase that ends early
    or on a condition ends when the records show its evidence (and not before ``at``);
    its later test days are then ``not_needed``.
    """
    phase_states: list[PhaseStatus] = []
    for phase in plan.phases:
        end, early = phase_end(phase, records)
        if end is not None and phase.end_condition is not None and end > at and early:
            end, early = phase.end_at, False  # evidence recorded for a future moment
        phase_states.append(PhaseStatus(phase.index, phase.label, end, early))
    ends = {ps.index: ps.end_at for ps in phase_states}
    states = tuple(_status_in_phase(ob, records, at, ends) for ob in plan.obligations)
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
        elif ob.kind == "document" and state.result == "submitted":
            reasons.append(Reason(f"{ob.title}：已提交，待审核通过", ob.citation))
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
    blocking = [p for p in plan.phases if p.blocks_entry]
    open_phases = [p for p in blocking if ends[p.index] is None]
    earliest: datetime | None = plan.earliest_entry
    if blocking and not any(p.action in _ENTRY_PROHIBITIONS for p in plan.prohibitions):
        known = [end for p in blocking if (end := ends[p.index]) is not None]
        earliest = max([plan.arrived_at, *known]) if not open_phases else None
    for phase in open_phases:
        reasons.insert(0, Reason(f"{phase.label}尚未结束：须{phase.end_condition}", phase.citation))
        foreseeable = False
    if earliest is not None and at < earliest:
        last = max(
            (p for p in blocking if ends[p.index] is not None),
            key=lambda p: ends[p.index],  # type: ignore[arg-type,return-value]
            default=None,
        )
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
        phases=tuple(phase_states),
    )


def _status_in_phase(
    ob: Obligation, records: Records, at: datetime, ends: Mapping[int, datetime | None]
) -> ObligationStatus:
    """A test day of a phase that already ended (early) is not needed any more."""
    if ob.phase is not None and ob.window_start is not None:
        end = ends.get(ob.phase)
        if end is not None and ob.window_start >= end:
            return ObligationStatus(ob, "not_needed")
    return _status(ob, records, at)
