"""What the Django layer asks of the packs a park follows, beyond plans: declared vocabularies.

A pack declares once, with its citation, the enterprise size it asks more of
(``enterprise_sizes.large``: J's 200人以上, J-1.2.5 / J-2.1), the posts with wide social
contact (``post_groups.wide_contact``, J-1.5c) and the staff categories managed with their
labour agency (``staff_groups.agency_managed``, J-1.5c). Pages, templates and scripts get
the answers (booleans, labels); none of them compares a head count or matches a word.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import (
    AGENCY_MANAGED,
    LARGE,
    WIDE_CONTACT,
    Citation,
    Group,
    Pack,
    PolicyInputError,
    SizeBand,
    enterprise_size,
    is_of_size,
    post_group,
    post_in_groups,
    staff_group,
)
from parkguard.rules.selectors import followed


@dataclass(frozen=True)
class LargeEnterprise:
    """The large-enterprise size of the packs a park follows, and the one decision on it.

    An enterprise is large when a followed pack that declares the size says so. With no such
    pack nothing is large, and the label is empty.
    """

    sizes: tuple[tuple[Pack, dict[str, Any], SizeBand], ...] = ()

    def includes(self, headcount: int) -> bool:
        return any(
            is_of_size(pack=pack, name=LARGE, headcount=headcount, params=params)
            for pack, params, _ in self.sizes
        )

    @property
    def threshold(self) -> int | None:
        """The smallest head count that is large (the one every label shows)."""
        return min((band.headcount_at_least for *_, band in self.sizes), default=None)

    @property
    def label(self) -> str:
        """The declared label of the size with the smallest head count ("200人以上企业")."""
        bands = sorted((band.headcount_at_least, band.label) for *_, band in self.sizes)
        return bands[0][1] if bands else ""

    @property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(c for *_, band in self.sizes for c in band.citations)


def large_enterprise(*, park: Jurisdiction, on: dt.date) -> LargeEnterprise:
    """The large-enterprise size of the packs `park` follows on the date."""
    sizes = []
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        try:
            band = enterprise_size(pack=entry.pack, name=LARGE, params=entry.params)
        except PolicyInputError:
            continue  # the park's stored values no longer fit the pack: no size from it
        if band is not None:
            sizes.append((entry.pack, entry.params, band))
    return LargeEnterprise(tuple(sizes))


def large_enterprise_headcount(*, park: Jurisdiction, on: dt.date) -> int | None:
    """The staff count from which a pack the park follows calls an enterprise large."""
    return large_enterprise(park=park, on=on).threshold


@dataclass(frozen=True)
class StaffRules:
    """The ledger's pack-declared groups for one park: wide-contact posts, agency categories."""

    wide_contact: tuple[Group, ...] = ()
    agency_managed: tuple[Group, ...] = ()

    def is_wide_contact_post(self, post: str) -> bool:
        return post_in_groups(post, self.wide_contact)

    def needs_agency(self, category: str) -> bool:
        return any(category in group.members for group in self.agency_managed)

    @property
    def agency_categories(self) -> frozenset[str]:
        return frozenset(c for group in self.agency_managed for c in group.members)


def staff_rules(*, park: Jurisdiction, on: dt.date) -> StaffRules:
    """The post and staff groups the packs `park` follows declare (J-1.5c)."""
    posts: list[Group] = []
    agency: list[Group] = []
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        if (group := post_group(pack=entry.pack, name=WIDE_CONTACT)) is not None:
            posts.append(group)
        if (group := staff_group(pack=entry.pack, name=AGENCY_MANAGED)) is not None:
            agency.append(group)
    return StaffRules(wide_contact=tuple(posts), agency_managed=tuple(agency))
