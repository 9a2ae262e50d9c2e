"""Sources the daily report and the command board read beyond this app's own lower layers.

Lockdowns and closed-loop production live in apps that sit above this one (they may read
reports, never the reverse), so they plug in by name: `settings.REPORT_CONTRIBUTORS` lists
dotted paths of callables, each called once per report or board with every enterprise in
question and answering in a fixed number of queries:

    def lockdowns(*, enterprise_ids: Sequence[int], on: date, at: datetime)
            -> Mapping[int, Contribution]: ...

An enterprise missing from the answer has nothing from that source. A source that is not
installed is simply not listed, so the report works without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from parkguard.reporting.choices import BOARD_SEVERITY, BoardStatus


@dataclass(frozen=True)
class Timer:
    """A live deadline the board counts down (a checkpoint to staff, a closure to finish)."""

    label: str
    due_at: dt.datetime
    done_at: dt.datetime | None = None


@dataclass(frozen=True)
class Contribution:
    """What one source says of one enterprise on one day."""

    source: str  # in Chinese, as the report prints it: "封控", "闭环生产"
    status: str | None = None  # a BoardStatus value (lockdown, closed_loop), or None
    text: str = ""  # one line for the report: "一号车间封控中，卡点 2 个已到岗"
    production_normal: bool | None = None  # None: this source has no view on production
    timers: tuple[Timer, ...] = field(default_factory=tuple)


Contributor = Callable[..., Mapping[int, Contribution]]


def contributors() -> list[Contributor]:
    """The installed sources, in the order settings name them."""
    return [import_string(path) for path in getattr(settings, "REPORT_CONTRIBUTORS", ())]


def contributions(
    *, enterprise_ids: Sequence[int], on: dt.date, at: dt.datetime
) -> dict[int, list[Contribution]]:
    """Every source's word on every enterprise: one call per source, never per enterprise."""
    found: dict[int, list[Contribution]] = {}
    if not enterprise_ids:
        return found
    for source in contributors():
        for enterprise_id, given in source(enterprise_ids=enterprise_ids, on=on, at=at).items():
            if given.status is not None and given.status not in BOARD_SEVERITY:
                raise ValueError(f"unknown board status {given.status!r}")
            found.setdefault(enterprise_id, []).append(given)
    return found


def worst(statuses: Sequence[str]) -> str:
    """The most severe of some board statuses (normal if none)."""
    return max(statuses, key=BOARD_SEVERITY.index, default=BoardStatus.NORMAL.value)
