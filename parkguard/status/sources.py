"""Contributors: how apps that hold evidence tell the status rebuild what they know.

`status` sits below health and sampling and must not import them, so each app registers a
function in its AppConfig.ready():

    status.sources.register("health", health_evidence)

`fn(person_ids) -> {person_id: Evidence}` answers for a chunk of people in a few set-based
queries; people it has no evidence for are simply absent. The registry holds functions only
(fixed at start-up), never data, so it is safe in every process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Evidence:
    """What one app knows of one person; unknown fields stay at their empty value."""

    latest_negative_at: dt.datetime | None = None
    pending_results: int = 0
    declared_on: dt.date | None = None
    last_temperature: Decimal | None = None
    last_temperature_at: dt.datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)


Contributor = Callable[[Sequence[int]], dict[int, Evidence]]

_contributors: dict[str, Contributor] = {}


def register(name: str, fn: Contributor) -> None:
    """Register (or replace, on a reload) the contributor called `name`."""
    _contributors[name] = fn


def contributors() -> dict[str, Contributor]:
    return dict(_contributors)


def _latest(values: Iterable[dt.datetime | None]) -> dt.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def merge(evidences: Iterable[Evidence]) -> Evidence:
    """One person's evidence from several apps: the latest times, the sum of pending results."""
    items = list(evidences)
    if not items:
        return Evidence()
    declared = [e.declared_on for e in items if e.declared_on is not None]
    readings = [e for e in items if e.last_temperature_at is not None]
    newest = max(readings, key=lambda e: e.last_temperature_at) if readings else None  # type: ignore[arg-type, return-value]
    return Evidence(
        latest_negative_at=_latest(e.latest_negative_at for e in items),
        pending_results=sum(e.pending_results for e in items),
        declared_on=max(declared) if declared else None,
        last_temperature=newest.last_temperature if newest else None,
        last_temperature_at=newest.last_temperature_at if newest else None,
    )


def collect(person_ids: Sequence[int]) -> dict[int, Evidence]:
    """Every contributor's evidence for `person_ids`, merged per person."""
    found: dict[int, list[Evidence]] = {}
    for fn in _contributors.values():
        for person_id, evidence in fn(person_ids).items():
            found.setdefault(person_id, []).append(evidence)
    return {person_id: merge(items) for person_id, items in found.items()}
