"""What the rule packs a park follows ask of daily health: the symptoms to declare, the fever
threshold, the temperature checks per day. Read through the rules app, never set in Python."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import Citation, PolicyInputError, symptom_lists, temperature_schedule
from parkguard.rules.selectors import followed


def citation_json(citation: Citation | None) -> dict[str, Any]:
    return dataclasses.asdict(citation) if citation is not None else {}


@dataclass(frozen=True)
class SymptomRule:
    symptoms: tuple[str, ...]
    action: str
    citation: Citation


@dataclass(frozen=True)
class HealthRules:
    """One park's health rules on one day, each number with the clause it comes from."""

    lists: tuple[SymptomRule, ...] = ()
    # The lowest threshold any followed list sets (the strictest), and its list.
    fever_from_c: Decimal | None = None
    fever_rule: SymptomRule | None = None
    # Checks per day (B-2.2b: 上班, 下班) and where that number comes from.
    check_slots: tuple[str, ...] = ()
    checks_citation: Citation | None = None

    @property
    def symptoms(self) -> tuple[str, ...]:
        """Every symptom any followed pack lists, in the order the packs name them."""
        seen: dict[str, None] = {}
        for rule in self.lists:
            seen.update(dict.fromkeys(rule.symptoms))
        return tuple(seen)

    @property
    def checks_per_day(self) -> int | None:
        return len(self.check_slots) or None

    def rule_for(self, symptoms: list[str]) -> SymptomRule | None:
        """The first list that names one of these symptoms: its citation goes on the alert."""
        for rule in self.lists:
            if set(symptoms) & set(rule.symptoms):
                return rule
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "symptoms": list(self.symptoms),
            "lists": [
                {"symptoms": list(r.symptoms), "citation": citation_json(r.citation)}
                for r in self.lists
            ],
            "fever_from_c": str(self.fever_from_c) if self.fever_from_c is not None else None,
            "fever_citation": citation_json(self.fever_rule.citation if self.fever_rule else None),
            "checks_per_day": self.checks_per_day,
        }


def health_rules(*, park: Jurisdiction, on: dt.date) -> HealthRules:
    """The health rules of the packs `park` follows on `on` (with the park's parameters)."""
    lists: list[SymptomRule] = []
    fever: tuple[Decimal, SymptomRule] | None = None
    slots: tuple[str, ...] = ()
    checks_citation: Citation | None = None
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        try:
            found = symptom_lists(pack=entry.pack, params=entry.params)
        except PolicyInputError:
            found = ()  # a park parameter out of range: the rules page says so
        for item in found:
            rule = SymptomRule(item.symptoms, item.action, item.citation)
            lists.append(rule)
            if item.fever_from_c is not None:
                value = Decimal(str(item.fever_from_c)).quantize(Decimal("0.1"))
                if fever is None or value < fever[0]:
                    fever = (value, rule)
        items = temperature_schedule(pack=entry.pack, start=on, end=on)
        day_slots = tuple(dict.fromkeys(i.slot for i in items if i.slot))
        if len(day_slots) > len(slots):
            slots, checks_citation = day_slots, items[0].citation
    return HealthRules(
        lists=tuple(lists),
        fever_from_c=fever[0] if fever else None,
        fever_rule=fever[1] if fever else None,
        check_slots=slots,
        checks_citation=checks_citation,
    )
