"""Numbers the Django layer needs from the rule packs a park follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import Pack
from parkguard.policy.schema import EnterpriseCondition, ParamRef
from parkguard.rules.selectors import followed


def _enterprise_conditions(node: object) -> Iterator[EnterpriseCondition]:
    if isinstance(node, EnterpriseCondition):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _enterprise_conditions(getattr(node, name))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _enterprise_conditions(item)


@cache
def _pack_size_thresholds(pack: Pack) -> tuple[int | ParamRef, ...]:
    return tuple(
        c.headcount_at_least
        for bound in pack.rules
        for c in _enterprise_conditions(bound.rule.when)
        if isinstance(c.headcount_at_least, int | ParamRef)  # a per-case choice is no size
    )


def _resolve(value: int | ParamRef, pack: Pack, params: dict[str, Any]) -> int | None:
    """A literal size, or the park's value (else the pack's default) for a parameter."""
    if isinstance(value, int):
        return value
    found = params.get(value.name, pack.parameters[value.name].default)
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def large_enterprise_headcount(*, park: Jurisdiction, on: dt.date) -> int | None:
    """The staff count from which a pack the park follows asks more of an enterprise.

    For notice J that is 200 (J-1.2.5 buffer zone, J-2.1 rosters); None when no pack the
    park follows sets such a size, in which case no enterprise is flagged as large.
    """
    counts = [
        n
        for entry in followed(park=park, on=on)
        if entry.pack is not None
        for value in _pack_size_thresholds(entry.pack)
        if (n := _resolve(value, entry.pack, entry.params)) is not None
    ]
    return min(counts) if counts else None
