"""Resolved packs: one version of a notice with its `extends` chain applied.

`PackMeta` names the notice every citation points to; `BoundRule` ties a rule to the
pack version that defines it; `Pack` is what the engine functions receive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from parkguard.policy.citation import Citation
from parkguard.policy.schema import (
    EnterpriseSize,
    Instruction,
    PackSpec,
    ParameterSpec,
    PostGroup,
    Rule,
    StaffGroup,
)


@dataclass(frozen=True, slots=True)
class PackMeta:
    """Identity of the pack a rule comes from: what every citation names."""

    id: str
    version: int
    title: str
    document_number: str
    issuer: str
    jurisdiction: str
    effective_from: date
    effective_to: date | None
    day_numbering: str
    status: str
    file: str

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class BoundRule:
    """A rule together with the pack (and version) that defines it.

    ``kinds`` are the measure types the rule yields (an instruction also as
    ``instruction:<context>``), so that engine functions skip rules cheaply.
    """

    rule: Rule
    source: PackMeta
    citation: Citation = field(init=False)
    kinds: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        rule, meta = self.rule, self.source
        citation = Citation(
            pack_id=meta.id,
            version=meta.version,
            document_number=meta.document_number,
            requirement=rule.requirement,
            clause=rule.clause,
            rule_id=rule.id,
        )
        kinds: set[str] = {m.type for m in rule.measures}
        kinds.update(
            f"instruction:{m.context}" for m in rule.measures if isinstance(m, Instruction)
        )
        object.__setattr__(self, "citation", citation)
        object.__setattr__(self, "kinds", frozenset(kinds))


@dataclass(frozen=True, eq=False)
class Pack:
    """One version of a notice with its `extends` chain applied; what the engine uses."""

    meta: PackMeta
    spec: PackSpec
    rules: tuple[BoundRule, ...]
    parameters: Mapping[str, ParameterSpec]
    digest: str
    parent: Pack | None = None
    # Vocabularies the pack declares (its own and its parents'), by name.
    enterprise_sizes: Mapping[str, EnterpriseSize] = field(
        default_factory=lambda: MappingProxyType({})
    )
    post_groups: Mapping[str, PostGroup] = field(default_factory=lambda: MappingProxyType({}))
    staff_groups: Mapping[str, StaffGroup] = field(default_factory=lambda: MappingProxyType({}))
    by_measure: Mapping[str, tuple[BoundRule, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Rules indexed by the measure types they yield, so each engine function only
        # looks at the rules that can matter to it. Immutable, per pack object.
        index: dict[str, list[BoundRule]] = {}
        for bound in self.rules:
            for kind in bound.kinds:
                index.setdefault(kind, []).append(bound)
        frozen = {kind: tuple(rules) for kind, rules in index.items()}
        object.__setattr__(self, "by_measure", MappingProxyType(frozen))

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> int:
        return self.meta.version

    @property
    def key(self) -> str:
        return f"{self.meta.id}@{self.meta.version}"

    def rules_with(self, *measure_types: str) -> tuple[BoundRule, ...]:
        """Rules yielding any of the measure types, in pack order."""
        if len(measure_types) == 1:
            return self.by_measure.get(measure_types[0], ())
        wanted = frozenset(measure_types)
        return tuple(b for b in self.rules if b.kinds & wanted)

    def requirements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b.rule.requirement for b in self.rules))
