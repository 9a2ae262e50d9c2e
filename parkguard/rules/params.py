"""Numbers the Django layer needs from the rule packs a park follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache

from pydantic import BaseModel

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import Pack
from parkguard.policy.schema import EnterpriseCondition
from parkguard.rules.selectors import packs_followed


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
def _pack_large_headcount(pack: Pack) -> int | None:
    counts = [
        c.headcount_at_least
        for bound in pack.rules
        for c in _enterprise_conditions(bound.rule.when)
        if isinstance(c.headcount_at_least, int)
    ]
    return min(counts) if counts else None


def large_enterprise_headcount(*, park: Jurisdiction, on: dt.date) -> int | None:
    """The staff count from which a pack the park follows asks more of an enterprise.

    For notice J that is 200 (J-1.2.5 buffer zone, J-2.1 rosters); None when no pack the
    park follows sets such a size, in which case no enterprise is flagged as large.
    """
    counts = [n for p in packs_followed(park=park, on=on) if (n := _pack_large_headcount(p))]
    return min(counts) if counts else None
