"""Routine test schedules (Z-5.2b, J-1.5b, J-1.5c): which routine tests the packs a park
follows ask of a person, at what interval, and the cycle that holds a given day.

Every interval comes from a pack (its rule or the park's parameter); nothing here is a
number from a notice. A person in a wide-contact post (the ledger's flag, or a post the
pack's `post_groups.wide_contact` names, J-1.5c) carries the role tags the packs' rules
select such staff by, so the pack's shorter interval applies to them (Z-5.2b).

Cycles are counted from the day the park adopted the pack (a fixed anchor, so that every
day's computation agrees): cycle k runs [anchor + k × interval, anchor + (k+1) × interval)
in local days. A routine duty's window is its cycle.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from parkguard.duties.choices import DutyKind
from parkguard.orgs.models import Jurisdiction
from parkguard.policy import WIDE_CONTACT, EnterpriseFacts, PersonFacts, PolicyInputError
from parkguard.policy.context import Context, Params, select
from parkguard.policy.schema import RoutineTesting
from parkguard.rules.params import StaffRules, staff_rules
from parkguard.rules.selectors import followed

# The role tag the Zhengyang pack's rule z-5.2b-public-contact-testing selects by
# ("与社会面接触人员"), and the name of the post group packs declare (J-1.5c).
PUBLIC_CONTACT_ROLE = "public_contact"
WIDE_CONTACT_ROLES = (PUBLIC_CONTACT_ROLE, WIDE_CONTACT)
# A test named with this word is an antigen test; any other routine test is a nucleic-acid test.
ANTIGEN_WORD = "抗原"


@dataclass(frozen=True)
class RoutineTest:
    """One routine test a pack asks of a kind of person: every `interval_days` days."""

    kind: str
    interval_days: int
    anchor: dt.date
    label: str
    citation: dict[str, Any]

    def cycle(self, on: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The window (local midnights) of the cycle that holds day `on`."""
        k = (on - self.anchor).days // self.interval_days
        start = self.anchor + dt.timedelta(days=k * self.interval_days)
        end = start + dt.timedelta(days=self.interval_days)
        return _midnight(start), _midnight(end)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))


@dataclass(frozen=True)
class Profile:
    """What a routine rule can select a person by (the rest of a person does not matter)."""

    staff_category: str
    wide_contact: bool
    headcount: int


class ParkSchedule:
    """The routine tests of one park on one day, per profile (computed once per profile)."""

    def __init__(self, *, park: Jurisdiction, on: dt.date) -> None:
        self.on = on
        self.entries = [e for e in followed(park=park, on=on) if e.pack is not None]
        self.staff: StaffRules = staff_rules(park=park, on=on)
        self._cache: dict[Profile, dict[str, RoutineTest]] = {}

    def is_wide_contact(self, *, flagged: bool, post: str) -> bool:
        return flagged or self.staff.is_wide_contact_post(post)

    def tests(self, profile: Profile) -> dict[str, RoutineTest]:
        """The strictest (shortest-interval) routine test of each kind for `profile`."""
        if profile not in self._cache:
            self._cache[profile] = self._compute(profile)
        return self._cache[profile]

    def _compute(self, profile: Profile) -> dict[str, RoutineTest]:
        person = PersonFacts(
            kind="employee",
            staff_category=profile.staff_category,
            roles=WIDE_CONTACT_ROLES if profile.wide_contact else (),
        )
        found: dict[str, RoutineTest] = {}
        for entry in self.entries:
            assert entry.pack is not None
            try:
                params = Params(entry.pack, entry.params)
                ctx = Context(
                    at=dt.datetime.combine(self.on, dt.time(0)),
                    params=params,
                    person=person,
                    enterprise=EnterpriseFacts(headcount=profile.headcount),
                )
                rules = select(entry.pack, ctx, {"routine_testing"})
            except PolicyInputError:
                continue  # the park's values no longer fit the pack: the rules page says so
            anchor = timezone.localtime(entry.adoption.adopted_at).date()
            for bound in rules:
                for measure in bound.rule.measures:
                    # A sampled share is drawn per round by sampling, not owed by each person.
                    if not isinstance(measure, RoutineTesting) or measure.sample_share is not None:
                        continue
                    try:
                        interval = params.int(measure.interval_days)
                    except (PolicyInputError, AssertionError):
                        continue  # a parameter the park has not set
                    kind = (
                        DutyKind.ANTIGEN if ANTIGEN_WORD in measure.test else DutyKind.NUCLEIC_ACID
                    )
                    test = RoutineTest(
                        kind=kind,
                        interval_days=interval,
                        anchor=anchor,
                        label=measure.title or f"每{interval}天{measure.test}",
                        citation=dataclasses.asdict(bound.citation),
                    )
                    if kind not in found or interval < found[kind].interval_days:
                        found[kind] = test
        return found
