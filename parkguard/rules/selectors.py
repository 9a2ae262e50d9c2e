"""Reads of the rules app: which packs a park follows, and in which version on a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import Pack, PolicyInputError
from parkguard.rules.models import PackAdoption
from parkguard.rules.registry import registry


@dataclass(frozen=True)
class Followed:
    adoption: PackAdoption
    pack: Pack | None  # the version in force on the date, or None if none is

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.adoption.params)


def adoptions_for(*, park: Jurisdiction) -> list[PackAdoption]:
    """Packs adopted by the park or by a jurisdiction above it (a town, the county)."""
    ancestors = [int(pk) for pk in park.path.strip("/").split("/") if pk]
    return list(
        PackAdoption.objects.filter(jurisdiction_id__in=ancestors)
        .select_related("jurisdiction")
        .order_by("pack_id", "-jurisdiction__path")
    )


def followed(*, park: Jurisdiction, on: dt.date) -> list[Followed]:
    """One entry per pack id; an adoption nearer the park overrides one above it."""
    seen: dict[str, Followed] = {}
    for adoption in adoptions_for(park=park):
        if adoption.pack_id in seen:
            continue
        try:
            pack: Pack | None = registry().in_force(adoption.pack_id, on)
        except PolicyInputError:
            pack = None
        seen[adoption.pack_id] = Followed(adoption=adoption, pack=pack)
    return list(seen.values())


def packs_followed(*, park: Jurisdiction, on: dt.date) -> list[Pack]:
    return [f.pack for f in followed(park=park, on=on) if f.pack is not None]
