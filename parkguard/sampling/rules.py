"""What the rule packs a park follows say of testing: the routine-testing rule (its citation
goes on every retest hold), the sample share, and a pool-size limit where a pack declares
one as a park parameter. Read through the rules app, never set in Python."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parkguard.orgs.models import Jurisdiction
from parkguard.policy.schema import RoutineTesting
from parkguard.rules.selectors import followed

# The park parameter a pack may declare for the largest pool (人/管).
POOL_SIZE_PARAM = "pool_size_max"
SET_BY_ROUND = {"set_by": "round", "text": "本轮设定"}


@dataclass(frozen=True)
class TestingRules:
    """One park's testing rules on one day; each value with where it comes from."""

    citation: dict[str, Any]  # the routine-testing rule (Z-5.2b), {} if no pack has one
    share: Decimal | None = None
    share_citation: dict[str, Any] = dataclasses.field(default_factory=dict)
    pool_size: int | None = None
    pool_size_citation: dict[str, Any] = dataclasses.field(default_factory=dict)


def testing_rules(*, park: Jurisdiction, on: dt.date) -> TestingRules:
    """The routine-testing rule, share and pool-size limit of the packs `park` follows."""
    citation: dict[str, Any] = {}
    share: Decimal | None = None
    share_citation: dict[str, Any] = {}
    pool: int | None = None
    pool_citation: dict[str, Any] = {}
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        for bound in entry.pack.rules_with("routine_testing"):
            cited = dataclasses.asdict(bound.citation)
            citation = citation or cited
            for measure in bound.rule.measures:
                value = getattr(measure, "sample_share", None)
                if (
                    isinstance(measure, RoutineTesting)
                    and isinstance(value, float | int)
                    and share is None
                ):
                    share, share_citation = Decimal(str(value)), cited
        raw = (entry.params or {}).get(POOL_SIZE_PARAM)
        if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0 and pool is None:
            pool = raw
            pool_citation = {**citation, "parameter": POOL_SIZE_PARAM}
    return TestingRules(
        citation=citation,
        share=share,
        share_citation=share_citation,
        pool_size=pool,
        pool_size_citation=pool_citation,
    )
