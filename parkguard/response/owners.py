"""Who owns areas, junctions and a site plan: an enterprise, or a park for its own zones.

The park's own areas (public roads, park hand-over and isolation points, buffer zones shared by
enterprises, the physically separated park zones of L-4.4) live in the same tables as an
enterprise's, with `park` set instead of `enterprise` (a check constraint keeps exactly one).
Services take an `Owner` so they ask one question ("is this row yours?") instead of branching
on which column is set, and get the words for their messages and the audit's ids from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Model

from parkguard.orgs.models import Enterprise, Jurisdiction


class Owned(Protocol):
    enterprise_id: int | None
    park_id: int | None


@dataclass(frozen=True)
class Owner:
    """An enterprise or a park, never both."""

    enterprise: Enterprise | None = None
    park: Jurisdiction | None = None

    def __post_init__(self) -> None:
        if (self.enterprise is None) == (self.park is None):
            raise ValueError("an owner is an enterprise or a park")

    @property
    def subject(self) -> Model:
        """What `orgs.access.require()` is asked about (manage_zones on it)."""
        return self.enterprise if self.enterprise is not None else self.park  # type: ignore[return-value]

    @property
    def is_park(self) -> bool:
        return self.park is not None

    @property
    def key(self) -> dict[str, Any]:
        """The owner as filter/create keyword arguments."""
        if self.enterprise is not None:
            return {"enterprise": self.enterprise}
        return {"park": self.subject}

    def owns(self, row: Owned) -> bool:
        if self.enterprise is not None:
            return row.enterprise_id == self.enterprise.pk and row.park_id is None
        return row.park_id == self.subject.pk and row.enterprise_id is None

    @property
    def enterprise_id(self) -> int | None:
        """For the audit event: the enterprise, None for a park."""
        return self.enterprise.pk if self.enterprise is not None else None

    @property
    def jurisdiction_id(self) -> int:
        """For the audit event: the enterprise's park, or the park."""
        if self.enterprise is not None:
            return self.enterprise.jurisdiction_id
        return self.subject.pk


def owner_of(row: Owned) -> Owner:
    """The owner of an area, junction or site plan (its related object is read if not loaded)."""
    if row.enterprise_id is not None:
        return Owner(enterprise=row.enterprise)  # type: ignore[attr-defined]
    return Owner(park=row.park)  # type: ignore[attr-defined]
