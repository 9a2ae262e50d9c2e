"""Writes of the person ledger; each one atomic, identity validated first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.lib.rate_window import window_take
from parkguard.orgs.access import Scope, require, require_at_all
from parkguard.orgs.accounts import person_roles_end
from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.orgs.selectors import county_root_path
from parkguard.people import exporting, selectors
from parkguard.people.choices import EmploymentStatus
from parkguard.people.exporting import ledger_workbook
from parkguard.people.identity import (
    IdentityError,
    IdNumber,
    id_decrypt,
    id_encrypt,
    id_parse,
    id_tail,
    phone_parse,
)
from parkguard.people.models import EmploymentEvent, HouseholdMember, IdConflictReview, Person
from parkguard.people.pinyin import name_initials
from parkguard.rules.params import staff_rules

PERSON_DUPLICATE = "本企业台账中已有此身份证号的人员"
AGENCY_REQUIRED = "按园区采用的规则包，该类人员须会同劳务派遣机构管理，请填写劳务/外包单位"
UNIT_OTHER_ENTERPRISE = "所选部门/班组不属于本企业"
COMMUNITY_INVALID = "居住社区必须是村（社区）"
COMMUNITY_OTHER_COUNTY = "居住社区必须在本企业所在区县内"
GRID_INVALID = "所属网格必须是所选居住社区下的网格"
LEFT_BEFORE_JOINED = "离职日期早于入职日期"
REASON_REQUIRED = "请填写查看事由（至少4个字），该操作会被记录"
STATUS_UNCHANGED = "在岗状态没有变化"
STATUS_DATE_FUTURE = "变动日期不能晚于今天"
CONFLICT_UNKNOWN = "该身份证号在本园区没有跨企业重复"
REASON_MIN_LENGTH = 4


def person_identity_fields(id_number: IdNumber) -> dict[str, Any]:
    """The stored forms of an ID number: digest, ciphertext, mask, tail, and what it implies."""
    return {
        "id_digest": id_number.digest,
        "id_encrypted": id_encrypt(id_number.value),
        "id_masked": id_number.masked,
        "id_tail": id_tail(id_number.value),
        "birth_date": id_number.birth_date,
        "gender": id_number.gender,
    }


def _rules_check(
    enterprise: Enterprise, fields: dict[str, Any], errors: dict[str, str], *, today: dt.date
) -> None:
    """Rules a form cannot see: agency for dispatched staff, places, unit of this enterprise."""
    rules = staff_rules(park=enterprise.jurisdiction, on=today)
    if (
        rules.needs_agency(str(fields.get("category") or ""))
        and not str(fields.get("labour_agency") or "").strip()
    ):
        errors["labour_agency"] = AGENCY_REQUIRED
    unit = fields.get("org_unit")
    if unit is not None and unit.enterprise_id != enterprise.pk:
        errors["org_unit"] = UNIT_OTHER_ENTERPRISE
    community: Jurisdiction | None = fields.get("home_community")
    if community is not None and community.kind != JurisdictionKind.COMMUNITY:
        errors["home_community"] = COMMUNITY_INVALID
    elif community is not None and not community.path.startswith(
        county_root_path(enterprise=enterprise)
    ):
        # Otherwise another county's liaison would be handed this person (scope_community).
        errors["home_community"] = COMMUNITY_OTHER_COUNTY
    grid: Jurisdiction | None = fields.get("home_grid")
    if grid is not None and (
        grid.kind != JurisdictionKind.GRID or community is None or grid.parent_id != community.pk
    ):
        errors["home_grid"] = GRID_INVALID
    joined, left = fields.get("joined_on"), fields.get("left_on")
    if joined and left and left < joined:
        errors["left_on"] = LEFT_BEFORE_JOINED


def person_build(
    *, enterprise: Enterprise, id_number: str, phone: str, today: dt.date, **fields: Any
) -> Person:
    """A validated, unsaved Person; raises ValidationError naming the bad fields."""
    errors: dict[str, str] = {}
    parsed: IdNumber | None = None
    try:
        parsed = id_parse(id_number, today=today)
    except IdentityError as exc:
        errors["id_number"] = exc.message
    try:
        phone = phone_parse(phone)
    except IdentityError as exc:
        errors["phone"] = exc.message
    _rules_check(enterprise, fields, errors, today=today)
    if errors or parsed is None:
        raise ValidationError(errors)
    initials = name_initials(str(fields.get("name") or ""))
    return Person(
        enterprise=enterprise,
        phone=phone,
        name_initials=initials,
        **person_identity_fields(parsed),
        **fields,
    )


@transaction.atomic
def person_create(
    *,
    scope: Scope,
    enterprise: Enterprise,
    id_number: str,
    phone: str,
    today: dt.date,
    actor: User | None = None,
    **fields: Any,
) -> Person:
    """Add a person to an enterprise's ledger and record when they joined."""
    require(scope, "change", enterprise)
    person = person_build(
        enterprise=enterprise, id_number=id_number, phone=phone, today=today, **fields
    )
    if Person.objects.filter(enterprise=enterprise, id_digest=person.id_digest).exists():
        raise ValidationError({"id_number": PERSON_DUPLICATE})
    person.full_clean(exclude=["id_encrypted"])
    if actor is not None:
        person._history_user = actor  # type: ignore[attr-defined]
    person.save()
    EmploymentEvent.objects.create(
        person=person,
        status=person.status,
        on=person.joined_on or today,
        note="建档",
        recorded_by=actor,
    )
    return person


@transaction.atomic
def person_update(
    *,
    scope: Scope,
    person: Person,
    today: dt.date,
    actor: User | None = None,
    id_number: str = "",
    phone: str | None = None,
    **fields: Any,
) -> Person:
    """Change a person's record; an ID number is replaced only when a new one is given.

    A change of employment status is written to the history (J-2.1). Changing the home
    community without naming a grid clears the grid, which belonged to the old community.
    """
    require(scope, "change", person)
    errors: dict[str, str] = {}
    identity: dict[str, Any] = {}
    if id_number.strip():
        try:
            parsed = id_parse(id_number, today=today)
        except IdentityError as exc:
            errors["id_number"] = exc.message
        else:
            if parsed.digest != person.id_digest:
                if (
                    Person.objects.filter(enterprise=person.enterprise, id_digest=parsed.digest)
                    .exclude(pk=person.pk)
                    .exists()
                ):
                    errors["id_number"] = PERSON_DUPLICATE
                identity = person_identity_fields(parsed)
    if phone is not None:
        try:
            fields["phone"] = phone_parse(phone)
        except IdentityError as exc:
            errors["phone"] = exc.message
    if "home_community" in fields and "home_grid" not in fields:
        # A grid lies inside one community: moving to another community (or to none)
        # without naming a new grid drops the old one instead of keeping a stale grid.
        new_community = fields["home_community"]
        if getattr(new_community, "pk", None) != person.home_community_id:
            fields["home_grid"] = None
    merged = {
        "category": person.category,
        "labour_agency": person.labour_agency,
        "home_community": person.home_community,
        "home_grid": person.home_grid,
        "joined_on": person.joined_on,
        "left_on": person.left_on,
        **fields,
    }
    _rules_check(person.enterprise, merged, errors, today=today)
    if errors:
        raise ValidationError(errors)
    if "name" in fields:
        fields["name_initials"] = name_initials(str(fields["name"] or ""))
    old_status = person.status
    old_masked = person.id_masked
    # Which fields change, by name only (never a value), for the person's own access log.
    changed = sorted(
        str(getattr(Person._meta.get_field(key), "verbose_name", key))
        for key, value in fields.items()
        if key != "name_initials" and getattr(person, key) != value
    )
    for key, value in {**fields, **identity}.items():
        setattr(person, key, value)
    person.full_clean(exclude=["id_encrypted"], validate_unique=False)
    if actor is not None:
        person._history_user = actor  # type: ignore[attr-defined]
    person.save()
    if identity:
        # An ID correction is audited with masked values only, never the clear numbers.
        audit_record(
            actor=actor,
            action="id_correct",
            at=timezone.now(),
            target=person,
            enterprise_id=person.enterprise_id,
            jurisdiction_id=person.enterprise.jurisdiction_id,
            detail={"old": old_masked, "new": person.id_masked},
            subjects=[person.pk],
        )
    if changed:
        audit_record(
            actor=actor,
            action="person_update",
            at=timezone.now(),
            target=person,
            enterprise_id=person.enterprise_id,
            jurisdiction_id=person.enterprise.jurisdiction_id,
            detail={"fields": changed},
            subjects=[person.pk],
        )
    if person.status != old_status:
        on = person.left_on if person.status == EmploymentStatus.LEFT and person.left_on else today
        EmploymentEvent.objects.create(
            person=person, status=person.status, on=on, note="修改档案", recorded_by=actor
        )
        _roles_follow_status(person=person, actor=actor)
    return person


def _roles_follow_status(*, person: Person, actor: User | None) -> None:
    """Someone who leaves loses the roles their accounts hold in this enterprise, at once."""
    if person.status == EmploymentStatus.LEFT:
        person_roles_end(
            person_id=person.pk, enterprise_id=person.enterprise_id, actor=actor, at=timezone.now()
        )


@transaction.atomic
def person_status_change(
    *,
    scope: Scope,
    person: Person,
    status: str,
    on: dt.date,
    note: str,
    today: dt.date,
    actor: User | None,
) -> EmploymentEvent:
    """Someone joins, is suspended or leaves; the roster follows at once (J-2.1)."""
    require(scope, "change", person)
    errors: dict[str, str] = {}
    if status == person.status:
        errors["status"] = STATUS_UNCHANGED
    if on > today:
        errors["on"] = STATUS_DATE_FUTURE
    if errors:
        raise ValidationError(errors)
    person.status = status
    if actor is not None:
        person._history_user = actor  # type: ignore[attr-defined]
    if status == EmploymentStatus.LEFT:
        person.left_on = on
    elif status == EmploymentStatus.ACTIVE and person.left_on:
        person.left_on = None
    person.save(update_fields=["status", "left_on", "updated_at"])
    event = EmploymentEvent.objects.create(
        person=person, status=status, on=on, note=note.strip()[:200], recorded_by=actor
    )
    _roles_follow_status(person=person, actor=actor)
    return event


def person_id_reveal(
    *, scope: Scope, person: Person, actor: User, reason: str, at: dt.datetime
) -> str:
    """The clear ID number for a permitted user who gives a reason; the reveal is audited.

    The clear value goes only to the caller: never into the audit detail or a log.
    """
    require(scope, "reveal", person)
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError({"reason": REASON_REQUIRED})
    audit_record(
        actor=actor,
        action="id_reveal",
        at=at,
        target=person,
        enterprise_id=person.enterprise_id,
        jurisdiction_id=person.enterprise.jurisdiction_id,
        reason=reason[:200],
        detail={"id_masked": person.id_masked},
        subjects=[person.pk],
    )
    return id_decrypt(person.id_encrypted)


def export_reason_check(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError({"reason": REASON_REQUIRED})
    return reason[:200]


def ledger_export(
    *,
    scope: Scope,
    enterprise: Enterprise,
    people: Iterable[Person],
    actor: User,
    reason: str = "",
    at: dt.datetime,
) -> bytes:
    """The ledger workbook, masked; with a reason, full ID numbers for those who may export
    them. Either way the export is audited (who, how many rows, masked or not)."""
    reveal = bool(reason)
    if reveal:
        require(scope, "export", enterprise)
        reason = export_reason_check(reason)
    rows = list(people)
    audit_record(
        actor=actor,
        action="person_export_unmasked" if reveal else "person_export",
        at=at,
        target=enterprise,
        enterprise_id=enterprise.pk,
        jurisdiction_id=enterprise.jurisdiction_id,
        reason=reason,
        detail={"rows": len(rows), "masked": not reveal},
        subjects=[p.pk for p in rows],
    )
    return ledger_workbook(
        enterprise=enterprise,
        people=rows,
        exported_at=timezone.localtime(at),
        exported_by=actor.get_username(),
        reveal=reveal,
    )


@transaction.atomic
def household_member_add(
    *, scope: Scope, person: Person, name: str, relation: str, phone: str = ""
) -> HouseholdMember:
    """Record someone who lives with a staff member (J-1.5b)."""
    require(scope, "change", person)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "姓名不能为空"
    if not relation.strip():
        errors["relation"] = "关系不能为空"
    clean_phone = ""
    if phone.strip():
        try:
            clean_phone = phone_parse(phone)
        except IdentityError as exc:
            errors["phone"] = exc.message
    if errors:
        raise ValidationError(errors)
    return HouseholdMember.objects.create(
        person=person, name=name.strip()[:50], relation=relation.strip()[:20], phone=clean_phone
    )


@transaction.atomic
def household_member_remove(*, scope: Scope, member: HouseholdMember) -> None:
    require(scope, "change", member.person)
    member.delete()


@transaction.atomic
def id_conflict_review(
    *, scope: Scope, park: Jurisdiction, id_digest: str, note: str, actor: User
) -> IdConflictReview:
    """The park records how a cross-enterprise duplicate was resolved (e.g. a dual post)."""
    require(scope, "review", park)
    note = " ".join(note.split())
    if len(note) < REASON_MIN_LENGTH:
        raise ValidationError({"note": "请填写处理说明（至少4个字）"})
    in_park = Person.objects.filter(
        enterprise__jurisdiction__path__startswith=park.path, id_digest=id_digest
    )
    if in_park.values("enterprise").distinct().count() < 2:
        raise ValidationError({"note": CONFLICT_UNKNOWN})
    now = timezone.now()
    review, _ = IdConflictReview.objects.update_or_create(
        jurisdiction=park,
        id_digest=id_digest,
        defaults={"note": note[:200], "reviewed_by": actor, "reviewed_at": now},
    )
    audit_record(
        actor=actor,
        action="id_conflict_review",
        at=now,
        target=review,
        jurisdiction_id=park.pk,
        reason=note[:200],
    )
    return review


# The lookup's budget is numbers per login per hour (a setting, not a notice's number).
LOOKUP_WINDOW_SECONDS = 3600
LOOKUP_RATE_LIMITED = (
    "每个账号每小时最多协查 {limit} 个身份证号：本小时已查 {used} 个，本次 {count} 个将超出限额，"
    "未作查询；请于 {until} 后再试，或联系园区管理员"
)
LOOKUP_RATE_UNAVAILABLE = "暂时无法核对协查限额，未作查询；请稍后再试"


def _lookup_budget_take(*, actor: User, numbers: int, at: dt.datetime) -> None:
    """Take `numbers` from the login's hourly lookup budget (in the shared cache, so every
    worker counts against one budget); refuse and audit the refusal when it would pass it."""
    limit = settings.LOOKUP_NUMBERS_PER_HOUR
    if limit <= 0 or numbers == 0:
        return
    take = window_take(
        key=f"lookup-numbers:{actor.pk}",
        amount=numbers,
        limit=limit,
        window_seconds=LOOKUP_WINDOW_SECONDS,
        at=at,
        give_back=True,  # a refused paste looks nothing up, so it uses none of the budget
        unavailable=True,  # without the counter, bulk lookups wait (the gate does not)
    )
    if not take.over:
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="person_lookup_refused",
            at=at,
            detail={
                "numbers": numbers,
                "used": take.count,
                "limit": limit,
                "cache_unreachable": not take.reachable,
            },
        )
    if not take.reachable:
        raise ValidationError({"numbers": LOOKUP_RATE_UNAVAILABLE})
    until = timezone.localtime(take.ends_at).strftime("%H:%M")
    raise ValidationError(
        {
            "numbers": LOOKUP_RATE_LIMITED.format(
                limit=limit, used=take.count, count=numbers, until=until
            )
        }
    )


def people_lookup_answer(
    *, scope: Scope, actor: User, text: str, today: dt.date, at: dt.datetime
) -> selectors.LookupResult:
    """Answer a pasted assistance list (协查): masked, audited with counts only (no numbers).

    Each login may look up `LOOKUP_NUMBERS_PER_HOUR` numbers an hour (the well-formed, distinct
    ones of each paste); a paste that would pass it is refused whole, nothing is looked up,
    and the refusal is audited."""
    require_at_all(scope, "assist_lookup")
    parsed = selectors.lookup_parse(text=text, today=today, max_numbers=settings.LOOKUP_MAX_NUMBERS)
    _lookup_budget_take(actor=actor, numbers=sum(1 for p in parsed if p.digest), at=at)
    result = selectors.lookup_match(scope=scope, parsed=parsed)
    audit_record(
        actor=actor,
        action="person_lookup",
        at=at,
        detail={
            "lines": len(result.lines),
            "found": result.found,
            "not_found": result.not_found,
            "bad": result.bad,
        },
    )
    return result


def person_phone_reveal(
    *, scope: Scope, person: Person, actor: User, reason: str, at: dt.datetime
) -> str:
    """A resident's phone in full, with a recorded reason (the roster's liaison, officers)."""
    require(scope, "reveal_phone", person)
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError({"reason": REASON_REQUIRED})
    audit_record(
        actor=actor,
        action="phone_reveal",
        at=at,
        target=person,
        enterprise_id=person.enterprise_id,
        jurisdiction_id=person.home_community_id,
        reason=reason[:200],
        detail={"phone_masked": person.phone_masked},
        subjects=[person.pk],
    )
    return person.phone


def roster_export(
    *, scope: Scope, community: Jurisdiction, roster: selectors.Roster, actor: User, at: dt.datetime
) -> bytes:
    """The community roster as a masked workbook, audited (`roster_export`, counts only)."""
    require(scope, "export_roster", community)
    body = exporting.roster_workbook(
        roster=roster, exported_at=at, exported_by=actor.get_full_name() or actor.get_username()
    )
    audit_record(
        actor=actor,
        action="roster_export",
        at=at,
        target=community,
        jurisdiction_id=community.pk,
        detail={"people": roster.total, "community": community.name},
        subjects=[p.pk for g in roster.groups for p in g.people],
    )
    return body
