"""What the packs a park (or county) follows say about lockdown command: minutes to staff each
checkpoint and to complete closure (L-3.0), the roster's span and longest shift (L-4.4b), and
when a set-time delivery is late (L-3.2). Read through the rules app, never set in Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import PolicyInputError
from parkguard.policy.context import Params
from parkguard.rules.selectors import followed

# Parameter names the command reads, by the field of `CommandRules` they fill.
NAMES = {
    "staff_minutes": "staff_within_minutes",
    "close_minutes": "close_within_minutes",
    "roster_hours": "roster_hours",
    "shift_max_hours": "shift_max_hours",
    "delivery_late_minutes": "delivery_late_minutes",
}


@dataclass(frozen=True)
class CommandRules:
    """The strictest (smallest) number any followed pack sets for each; None if none does."""

    staff_minutes: int | None = None
    close_minutes: int | None = None
    roster_hours: int | None = None
    shift_max_hours: int | None = None
    delivery_late_minutes: int | None = None
    # Per field: pack id, version, document number and the parameter's clause.
    citations: dict[str, dict[str, Any]] = field(default_factory=dict)


def _raw(pack: Any, params: Any, name: str) -> int | None:
    if name not in pack.parameters:
        return None
    try:
        value = Params(pack, params).raw(name)
    except PolicyInputError:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def command_rules(*, jurisdiction: Jurisdiction, on: dt.date) -> CommandRules:
    found: dict[str, int] = {}
    citations: dict[str, dict[str, Any]] = {}
    for entry in followed(park=jurisdiction, on=on):
        pack = entry.pack
        if pack is None:
            continue
        for key, name in NAMES.items():
            value = _raw(pack, entry.params, name)
            if value is None or (key in found and value >= found[key]):
                continue
            found[key] = value
            citations[key] = {
                "pack_id": pack.id,
                "version": pack.version,
                "document_number": pack.spec.document_number,
                "requirement": "L-4.4b" if key.startswith(("roster", "shift")) else "L-3.0",
                "clause": pack.parameters[name].clause,
            }
    if "delivery_late_minutes" in citations:
        citations["delivery_late_minutes"]["requirement"] = "L-3.2"
    return CommandRules(**found, citations=citations)
