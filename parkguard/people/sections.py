"""Sections of the personal file that upper apps add (B-2.2: "later features add their
sections to it"), without people importing them. Each app registers a function in its
AppConfig.ready():

    people.sections.register("response", zone_section)

`fn(scope, person) -> Section | None` decides itself whether the caller may see it (None:
no section). The registry holds functions only (fixed at start-up), never data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parkguard.orgs.access import Scope
from parkguard.people.models import Person


@dataclass(frozen=True)
class Section:
    """A template to include on the personal file and what it shows (as `section`)."""

    template: str
    context: Any


Provider = Callable[[Scope, Person], Section | None]

_providers: dict[str, Provider] = {}


def register(name: str, fn: Provider) -> None:
    """Register (or replace, on a reload) the section provider called `name`."""
    _providers[name] = fn


def sections_for(*, scope: Scope, person: Person) -> list[Section]:
    """The sections this caller sees on this person's file, in registration order."""
    out: list[Section] = []
    for fn in _providers.values():
        found = fn(scope, person)
        if found is not None:
            out.append(found)
    return out
