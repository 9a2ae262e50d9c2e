"""Reads of the person status."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from parkguard.orgs.access import Scope, visible
from parkguard.status.models import PersonStatus, StatusHold


def person_status_get(*, person_id: int) -> PersonStatus | None:
    """The gate's read: one indexed lookup by primary key, no joins. No scope: the caller (the
    gate's entry decision) has already resolved who is at the gate from a signed pass token."""
    return PersonStatus.objects.filter(pk=person_id).first()


def person_statuses(*, scope: Scope, person_ids: Iterable[int]) -> dict[int, PersonStatus]:
    """The status rows of these people that `scope` may see, in one query."""
    rows = visible(scope, PersonStatus).filter(pk__in=list(person_ids))
    return {row.pk: row for row in rows}


def holds_open(*, scope: Scope, person_id: int) -> QuerySet[StatusHold]:
    """One person's open holds, as far as `scope` may see them."""
    return visible(scope, StatusHold).filter(person_id=person_id, cleared_at__isnull=True)
