"""What the packs a township or park follows say about its daily report: the time of day it
is due (L-4.3 每天下午报送), with the citation. Read through the rules app, never set here."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import PolicyInputError, report_deadlines
from parkguard.rules.selectors import followed

# The requirement a daily deadline must cite to be the report's (other daily steps, such as a
# roster's hand-over, are not the report).
REPORT_REQUIREMENT = "L-4.3"


@dataclass(frozen=True)
class ReportDue:
    due_at: dt.datetime
    window_start: dt.datetime | None
    action: str
    citation: dict[str, Any]


def report_due(*, unit: Jurisdiction, on: dt.date) -> ReportDue | None:
    """The earliest deadline any followed pack sets for the day's report; None if none does."""
    tz = timezone.get_current_timezone()
    best: ReportDue | None = None
    for entry in followed(park=unit, on=on):
        if entry.pack is None:
            continue
        try:
            found = report_deadlines(pack=entry.pack, start=on, end=on, params=entry.params, tz=tz)
        except PolicyInputError:
            continue
        for deadline in found:
            if deadline.citation.requirement != REPORT_REQUIREMENT:
                continue
            if best is None or deadline.due_at < best.due_at:
                best = ReportDue(
                    due_at=deadline.due_at,
                    window_start=deadline.window_start,
                    action=deadline.action,
                    citation=dataclasses.asdict(deadline.citation),
                )
    return best
