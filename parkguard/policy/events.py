"""Approval routes and deadlines for events: business events, gatherings, trips, resumption."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from parkguard.policy import labels
from parkguard.policy.arrival import notify_text
from parkguard.policy.context import Context, Params, check_input, matches, select
from parkguard.policy.facts import EnterpriseFacts, EventFacts, ParamValue, PersonFacts
from parkguard.policy.pack import Pack
from parkguard.policy.results import (
    ApprovalStep,
    Deadline,
    EventRoute,
    Note,
    PlanDocument,
    Prohibited,
    Reason,
    cite,
)
from parkguard.policy.schema import (
    Approval,
    Instruction,
    Limit,
    Notify,
    PreventionPlan,
    Prohibition,
)

EVENT_MEASURES = frozenset(
    {"approval", "prevention_plan", "limit", "prohibition", "instruction", "notify"}
)


def event_route(
    *,
    pack: Pack,
    event: EventFacts,
    enterprise: EnterpriseFacts | None = None,
    organiser: PersonFacts | None = None,
    params: Mapping[str, ParamValue] | None = None,
) -> EventRoute:
    """The approval route of an event, its deadlines, and the filings due before it.

    When several approvals match (a notice's tiers can overlap at their boundary, e.g.
    "200人以上" and "200人以内" both include 200), the one with the highest ``rank`` is
    the route; all matches are listed with their citations.
    """
    ctx = Context(
        at=event.starts_at,
        params=Params(pack, params),
        person=organiser,
        enterprise=enterprise,
        event=event,
    )
    check_input(ctx)
    # Only rules that look at the event: a rule about arriving people says nothing here.
    rules = [b for b in select(pack, ctx, EVENT_MEASURES) if b.rule.when.event is not None]
    approvals: list[ApprovalStep] = []
    documents: list[PlanDocument] = []
    violations: list[Reason] = []
    prohibitions: list[Prohibited] = []
    notes: list[Note] = []
    filings: list[Deadline] = []
    p = ctx.params
    for bound in rules:
        citation = cite(bound)
        for m in bound.rule.measures:
            if isinstance(m, Approval):
                lead = p.int(m.lead_days)
                approvals.append(
                    ApprovalStep(
                        approver=m.approver,
                        apply_by=event.starts_at - timedelta(days=lead),
                        lead_days=lead,
                        filing_with=m.filing_with,
                        rank=m.rank,
                        citation=citation,
                    )
                )
            elif isinstance(m, PreventionPlan):
                documents.append(PlanDocument(m.name, m.responsible, m.contents, citation))
            elif isinstance(m, Limit):
                if m.max_participants is not None and event.headcount > p.int(m.max_participants):
                    violations.append(
                        Reason(
                            f"人数 {event.headcount} 超过上限 {p.int(m.max_participants)}", citation
                        )
                    )
                if m.min_distance_m is not None:
                    notes.append(Note(f"保持{p.int(m.min_distance_m)}米以上的社交距离", citation))
            elif isinstance(m, Prohibition):
                if m.unless is None or not matches(m.unless, ctx):
                    prohibitions.append(Prohibited(m.action, m.text, citation))
            elif isinstance(m, Instruction):
                notes.append(Note(m.text, citation))
            elif isinstance(m, Notify):
                hours = p.int(m.hours)
                sign = -1 if m.timing != "after_arrival" else 1
                filings.append(
                    Deadline(
                        action=m.title or notify_text(m, hours),
                        who=labels.WHO[m.who],
                        due_at=event.starts_at + sign * timedelta(hours=hours),
                        window_start=None,
                        citation=citation,
                    )
                )
    ordered = sorted(approvals, key=lambda a: (-a.rank, a.apply_by))
    route = EventRoute(
        pack_id=pack.id,
        version=pack.version,
        allowed=not violations and not prohibitions,
        approval=ordered[0] if ordered else None,
        approvals=tuple(ordered),
        documents=tuple(documents),
        violations=tuple(violations),
        prohibitions=tuple(prohibitions),
        notes=tuple(notes),
        filings=tuple(filings),
        rules=tuple(cite(b) for b in rules),
    )
    return route
