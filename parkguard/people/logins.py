"""Employee logins from the ledger, in bulk: accounts with one-time codes for a printed sheet.

The officer picks people (or everyone in a unit); each gets an account holding the
employee role in the enterprise, tied to their ledger file (`Membership.person`), so that
leaving the enterprise ends it. The login name is the person's phone number or an
employee number the enterprise chooses (a prefix and a running number, or one given per
person through the API). Nothing is sent: the codes are on the sheet, shown once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from parkguard.orgs.access import NOT_FOUND, Scope, visible
from parkguard.orgs.accounts import (
    LOGIN_IS_PHONE,
    IssuedCode,
    NewAccount,
    SheetRow,
    accounts_create,
)
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Enterprise, Membership, OrgUnit
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.people.selectors import unit_and_below


class LoginBy:
    PHONE = "phone"
    NUMBER = "number"
    GIVEN = "given"


LOGIN_BY_CHOICES = [
    (LoginBy.PHONE, "手机号"),
    (LoginBy.NUMBER, "工号（前缀 + 起始编号，按顺序编号）"),
]
NO_PEOPLE = "请至少选择一名尚未开通账号的在岗人员"
PERSON_NOT_ACTIVE = "{label}：不在岗，不能开通账号"
PERSON_HAS_LOGIN = "{label}：已有员工账号"
PREFIX_BAD = "工号前缀只能包含字母和数字，不超过20个字符"
LOGIN_MISSING = "{label}：请填写登录名"


def _label(person: Person) -> str:
    return f"{person.name}（{person.phone_masked}）"


def people_without_login(
    *, scope: Scope, enterprise: Enterprise, unit_id: int | None = None
) -> QuerySet[Person]:
    """Active people of the enterprise the caller may give a login, who have none yet."""
    queryset = (
        visible(scope, Person, "manage_accounts")
        .filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)
        .exclude(
            pk__in=Membership.objects.filter(
                enterprise=enterprise, role=Role.EMPLOYEE, person__isnull=False
            ).values("person_id")
        )
        .select_related("org_unit")
    )
    if unit_id is not None:
        queryset = queryset.filter(org_unit_id__in=unit_and_below(enterprise, unit_id))
    return queryset.order_by("org_unit__name", "name", "id")


def sheet_rows(
    issued: Sequence[IssuedCode], people: Mapping[int, Person], login_by: str
) -> list[SheetRow]:
    rows = []
    for item in issued:
        person = people[item.user.pk]
        rows.append(
            SheetRow(
                name=person.name,
                unit=person.org_unit.name if person.org_unit else "",
                phone_masked=person.phone_masked,
                login_shown=LOGIN_IS_PHONE if login_by == LoginBy.PHONE else item.user.username,
                code_display=item.code_display,
                expires_at=item.expires_at,
            )
        )
    return rows


@transaction.atomic
def employee_logins_create(
    *,
    scope: Scope,
    actor: User | None,
    enterprise: Enterprise,
    person_ids: Sequence[int] = (),
    unit: OrgUnit | None = None,
    login_by: str = LoginBy.PHONE,
    prefix: str = "",
    start: int = 1,
    logins: Mapping[int, str] | None = None,
    at: datetime,
) -> list[SheetRow]:
    """Employee accounts for the chosen people (or everyone in `unit` without one yet).

    All or nothing: a person not in post, one who already has a login, a login name taken
    or repeated changes nothing, and the message names the person (masked phone only).
    """
    if unit is not None:
        if unit.enterprise_id != enterprise.pk:
            raise Http404(NOT_FOUND)
        people = list(people_without_login(scope=scope, enterprise=enterprise, unit_id=unit.pk))
    else:
        wanted = list(dict.fromkeys(person_ids))
        people = list(
            visible(scope, Person, "manage_accounts")
            .filter(enterprise=enterprise, pk__in=wanted)
            .select_related("org_unit")
        )
        if len(people) != len(wanted):
            raise Http404(NOT_FOUND)  # someone the caller may not give a login
        order = {pk: i for i, pk in enumerate(wanted)}
        people.sort(key=lambda p: order[p.pk])
    if not people:
        raise ValidationError({"person_ids": NO_PEOPLE})
    errors: list[str] = []
    has_login = set(
        Membership.objects.filter(
            enterprise=enterprise, role=Role.EMPLOYEE, person_id__in=[p.pk for p in people]
        ).values_list("person_id", flat=True)
    )
    for person in people:
        if person.status != EmploymentStatus.ACTIVE:
            errors.append(PERSON_NOT_ACTIVE.format(label=_label(person)))
        elif person.pk in has_login:
            errors.append(PERSON_HAS_LOGIN.format(label=_label(person)))
    if login_by == LoginBy.NUMBER and (
        not prefix.isascii() or not (prefix == "" or prefix.isalnum()) or len(prefix) > 20
    ):
        raise ValidationError({"prefix": PREFIX_BAD})
    names: list[str] = []
    for index, person in enumerate(people):
        if login_by == LoginBy.PHONE:
            names.append(person.phone)
        elif login_by == LoginBy.NUMBER:
            names.append(f"{prefix}{start + index}")
        else:
            given = (logins or {}).get(person.pk, "").strip()
            if not given:
                errors.append(LOGIN_MISSING.format(label=_label(person)))
            names.append(given)
    if errors:
        raise ValidationError({"person_ids": "；".join(errors)})
    issued = accounts_create(
        scope=scope,
        actor=actor,
        place=enterprise,
        role=Role.EMPLOYEE,
        accounts=[
            NewAccount(login=login, full_name=p.name, person_id=p.pk)
            for p, login in zip(people, names, strict=True)
        ],
        labels=[_label(p) for p in people],
        at=at,
    )
    by_user = {item.user.pk: person for item, person in zip(issued, people, strict=True)}
    return sheet_rows(issued, by_user, login_by)
