"""What results set in motion once written: holds for retest or positives, their clearing,
and the officers' alert. Shared by the lab import and the officer's own entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from parkguard.notify.choices import Kind
from parkguard.notify.privacy import name_mask
from parkguard.notify.services import notify_send
from parkguard.orgs.choices import ENTERPRISE_EDITORS
from parkguard.orgs.models import Membership
from parkguard.people.models import Person
from parkguard.sampling.choices import Result, SampleKind
from parkguard.sampling.models import Sample, SampleMember
from parkguard.sampling.rules import testing_rules
from parkguard.status.choices import HoldKind
from parkguard.status.models import StatusHold
from parkguard.status.services import status_hold_clear, status_hold_open

POOL_POSITIVE = "混管 {barcode} 阳性：待单管复核"
SINGLE_POSITIVE = "{kind} {barcode} 阳性"
# Where no followed pack has a routine-testing rule, the hold still says what it rests on.
FALLBACK_CITATION = {"requirement": "Z-5.2b", "clause": "核酸检测全覆盖；混管阳性须单管复核"}


def _citation(sample: Sample, known: dict[tuple[int, Any], dict[str, Any]]) -> dict[str, Any]:
    key = (sample.enterprise.jurisdiction_id, sample.taken_at.date())
    if key not in known:
        rules = testing_rules(park=sample.enterprise.jurisdiction, on=key[1])
        known[key] = rules.citation or dict(FALLBACK_CITATION)
    return known[key]


def results_followups(*, samples: QuerySet[Sample], at: dt.datetime) -> int:
    """Holds and alerts for results just written; returns the number of positive samples.

    A positive pool puts every member on a RETEST hold at once; a positive single tube or
    antigen test opens a POSITIVE hold and alerts the enterprise's officers; a negative
    single tube clears its person's RETEST holds. Set-based: negatives cost one query
    (only people with an open retest hold are touched), positives a few each.
    """
    positives = list(
        samples.filter(result=Result.POSITIVE).select_related("enterprise__jurisdiction")
    )
    known: dict[tuple[int, Any], dict[str, Any]] = {}
    for sample in positives:
        members = list(
            SampleMember.objects.filter(sample=sample).values_list("person_id", flat=True)
        )
        if sample.kind == SampleKind.POOL:
            status_hold_open(
                person_ids=members,
                kind=HoldKind.RETEST,
                reason=POOL_POSITIVE.format(barcode=sample.barcode),
                citation=_citation(sample, known),
                source=sample.status_source,
                at=at,
            )
        else:
            status_hold_open(
                person_ids=members,
                kind=HoldKind.POSITIVE,
                reason=SINGLE_POSITIVE.format(
                    kind=sample.get_kind_display(), barcode=sample.barcode
                ).strip(),
                citation=_citation(sample, known),
                source=sample.status_source,
                at=at,
            )
            _alert(sample=sample, person_ids=members, at=at)
    negatives = SampleMember.objects.filter(
        sample__in=samples.filter(result=Result.NEGATIVE, kind=SampleKind.SINGLE)
    ).values("person_id")
    held = list(
        StatusHold.objects.filter(
            kind=HoldKind.RETEST, cleared_at__isnull=True, person_id__in=negatives
        )
        .values_list("person_id", flat=True)
        .distinct()
    )
    if held:
        status_hold_clear(person_ids=held, kind=HoldKind.RETEST, at=at)
    return len(positives)


def _alert(*, sample: Sample, person_ids: list[int], at: dt.datetime) -> None:
    """The enterprise's admins and officers learn of a positive at once (inbox, group robot)."""
    enterprise = sample.enterprise
    officers = Membership.objects.filter(
        enterprise=enterprise, role__in=ENTERPRISE_EDITORS
    ).values_list("user_id", flat=True)
    names = list(Person.objects.filter(pk__in=person_ids).values_list("name", flat=True))
    title = f"检测阳性：{'、'.join(names)}"
    notify_send(
        user_ids=officers,
        enterprise=enterprise,
        kind=Kind.TEST_RESULT,
        title=title,
        body=f"{sample.get_kind_display()} {sample.barcode} 结果阳性，已限制进入，请立即处置。",
        link=reverse("sampling_round_list", args=[enterprise.pk]),
        at=at,
        group_text=(
            f"{enterprise.name}：{'、'.join(name_mask(n) for n in names)} 检测阳性，请及时处置。"
        ),
    )
