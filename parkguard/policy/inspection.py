"""What inspectors check and when a refusing enterprise is reported upward (Z-6, J-2.4, J-2.5).

Pure: the checklist items a pack declares (with its parents'), each with its citation, and
the number of refused rectifications after which an enterprise is reported to the task force
above (a park parameter, since the notice only says "屡次", repeatedly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from parkguard.policy.citation import Citation
from parkguard.policy.context import Params
from parkguard.policy.facts import ParamValue
from parkguard.policy.pack import Pack

# The park parameter (declared by a pack) counting refusals before a report upward (J-2.4).
REFUSALS_BEFORE_REPORT = "refusals_before_report"


@dataclass(frozen=True, slots=True)
class CheckItem:
    """One line of an inspection checklist, with where it comes from."""

    key: str  # "<pack id>:<item id>", stable across versions of the pack
    kind: str
    text: str
    citation: Citation


@dataclass(frozen=True, slots=True)
class ReportThreshold:
    """After how many refused rectifications an enterprise is reported upward, and why."""

    refusals: int
    citation: Citation


def inspection_checklist(*, pack: Pack) -> tuple[CheckItem, ...]:
    """The checklist the pack declares, its parents' items first, in file order."""
    chain: list[Pack] = []
    current: Pack | None = pack
    while current is not None:
        chain.append(current)
        current = current.parent
    items: dict[str, CheckItem] = {}
    for source in reversed(chain):
        for item in source.spec.inspection_checklist:
            key = f"{pack.id}:{item.id}"
            items[key] = CheckItem(
                key=key,
                kind=item.kind,
                text=item.text,
                citation=Citation(
                    pack_id=pack.id,
                    version=pack.version,
                    document_number=pack.meta.document_number,
                    requirement=item.requirement,
                    clause=item.clause,
                    rule_id=item.id,
                ),
            )
    return tuple(items.values())


def report_threshold(
    *, pack: Pack, params: Mapping[str, ParamValue] | None = None
) -> ReportThreshold | None:
    """The refusals before a report upward, if the pack declares the parameter; the park's
    value, else the pack's default. None when the pack does not speak of it."""
    spec = pack.parameters.get(REFUSALS_BEFORE_REPORT)
    if spec is None:
        return None
    value = Params(pack, params).raw(REFUSALS_BEFORE_REPORT)
    assert isinstance(value, int)
    return ReportThreshold(
        refusals=value,
        citation=Citation(
            pack_id=pack.id,
            version=pack.version,
            document_number=pack.meta.document_number,
            requirement=spec.requirement or "",
            clause=spec.clause,
            rule_id=REFUSALS_BEFORE_REPORT,
        ),
    )


@dataclass(frozen=True, slots=True)
class Criterion:
    """One point of the readiness score: what evidence shows it, and where it comes from."""

    key: str
    evidence: str
    text: str
    citation: Citation


def readiness_criteria(*, pack: Pack) -> tuple[Criterion, ...]:
    """The epidemic-free factory criteria the pack declares (J-2.5), in file order."""
    return tuple(
        Criterion(
            key=f"{pack.id}:{c.id}",
            evidence=c.evidence,
            text=c.text,
            citation=Citation(
                pack_id=pack.id,
                version=pack.version,
                document_number=pack.meta.document_number,
                requirement=c.requirement,
                clause=c.clause,
                rule_id=c.id,
            ),
        )
        for c in pack.spec.readiness_criteria
    )


@dataclass(frozen=True, slots=True)
class Section:
    """One section a prevention plan must have (Z-4.1), with where it comes from."""

    key: str  # "<pack id>:<section id>"
    plan: str  # "park" (一园一策) or "enterprise" (一企一策)
    title: str
    hint: str
    citation: Citation


def plan_sections(*, pack: Pack, plan: str) -> tuple[Section, ...]:
    """The sections the pack asks of a park's or an enterprise's plan, in file order."""
    return tuple(
        Section(
            key=f"{pack.id}:{s.id}",
            plan=s.plan,
            title=s.title,
            hint=s.hint or "",
            citation=Citation(
                pack_id=pack.id,
                version=pack.version,
                document_number=pack.meta.document_number,
                requirement=s.requirement,
                clause=s.clause,
                rule_id=s.id,
            ),
        )
        for s in pack.spec.plan_sections
        if s.plan == plan
    )


@dataclass(frozen=True, slots=True)
class Figure:
    """A number a pack declares as a park parameter (days between drills, hours to answer
    a hotline call, the staff count that needs a buffer zone), with its citation."""

    value: int
    unit: str
    citation: Citation


# The park parameters oversight reads, when a followed pack declares them.
DRILL_INTERVAL_DAYS = "drill_interval_days"
HOTLINE_REPLY_HOURS = "hotline_reply_hours"
BUFFER_ZONE_STAFF = "buffer_zone_staff_min"


def figure(
    *, pack: Pack, name: str, params: Mapping[str, ParamValue] | None = None
) -> Figure | None:
    """The park's value of parameter `name` (else the pack's default), or None when the pack
    does not declare it."""
    spec = pack.parameters.get(name)
    if spec is None:
        return None
    value = Params(pack, params).raw(name)
    assert isinstance(value, int)
    return Figure(
        value=value,
        unit=spec.unit or "",
        citation=Citation(
            pack_id=pack.id,
            version=pack.version,
            document_number=pack.meta.document_number,
            requirement=spec.requirement or "",
            clause=spec.clause,
            rule_id=name,
        ),
    )
