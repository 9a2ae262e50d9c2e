"""Reads of the person status."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from parkguard.lib import hot_sql
from parkguard.orgs.access import Scope, get_visible_or_404, require, visible
from parkguard.orgs.models import Enterprise
from parkguard.status.models import PersonStatus, StatusHold, StatusOverride

_STATUS_FIELDS = tuple(f.name for f in PersonStatus._meta.concrete_fields)


def person_status_get(*, person_id: int) -> PersonStatus | None:
    """The gate's read: one indexed lookup by primary key, no joins. No scope: the caller (the
    gate's entry decision) has already resolved who is at the gate from a signed pass token.

    The statement is written once per process from the model's own table and columns
    (lib/hot_sql.py; the fields' converters still apply): building it through the ORM took
    ten times as long as running it, on every check."""
    column = connection.ops.quote_name(str(PersonStatus._meta.pk.column))
    found = hot_sql.select_one(PersonStatus, _STATUS_FIELDS, f"t.{column} = %s", [person_id])
    return found[0] if found else None


def person_statuses(*, scope: Scope, person_ids: Iterable[int]) -> dict[int, PersonStatus]:
    """The status rows of these people that `scope` may see, in one query."""
    rows = visible(scope, PersonStatus).filter(pk__in=list(person_ids))
    return {row.pk: row for row in rows}


def holds_open(*, scope: Scope, person_id: int) -> QuerySet[StatusHold]:
    """One person's open holds, as far as `scope` may see them."""
    return visible(scope, StatusHold).filter(person_id=person_id, cleared_at__isnull=True)


def enterprise_for_overrides(*, scope: Scope, enterprise_id: int) -> Enterprise:
    """The enterprise whose entry holds the caller reviews: 404 if unseen, 403 if not allowed."""
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "override_status", enterprise)
    return enterprise


def held_people(
    *, scope: Scope, enterprise: Enterprise, limit: int
) -> list[tuple[PersonStatus, list[StatusHold]]]:
    """Who may not enter now, newest change first, each with their open holds (two queries)."""
    rows = list(
        visible(scope, PersonStatus)
        .filter(enterprise=enterprise, on_hold=True)
        .select_related("person")
        .order_by("-updated_at", "person_id")[:limit]
    )
    holds: dict[int, list[StatusHold]] = {}
    for hold in visible(scope, StatusHold).filter(
        person_id__in=[r.pk for r in rows], cleared_at__isnull=True
    ):
        holds.setdefault(hold.person_id, []).append(hold)
    return [(row, holds.get(row.pk, [])) for row in rows]


def overrides_of(*, scope: Scope, enterprise: Enterprise) -> QuerySet[StatusOverride]:
    return (
        visible(scope, StatusOverride)
        .filter(person__enterprise=enterprise)
        .select_related("person", "hold", "requested_by", "decided_by")
    )
