"""Writes of duties. Set-based: evidence for many people costs a few queries per chunk of
`CHUNK` ids, never one round trip per person.

Like `status.services`, these are called by the services that hold the evidence or the plan
(sampling, mobility, health) INSIDE their own transaction, after those have asked
`orgs.access.require()`; they check no permission themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from parkguard.duties.choices import OPEN_STATES, ROUTINE, DutyKind, DutyState
from parkguard.duties.models import Duty
from parkguard.orgs.models import Enterprise
from parkguard.people.models import Person

# The same chunk and batch sizes as the status upkeep (ids per query, rows per INSERT).
from parkguard.status.services import BATCH, CHUNK

UNKNOWN_KIND = "未知的任务类型"
BAD_WINDOW = "任务的截止时间必须晚于开始时间"
NAIVE_TIME = "任务时间必须带时区"
NO_SOURCE = "任务必须注明来源"


class DutyInputError(ValueError):
    """A duty a caller asked for that cannot exist; `message` is one of the constants above."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DutySpec:
    """One duty a plan asks for: the kind, its window [due_from, due_by), the clause, a label."""

    kind: str
    due_from: dt.datetime
    due_by: dt.datetime
    citation: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _check_kind(kind: str) -> None:
    if kind not in DutyKind.values:
        raise DutyInputError(UNKNOWN_KIND)


def _check_spec(spec: DutySpec) -> None:
    _check_kind(spec.kind)
    if spec.due_from.tzinfo is None or spec.due_by.tzinfo is None:
        raise DutyInputError(NAIVE_TIME)
    if spec.due_by <= spec.due_from:
        raise DutyInputError(BAD_WINDOW)


def _state_at(due_by: dt.datetime, at: dt.datetime) -> str:
    return DutyState.OVERDUE if due_by <= at else DutyState.DUE


def _routine_next(done: Sequence[Duty], at: dt.datetime) -> int:
    """For routine duties just done, the duty of the following cycle (same length, starting
    where this one ends), unless it exists already. Returns how many were created."""
    if not done:
        return 0
    wanted: dict[tuple[int, str, dt.datetime], Duty] = {}
    for duty in done:
        start = duty.due_by
        key = (duty.person_id, duty.kind, start)
        wanted.setdefault(
            key,
            Duty(
                person_id=duty.person_id,
                enterprise_id=duty.enterprise_id,
                kind=duty.kind,
                label=duty.label,
                due_from=start,
                due_by=start + (duty.due_by - duty.due_from),
                state=_state_at(start + (duty.due_by - duty.due_from), at),
                source=ROUTINE,
                citation=duty.citation,
                created_at=at,
            ),
        )
    have = set(
        Duty.objects.filter(
            person_id__in={k[0] for k in wanted},
            source=ROUTINE,
            due_from__gte=min(k[2] for k in wanted),
        )
        .exclude(state=DutyState.CANCELLED)
        .values_list("person_id", "kind", "due_from")
    )
    new = [duty for key, duty in wanted.items() if key not in have]
    Duty.objects.bulk_create(new, batch_size=BATCH)
    return len(new)


@transaction.atomic
def duty_evidence_record(
    *,
    kind: str,
    evidence: Mapping[int, dt.datetime],
    at: dt.datetime,
    reference: str = "",
) -> int:
    """Evidence of `kind` for some people ({person_id: when it happened}, e.g. the sampling
    time of a sample) satisfies each person's open duties of that kind whose window
    [due_from, due_by) contains that time, overdue ones included (a sample taken in time
    whose result came late). A routine duty done creates the next cycle's duty (Z-5.2b).

    `reference` names the evidence ("sampling.sample:12"). Returns the duties satisfied.
    """
    _check_kind(kind)
    satisfied = 0
    for chunk in _chunks(evidence):
        hits: list[Duty] = []
        for duty in (
            Duty.objects.select_for_update()
            .filter(person_id__in=chunk, kind=kind, state__in=OPEN_STATES)
            .only(
                "person_id",
                "enterprise_id",
                "kind",
                "label",
                "due_from",
                "due_by",
                "source",
                "citation",
                "state",
            )
            .order_by("pk")
        ):
            when = evidence[duty.person_id]
            if duty.due_from <= when < duty.due_by:
                duty.state = DutyState.DONE
                duty.satisfied_at = when
                duty.evidence = reference
                hits.append(duty)
        Duty.objects.bulk_update(hits, ["state", "satisfied_at", "evidence"], batch_size=BATCH)
        satisfied += len(hits)
        _routine_next([d for d in hits if d.source == ROUTINE], at)
    return satisfied


@transaction.atomic
def duties_replace(
    *, person_id: int, source: str, items: Sequence[DutySpec], at: dt.datetime
) -> list[Duty]:
    """Make `items` the open duties of one person from one `source` (a plan, e.g.
    "mobility.return:12"): an open duty that the new plan still asks for (same kind and
    window) stays as it is (its label and citation follow the plan); the others are
    cancelled, never deleted; done duties stay done, and an item that one already meets is
    not asked again. Returns the open duties from `source`, by deadline.
    """
    if not source:
        raise DutyInputError(NO_SOURCE)
    for spec in items:
        _check_spec(spec)
    enterprise_id = Person.objects.values_list("enterprise_id", flat=True).get(pk=person_id)
    wanted: dict[tuple[str, dt.datetime, dt.datetime], DutySpec] = {}
    for spec in items:
        wanted.setdefault((spec.kind, spec.due_from, spec.due_by), spec)
    kept: set[tuple[str, dt.datetime, dt.datetime]] = set()
    cancel: list[int] = []
    changed: list[Duty] = []
    existing = (
        Duty.objects.select_for_update()
        .filter(person_id=person_id, source=source)
        .exclude(state=DutyState.CANCELLED)
        .order_by("state", "pk")  # "done" sorts before "due"/"overdue": done ones win a key
    )
    for duty in existing:
        key = (duty.kind, duty.due_from, duty.due_by)
        if duty.state == DutyState.DONE:
            kept.add(key)
            continue
        if key in wanted and key not in kept:
            kept.add(key)
            spec = wanted[key]
            if duty.label != spec.label or duty.citation != dict(spec.citation):
                duty.label, duty.citation = spec.label, dict(spec.citation)
                changed.append(duty)
            continue
        cancel.append(duty.pk)
    Duty.objects.filter(pk__in=cancel).update(state=DutyState.CANCELLED, cancelled_at=at)
    Duty.objects.bulk_update(changed, ["label", "citation"], batch_size=BATCH)
    Duty.objects.bulk_create(
        [
            Duty(
                person_id=person_id,
                enterprise_id=enterprise_id,
                kind=spec.kind,
                label=spec.label,
                due_from=spec.due_from,
                due_by=spec.due_by,
                state=_state_at(spec.due_by, at),
                source=source,
                citation=dict(spec.citation),
                created_at=at,
            )
            for key, spec in wanted.items()
            if key not in kept
        ],
        batch_size=BATCH,
    )
    return list(
        Duty.objects.filter(person_id=person_id, source=source, state__in=OPEN_STATES).order_by(
            "due_by", "pk"
        )
    )


@transaction.atomic
def duties_refresh(*, at: dt.datetime, enterprise: Enterprise | None = None) -> int:
    """Time passing: every due duty whose window has closed by `at` becomes overdue, in one
    UPDATE (of one enterprise, if given). Returns how many changed."""
    duties = Duty.objects.filter(state=DutyState.DUE, due_by__lte=at)
    if enterprise is not None:
        duties = duties.filter(enterprise=enterprise)
    return duties.update(state=DutyState.OVERDUE)
