"""What a pack declares besides its rules: enterprise sizes, post groups, staff groups.

A notice names groups of enterprises, posts and staff ("200人以上的企业", "保安、保洁、食堂
杂工等社会接触面广员工", "外包人员……会同第三方劳务派遣机构"). The pack declares each one
once, with its citation; rules select on it and the Django layer asks these functions, so
no page, template or script compares a head count or matches a post word itself.

Names the Django layer relies on (a pack that declares them takes part):
    LARGE           ``enterprise_sizes.large``: enterprises asked for more (J-1.2.5, J-2.1)
    WIDE_CONTACT    ``post_groups.wide_contact``: posts with wide social contact (J-1.5c)
    AGENCY_MANAGED  ``staff_groups.agency_managed``: categories managed with their labour
                    agency, so the agency must be recorded (J-1.5c)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from parkguard.policy.citation import Citation
from parkguard.policy.context import Params, size_reached
from parkguard.policy.facts import ParamValue
from parkguard.policy.pack import Pack

LARGE = "large"
WIDE_CONTACT = "wide_contact"
AGENCY_MANAGED = "agency_managed"


def _citation(pack: Pack, requirement: str, clause: str, name: str) -> Citation:
    return Citation(
        pack_id=pack.id,
        version=pack.version,
        document_number=pack.meta.document_number,
        requirement=requirement,
        clause=clause,
        rule_id=name,
    )


@dataclass(frozen=True, slots=True)
class SizeBand:
    """A declared enterprise size with the park's value for its head count."""

    name: str
    label: str
    purpose: str
    headcount_at_least: int
    citations: tuple[Citation, ...]


def enterprise_size(
    *, pack: Pack, name: str, params: Mapping[str, ParamValue] | None = None
) -> SizeBand | None:
    """The size ``name`` as the pack declares it (None if it declares no such size)."""
    size = pack.enterprise_sizes.get(name)
    if size is None:
        return None
    return SizeBand(
        name=name,
        label=size.label,
        purpose=size.purpose,
        headcount_at_least=Params(pack, params).size_threshold(name),
        citations=tuple(_citation(pack, r, size.clause, name) for r in size.requirements),
    )


def is_of_size(
    *, pack: Pack, name: str, headcount: int, params: Mapping[str, ParamValue] | None = None
) -> bool:
    """Whether an enterprise of ``headcount`` active staff is of the declared size ``name``.

    The same decision a rule's ``enterprise: {size: name}`` makes; False when the pack
    declares no such size.
    """
    if name not in pack.enterprise_sizes:
        return False
    return size_reached(params=Params(pack, params), size=name, headcount=headcount)


@dataclass(frozen=True, slots=True)
class Group:
    """A declared post or staff group: its members (post words or categories), cited."""

    name: str
    label: str
    members: tuple[str, ...]
    citation: Citation


def post_group(*, pack: Pack, name: str) -> Group | None:
    group = pack.post_groups.get(name)
    if group is None:
        return None
    citation = _citation(pack, group.requirement, group.clause, name)
    return Group(name=name, label=group.label, members=group.words, citation=citation)


def staff_group(*, pack: Pack, name: str) -> Group | None:
    group = pack.staff_groups.get(name)
    if group is None:
        return None
    citation = _citation(pack, group.requirement, group.clause, name)
    return Group(name=name, label=group.label, members=group.categories, citation=citation)


def post_in_groups(post: str, groups: Iterable[Group]) -> bool:
    """Whether a post (free text, e.g. "食堂帮厨") contains a word of one of the post groups."""
    text = post.strip()
    return bool(text) and any(word in text for group in groups for word in group.members)
