"""Reads of the person ledger; the caller's scope always comes first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from parkguard.lib.identifiers import identifier_compact
from parkguard.orgs.access import (
    Scope,
    can,
    can_edit_enterprise,
    id_tail_search_enterprises,
    visible,
)
from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.people.choices import EmploymentStatus
from parkguard.people.identity import ID_MASK_TAIL, IdentityError, id_mask, id_parse, phone_parse
from parkguard.people.models import HouseholdMember, IdConflictReview, Person
from parkguard.people.pinyin import is_initials_query
from parkguard.rules.params import LargeEnterprise, large_enterprise

SEARCH_FULL_NUMBER = (
    "搜索框只接受姓名、拼音首字母或身份证号末4位/末6位；完整身份证号或手机号请用"
    "“按身份证号或手机号查找”，以免号码留在网址和日志中"
)
FIND_NOT_FOUND = "本企业台账中（您可查看的范围内）没有此身份证号的人员"
FIND_PHONE_NOT_FOUND = "本企业台账中（您可查看的范围内）没有使用此手机号的人员"
SEARCH_TAIL_MAX = 6
OFFSET_MAX = 10_000_000  # far beyond any ledger; bigger offsets overflow the database


def search_check(text: str) -> None:
    """A ledger search must not carry an ID or phone number: it would land in a URL."""
    if sum(ch.isdigit() for ch in identifier_compact(text)) > SEARCH_TAIL_MAX:
        raise ValueError(SEARCH_FULL_NUMBER)


def person_find(*, scope: Scope, enterprise: Enterprise, id_number: str, today: dt.date) -> Person:
    """The person with this ID number in one ledger, by digest (the number arrives by POST)."""
    try:
        digest = id_parse(id_number, today=today).digest
    except IdentityError as exc:
        raise ValidationError({"id_number": exc.message}) from None
    # Only where the caller may reveal the number: else each answer confirms a guess of it.
    person = (
        visible(scope, Person, action="reveal")
        .filter(enterprise=enterprise, id_digest=digest)
        .first()
    )
    if person is None:
        raise ValidationError({"id_number": FIND_NOT_FOUND})
    return person


def _phone_like(text: str) -> bool:
    compact = identifier_compact(text).replace("-", "")
    if compact.startswith("+86"):
        compact = compact[3:]
    return len(compact) == PHONE_DIGITS and compact.isdigit()


PHONE_DIGITS = 11


def person_lookup(
    *, scope: Scope, enterprise: Enterprise, number: str, today: dt.date
) -> list[Person]:
    """Whoever holds this whole ID number or mobile number in one ledger (POSTed, never a URL).

    An ID number is looked up by its digest; a phone by its exact value (two people may
    share one, e.g. a family phone). Raises ValidationError({"id_number": …}) otherwise.
    """
    if _phone_like(number):
        try:
            phone = phone_parse(number)
        except IdentityError as exc:
            raise ValidationError({"id_number": exc.message}) from None
        # Only where the caller may reveal a phone: a found/not-found answer confirms a guess
        # of the digits the mask hides (four of a phone's).
        people = list(
            visible(scope, Person, action="reveal_phone")
            .filter(enterprise=enterprise, phone=phone)
            .order_by("name", "id")
        )
        if not people:
            raise ValidationError({"id_number": FIND_PHONE_NOT_FOUND})
        return people
    return [person_find(scope=scope, enterprise=enterprise, id_number=number, today=today)]


LOOKUP_EMPTY = "请粘贴要协查的身份证号，每行一个"
LOOKUP_TOO_MANY = "一次最多协查 {max} 个身份证号，本次粘贴了 {count} 个；请分批查询"
LOOKUP_DUPLICATE = "与第 {line} 行重复"


@dataclass(frozen=True)
class LookupLine:
    """One pasted line of an assistance lookup (协查): what it was and what was found."""

    line: int
    shown: str  # the number masked (never the clear value)
    problem: str  # the Chinese reason a line was not looked up; "" when it was
    people: list[Person] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.people)


@dataclass(frozen=True)
class LookupResult:
    lines: list[LookupLine]

    @property
    def found(self) -> int:
        return sum(1 for line in self.lines if line.found)

    @property
    def not_found(self) -> int:
        return sum(1 for line in self.lines if not line.problem and not line.found)

    @property
    def bad(self) -> int:
        return sum(1 for line in self.lines if line.problem)


def lookup_lines(text: str) -> list[tuple[int, str]]:
    """The pasted text as (line number, value) pairs; blank lines skipped, commas split."""
    found: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        for part in raw.replace("，", ",").replace("、", ",").replace("\t", ",").split(","):
            value = part.strip()
            if value:
                found.append((number, value))
    return found


@dataclass(frozen=True)
class LookupParsed:
    """One pasted value read: its line, its mask, why it is not looked up, its digest."""

    line: int
    shown: str
    problem: str
    digest: str  # "" when the value is not looked up (malformed or a repeat)


def lookup_parse(*, text: str, today: dt.date, max_numbers: int) -> list[LookupParsed]:
    """A pasted list of ID numbers read line by line, before anything is looked up (协查).

    Malformed and repeated numbers are named by line. Raises ValidationError({"numbers": …})
    for an empty or oversized list."""
    pairs = lookup_lines(text)
    if not pairs:
        raise ValidationError({"numbers": LOOKUP_EMPTY})
    if len(pairs) > max_numbers:
        raise ValidationError(
            {"numbers": LOOKUP_TOO_MANY.format(max=max_numbers, count=len(pairs))}
        )
    regions: dict[str, bool] = {}
    seen: dict[str, int] = {}
    parsed: list[LookupParsed] = []
    for line, value in pairs:
        try:
            number = id_parse(value, today=today, regions=regions)
        except IdentityError as exc:
            parsed.append(LookupParsed(line, shown_number(value), exc.message, ""))
            continue
        first = seen.get(number.digest)
        if first is not None:
            parsed.append(
                LookupParsed(line, number.masked, LOOKUP_DUPLICATE.format(line=first), "")
            )
            continue
        seen[number.digest] = line
        parsed.append(LookupParsed(line, number.masked, "", number.digest))
    return parsed


def lookup_match(*, scope: Scope, parsed: list[LookupParsed]) -> LookupResult:
    """The parsed lines answered within the caller's scope: every visible ledger entry with
    each digest (the same person may work in two enterprises). Only masks leave here."""
    matches: dict[str, list[Person]] = {}
    digests = [p.digest for p in parsed if p.digest]
    people = (
        visible(scope, Person)
        .filter(id_digest__in=digests)
        .select_related("enterprise", "org_unit", "home_community")
        .order_by("enterprise__name", "name", "id")
    )
    for person in people:
        matches.setdefault(person.id_digest, []).append(person)
    return LookupResult(
        lines=[
            LookupLine(
                line=p.line, shown=p.shown, problem=p.problem, people=matches.get(p.digest, [])
            )
            for p in parsed
        ]
    )


def shown_number(value: str) -> str:
    """A malformed pasted value as the answer may echo it: digits masked like an ID."""
    compact = identifier_compact(value)
    if len(compact) > ID_SHOWN_MAX:
        compact = compact[:ID_SHOWN_MAX] + "…"
    return id_mask(compact) if len(compact) > ID_SHOWN_MIN else "*" * len(compact)


ID_SHOWN_MAX = 20
ID_SHOWN_MIN = 9


@dataclass(frozen=True)
class PersonFilters:
    """The ledger's filters; empty values filter nothing."""

    category: str = ""
    org_unit: int | None = None
    status: str = ""
    post: str = ""
    wide_contact: bool | None = None
    search: str = ""  # a name, pinyin initials, or the last 4 or 6 characters of an ID number


def person_list(
    *, scope: Scope, enterprise: Enterprise, filters: PersonFilters | None = None
) -> QuerySet[Person]:
    """The ledger of one enterprise as far as the caller may see it."""
    f = filters or PersonFilters()
    queryset = (
        visible(scope, Person)
        .filter(enterprise=enterprise)
        .select_related("org_unit", "home_community", "home_grid")
    )
    if f.category:
        queryset = queryset.filter(category=f.category)
    if f.org_unit:
        queryset = queryset.filter(org_unit_id__in=unit_and_below(enterprise, f.org_unit))
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.post:
        queryset = queryset.filter(post__icontains=f.post)
    if f.wide_contact is not None:
        queryset = queryset.filter(wide_contact=f.wide_contact)
    queryset = search_filter(queryset, f.search, scope=scope)
    return queryset.order_by("org_unit__name", "name", "id")


def search_filter(queryset: QuerySet[Person], search: str, *, scope: Scope) -> QuerySet[Person]:
    """A name, pinyin initials (zs → 张三) or the last 4 or 6 characters of an ID number.

    Tail digits beyond those the mask shows match only where the caller may reveal the number
    (`access.id_tail_search_enterprises`): elsewhere each search would confirm a guess of hidden
    digits, a reveal without a reason or an audit entry."""
    search = search.strip()
    if not search:
        return queryset
    tail = identifier_compact(search)  # full-width digits find the same tail
    digits = tail[:-1].isdigit() and (tail[-1].isdigit() or tail[-1] == "X")
    if len(tail) <= SEARCH_TAIL_MAX and tail.isascii() and digits:
        by_tail = Q(id_tail__endswith=tail)
        if len(tail) > ID_MASK_TAIL:
            by_tail &= Q(enterprise__in=id_tail_search_enterprises(scope))
        return queryset.filter(by_tail | Q(name__icontains=search))
    if is_initials_query(tail):
        return queryset.filter(
            Q(name_initials__startswith=tail.lower()) | Q(name__icontains=search)
        )
    return queryset.filter(name__icontains=search)


def unit_and_below(enterprise: Enterprise, unit_id: int) -> set[int]:
    found = {unit_id}
    frontier = {unit_id}
    while frontier:
        frontier = (
            set(
                OrgUnit.objects.filter(enterprise=enterprise, parent_id__in=frontier).values_list(
                    "pk", flat=True
                )
            )
            - found
        )
        found |= frontier
    return found


def ledger_enterprises(*, scope: Scope) -> QuerySet[Enterprise]:
    """Enterprises whose ledger the caller can open, with the active headcount they may see."""
    people = visible(scope, Person).filter(status=EmploymentStatus.ACTIVE).values("pk")
    return (
        visible(scope, Enterprise)
        .select_related("jurisdiction")
        .annotate(headcount=Count("people", filter=Q(people__in=people)))
        .order_by("name")
    )


def age_on(birth: dt.date, today: dt.date) -> int:
    """Full years of age, what screens show instead of a birth date (issue 8 §4)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def can_reveal_id(scope: Scope, person: Person) -> bool:
    """Only the enterprise's admins and epidemic officers, and admins of its park."""
    return can(scope, "reveal", person)


def can_edit_person(scope: Scope, person: Person) -> bool:
    return can_edit_enterprise(scope, person.enterprise)


@dataclass(frozen=True)
class PersonChange:
    """One save of a person's record, as the personal file shows it: no values, ever."""

    at: dt.datetime
    who: str
    kind: str  # 建档 / 修改 / 删除
    fields: list[str]


# Stored forms of the ID number change together; the page names them once as 身份证号.
_ID_FIELDS = {"id_digest": "身份证号"}
_NOT_SHOWN = {"id", "id_masked", "id_tail", "birth_date", "gender", "created_at", "updated_at"}
_KINDS = {"+": "建档", "~": "修改", "-": "删除"}


def person_changes(*, person: Person, limit: int = 10) -> list[PersonChange]:
    """The latest changes to a visible person's record: when, by whom, which fields.

    Values are never returned (so neither clear nor masked ID numbers, nor phones).
    Imports write no history rows (set-based SQL); their `person_import` audit event
    and the 导入建档 / 导入变更 employment events record them instead.
    """
    names = {f.name for f in Person._meta.fields} - _NOT_SHOWN
    tracked = [f for f in Person.history.model._meta.fields if f.name in names]
    labels = {f.attname: _ID_FIELDS.get(f.name, str(f.verbose_name)) for f in tracked}
    records = list(
        person.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    changes: list[PersonChange] = []
    for index, record in enumerate(records[:limit]):
        fields: list[str] = []
        older = records[index + 1] if index + 1 < len(records) else None
        if record.history_type == "~" and older is not None:
            # Compared here, not with diff_against: that skips non-editable fields (the ID).
            fields = [
                label
                for attname, label in labels.items()
                if getattr(record, attname) != getattr(older, attname)
            ]
        user = record.history_user
        who = (user.get_full_name() or user.get_username()) if user is not None else "系统"
        changes.append(
            PersonChange(
                at=record.history_date,
                who=who,
                kind=_KINDS.get(record.history_type, record.history_type),
                fields=fields,
            )
        )
    return changes


HOUSEHOLD_HIDDEN = "共同生活者信息仅企业管理员、防疫专员、园区和所在社区人员及本人可见"


def household(*, scope: Scope, person: Person) -> QuerySet[HouseholdMember]:
    """The person's household members the caller may see (J-1.5b); never `person.household`.

    Team leaders see the files of their unit but not who lives with them (docs/people.md).
    """
    return visible(scope, person.household.all()).order_by("id")


def can_see_household(scope: Scope, person: Person) -> bool:
    """Whether `household()` can show this caller anything: picks the page's wording only.

    Mirrors HouseholdMember's scope paths (a test keeps the two in step); the rows
    themselves always come from `visible()`.
    """
    if scope.superuser:
        return True
    if scope.token_id is not None:
        return False
    enterprise = person.enterprise
    return (
        enterprise.jurisdiction_id in scope.jurisdiction_ids
        or enterprise.pk in scope.staff_enterprise_ids
        or person.home_community_id in scope.community_ids
        or person.pk in scope.person_ids
    )


@dataclass
class RosterGroup:
    enterprise: Enterprise
    people: list[Person]
    headcount: int
    large: bool  # the packs the enterprise's park follow call it large (J-2.1: 200+)
    large_label: str


@dataclass
class Roster:
    """A community's roster of residents, per enterprise (J-2.1)."""

    community: Jurisdiction
    groups: list[RosterGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(g.people) for g in self.groups)


def liaison_communities(*, scope: Scope) -> QuerySet[Jurisdiction]:
    if scope.superuser:
        return Jurisdiction.objects.filter(kind=JurisdictionKind.COMMUNITY).order_by("name")
    return Jurisdiction.objects.filter(
        pk__in=scope.community_ids, kind=JurisdictionKind.COMMUNITY
    ).order_by("name")


def large_sizes(enterprises: Iterable[Enterprise], *, on: dt.date) -> dict[int, LargeEnterprise]:
    """The large-enterprise size per park of these enterprises, looked up once per park."""
    found: dict[int, LargeEnterprise] = {}
    for e in enterprises:
        if e.jurisdiction_id not in found:
            found[e.jurisdiction_id] = large_enterprise(park=e.jurisdiction, on=on)
    return found


def community_roster(
    *, scope: Scope, community: Jurisdiction, on: dt.date, status: str = "", search: str = ""
) -> Roster:
    """Everyone who lives in the community, across enterprises, grouped by enterprise.

    `search` narrows it as the ledger's search does (name, initials, last 4 or 6 of an ID).
    """
    people = (
        visible(scope, Person)
        .filter(home_community=community)
        .select_related("enterprise__jurisdiction", "home_grid", "org_unit")
        .order_by("enterprise__name", "name", "id")
    )
    if status:
        people = people.filter(status=status)
    people = search_filter(people, search, scope=scope)
    headcounts = dict(
        Person.objects.filter(
            enterprise__in=people.values("enterprise"), status=EmploymentStatus.ACTIVE
        )
        .values_list("enterprise")
        .annotate(n=Count("id"))
        .values_list("enterprise", "n")
    )
    people_list = list(people)
    sizes = large_sizes((p.enterprise for p in people_list), on=on)
    roster = Roster(community=community)
    current: RosterGroup | None = None
    for person in people_list:
        if current is None or current.enterprise.pk != person.enterprise_id:
            headcount = headcounts.get(person.enterprise_id, 0)
            large = sizes[person.enterprise.jurisdiction_id]
            current = RosterGroup(
                enterprise=person.enterprise,
                people=[],
                headcount=headcount,
                large=large.includes(headcount),
                large_label=large.label,
            )
            roster.groups.append(current)
        current.people.append(person)
    return roster


@dataclass
class IdConflict:
    """One ID number held by people in more than one enterprise of a park."""

    id_digest: str
    id_masked: str
    people: list[Person]
    review: IdConflictReview | None


def id_conflicts(*, scope: Scope, park: Jurisdiction, reviewed: bool = False) -> list[IdConflict]:
    """The same ID number in two or more enterprises of the park; one grouped query."""
    in_park = visible(scope, Person).filter(enterprise__jurisdiction__path__startswith=park.path)
    digests = (
        in_park.values("id_digest")
        .annotate(n=Count("enterprise", distinct=True))
        .filter(n__gt=1)
        .values_list("id_digest", flat=True)
    )
    reviews = {
        r.id_digest: r
        for r in IdConflictReview.objects.filter(jurisdiction=park).select_related("reviewed_by")
    }
    people = in_park.filter(id_digest__in=list(digests)).select_related("enterprise")
    grouped: dict[str, list[Person]] = {}
    for person in people.order_by("id_digest", "enterprise__name"):
        grouped.setdefault(person.id_digest, []).append(person)
    found = [
        IdConflict(
            id_digest=digest,
            id_masked=members[0].id_masked,
            people=members,
            review=reviews.get(digest),
        )
        for digest, members in grouped.items()
    ]
    return [c for c in found if (c.review is not None) == reviewed]
