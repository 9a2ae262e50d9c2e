"""Reads of testing: rounds and their tubes, who is on hold for retest, my results, and
the status contributor (latest negative, pending results) for `status rebuild`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet

from parkguard.orgs.access import Scope, visible
from parkguard.orgs.models import Enterprise
from parkguard.people.models import Person
from parkguard.sampling.choices import Result, SampleKind
from parkguard.sampling.models import Lab, ResultImport, Sample, SampleMember, SamplingRound
from parkguard.status import sources
from parkguard.status.choices import HoldKind
from parkguard.status.models import StatusHold

# Nucleic-acid tubes: only these make a "latest negative" (an antigen test does not).
NUCLEIC = (SampleKind.POOL, SampleKind.SINGLE)


def status_evidence(person_ids: Sequence[int]) -> dict[int, sources.Evidence]:
    """What sampling knows of these people, in two grouped queries."""
    negatives = dict(
        SampleMember.objects.filter(
            person_id__in=person_ids, sample__result=Result.NEGATIVE, sample__kind__in=NUCLEIC
        )
        .values("person_id")
        .annotate(latest=Max("sample__taken_at"))
        .values_list("person_id", "latest")
    )
    pending = dict(
        SampleMember.objects.filter(person_id__in=person_ids, sample__result=Result.PENDING)
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    return {
        pk: sources.Evidence(
            latest_negative_at=negatives.get(pk), pending_results=pending.get(pk, 0)
        )
        for pk in set(negatives) | set(pending)
    }


def rounds_of(*, scope: Scope, enterprise: Enterprise) -> QuerySet[SamplingRound]:
    return (
        visible(scope, SamplingRound)
        .filter(enterprise=enterprise)
        .annotate(headcount=Count("members", distinct=True), tubes=Count("samples", distinct=True))
    )


@dataclass(frozen=True)
class RoundView:
    round: SamplingRound
    samples: list[Sample]
    unsampled: list[Person]
    on_retest: list[dict[str, Any]]
    counts: dict[str, int]


def round_view(*, round: SamplingRound) -> RoundView:
    """A round's tubes (pools with members), who is not yet sampled, who is held for retest."""
    samples = list(
        Sample.objects.filter(round=round)
        .order_by("taken_at", "id")
        .prefetch_related(
            Prefetch("memberships", queryset=SampleMember.objects.select_related("person"))
        )
    )
    sampled = {
        m.person_id
        for s in samples
        if s.result != Result.INVALID
        and not (s.kind == SampleKind.POOL and s.result == Result.POSITIVE)
        for m in s.memberships.all()
    }
    members = list(
        Person.objects.filter(pk__in=round.members.values("person_id")).order_by("name", "pk")
    )
    unsampled = [p for p in members if p.pk not in sampled]
    sources_ = [s.status_source for s in samples if s.kind == SampleKind.POOL]
    holds = (
        StatusHold.objects.filter(
            kind=HoldKind.RETEST, cleared_at__isnull=True, source__in=sources_
        )
        .select_related("person")
        .order_by("person__name")
    )
    on_retest = [{"person": h.person, "reason": h.reason, "opened_at": h.opened_at} for h in holds]
    counts = {r: sum(1 for s in samples if s.result == r) for r in Result.values}
    return RoundView(round, samples, unsampled, on_retest, counts)


def my_samples(*, person: Person, limit: int = 20) -> list[Sample]:
    return list(
        Sample.objects.filter(memberships__person=person).order_by("-taken_at", "-id")[:limit]
    )


def labs_for(*, enterprise: Enterprise) -> QuerySet[Lab]:
    """The labs serving the enterprise's park."""
    return Lab.objects.filter(jurisdiction_id=enterprise.jurisdiction_id)


def imports_of(*, scope: Scope, enterprise: Enterprise) -> QuerySet[ResultImport]:
    return visible(scope, ResultImport).filter(enterprise=enterprise).select_related("lab")
