"""Writes of accounts and roles: create, grant, remove, deactivate, reactivate, reset, activate.

Who may do what is decided in `orgs.access` (the role ladder, `grantable_roles`,
`memberships_manageable`, `users_manageable`); these services ask it before every write and
audit every grant, removal, reset and (de)activation. A new account gets a one-time
activation code instead of a password: only a keyed digest is stored, the clear code is
returned once for the sheet the officer prints. Nothing is sent anywhere.

Login names may be phone numbers; they never go into an audit detail or a log line
(`lib.redact.login_label` masks one where a label is unavoidable).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from parkguard.audit.services import audit_record
from parkguard.lib.redact import login_label
from parkguard.orgs.access import (
    NOT_ALLOWED,
    Scope,
    can,
    grantable_roles,
    memberships_manageable,
    users_manageable,
)
from parkguard.orgs.choices import Role
from parkguard.orgs.login import (
    LOGIN_LOCKED,
    login_failure_record,
    login_locked,
    login_success_record,
)
from parkguard.orgs.models import AccountActivation, Enterprise, Jurisdiction, Membership, OrgUnit

ROLE_NOT_GRANTABLE = "您无权在此授予该角色：只能在本单位内授予低于您自己的角色"
ROLE_TAKEN = "该账号在此已有这个角色"
LOGIN_REQUIRED = "请填写登录名"
LOGIN_BAD = "登录名只能包含字母、数字和 @ . + - _，不超过150个字符"
LOGIN_TAKEN = "该登录名已被使用，请换一个"
LOGIN_REPEATED = "同一批次中登录名重复"
FULL_NAME_REQUIRED = "请填写姓名"
UNIT_REQUIRED = "班组长须指定负责的组织单元"
UNIT_OTHER_ENTERPRISE = "组织单元须属于该企业"
ACCOUNT_INACTIVE_ALREADY = "该账号已停用"
ACCOUNT_ACTIVE_ALREADY = "该账号已是启用状态"
ACCOUNT_INACTIVE_RESET = "该账号已停用，请先启用再重置"
ACTIVATION_FAILED = "登录名或激活码不正确"
ACTIVATION_USED = "该激活码已经用过，不能再次使用；忘记密码请找本单位防疫专员重置"
ACTIVATION_VOIDED = "该激活码已作废（已生成新的激活码），请使用最新的激活码"
ACTIVATION_EXPIRED = "激活码已过期，请找本单位防疫专员重新生成"
ACTIVATION_ACCOUNT_INACTIVE = "该账号已停用，请联系本单位管理员"
PASSWORD_MISMATCH = "两次输入的密码不一致"

# Twelve digits (about 40 bits) typed on a phone's number pad; the login lockout limits guesses.
CODE_DIGITS = 12
_username = UnicodeUsernameValidator()


def activation_code_new() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def activation_code_clean(raw: str) -> str:
    """What the user typed, without the spaces and dashes the sheet groups it with."""
    return "".join(ch for ch in str(raw or "") if ch.isdigit())


def activation_code_format(code: str) -> str:
    """Groups of four for the printed sheet: 1234 5678 9012."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def activation_digest(*, user_id: int, code: str) -> str:
    # Keyed (SECRET_KEY) and bound to the account: a stolen table does not give the codes.
    return salted_hmac("parkguard.activation", f"{user_id}:{code}", algorithm="sha256").hexdigest()


def _place_ids(place: Enterprise | Jurisdiction) -> dict[str, int | None]:
    if isinstance(place, Enterprise):
        return {"enterprise_id": place.pk, "jurisdiction_id": place.jurisdiction_id}
    return {"enterprise_id": None, "jurisdiction_id": place.pk}


def _audit(
    *,
    actor: User | None,
    action: str,
    at: datetime,
    target: object,
    place: Enterprise | Jurisdiction | None,
    reason: str = "",
    detail: dict[str, object] | None = None,
) -> None:
    ids = _place_ids(place) if place is not None else {}
    audit_record(
        actor=actor,
        action=action,
        at=at,
        target=target,
        enterprise_id=ids.get("enterprise_id"),
        jurisdiction_id=ids.get("jurisdiction_id"),
        reason=reason,
        detail=detail,
    )


def _issue(
    *, user: User, actor: User | None, at: datetime, place: Enterprise | Jurisdiction | None
) -> str:
    """Void the account's open codes and issue a new one; returns the clear code, once."""
    AccountActivation.objects.filter(
        user=user, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=at)
    code = activation_code_new()
    AccountActivation.objects.create(
        user=user,
        digest=activation_digest(user_id=user.pk, code=code),
        enterprise=place if isinstance(place, Enterprise) else None,
        jurisdiction=place if isinstance(place, Jurisdiction) else None,
        created_by=actor,
        created_at=at,
        expires_at=at + timedelta(days=settings.ACTIVATION_CODE_DAYS),
    )
    return code


def _require_place(scope: Scope, place: Enterprise | Jurisdiction) -> None:
    """The caller manages accounts here (or, for a community, may appoint its liaison)."""
    if not (can(scope, "manage_accounts", place) or grantable_roles(scope, place)):
        raise PermissionDenied(NOT_ALLOWED)


def _role_check(
    *, scope: Scope, role: str, place: Enterprise | Jurisdiction, org_unit: OrgUnit | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if role not in grantable_roles(scope, place):
        errors["role"] = ROLE_NOT_GRANTABLE
    elif role == Role.TEAM_LEADER:
        if org_unit is None:
            errors["org_unit"] = UNIT_REQUIRED
        elif not isinstance(place, Enterprise) or org_unit.enterprise_id != place.pk:
            errors["org_unit"] = UNIT_OTHER_ENTERPRISE
    return errors


def _membership(
    *,
    user: User,
    role: str,
    place: Enterprise | Jurisdiction,
    org_unit: OrgUnit | None,
    person_id: int | None,
) -> Membership:
    return Membership.objects.create(
        user=user,
        role=role,
        enterprise=place if isinstance(place, Enterprise) else None,
        jurisdiction=place if isinstance(place, Jurisdiction) else None,
        org_unit=org_unit if role == Role.TEAM_LEADER else None,
        person_id=person_id,
    )


@dataclass(frozen=True)
class NewAccount:
    """One account to create: its login name, the name shown, and its ledger file if any."""

    login: str
    full_name: str
    person_id: int | None = None


@dataclass(frozen=True)
class IssuedCode:
    """An account and its one-time code, for the sheet; the code is never stored in clear."""

    user: User
    code: str
    expires_at: datetime

    @property
    def code_display(self) -> str:
        return activation_code_format(self.code)


# Shown on the sheet instead of the login name when it is the person's own phone number.
LOGIN_IS_PHONE = "本人手机号"


@dataclass(frozen=True)
class SheetRow:
    """One line of the printed activation sheet: never a clear phone number."""

    name: str
    unit: str
    phone_masked: str
    login_shown: str
    code_display: str
    expires_at: datetime


def sheet_rows_of(issued: Sequence[IssuedCode]) -> list[SheetRow]:
    """Sheet lines for accounts not made from the ledger (staff, or a reset)."""
    rows = []
    for item in issued:
        login = item.user.get_username()
        label = login_label(login)
        is_phone = label != login
        rows.append(
            SheetRow(
                name=item.user.first_name,
                unit="",
                phone_masked=label if is_phone else "",
                login_shown=LOGIN_IS_PHONE if is_phone else login,
                code_display=item.code_display,
                expires_at=item.expires_at,
            )
        )
    return rows


def login_clean(raw: str) -> str:
    login = str(raw or "").strip()
    if not login:
        raise ValidationError({"login": LOGIN_REQUIRED})
    try:
        _username(login)
    except ValidationError:
        raise ValidationError({"login": LOGIN_BAD}) from None
    if len(login) > 150:
        raise ValidationError({"login": LOGIN_BAD})
    return login


@transaction.atomic
def accounts_create(
    *,
    scope: Scope,
    actor: User | None,
    place: Enterprise | Jurisdiction,
    role: str,
    accounts: Sequence[NewAccount],
    at: datetime,
    org_unit: OrgUnit | None = None,
    labels: Sequence[str] | None = None,
) -> list[IssuedCode]:
    """Create accounts holding `role` at `place`, each with a one-time activation code.

    All or nothing: a role the caller may not grant, a login name taken (or repeated in the
    batch) or a bad one changes nothing. `labels` name the rows in messages (for a batch
    from the ledger: the person's name and masked phone, never the login if it is a phone).
    """
    _require_place(scope, place)
    errors = _role_check(scope=scope, role=role, place=place, org_unit=org_unit)
    if errors:
        raise ValidationError(errors)
    cleaned: list[str] = []
    problems: list[str] = []
    for index, account in enumerate(accounts):
        label = labels[index] if labels else None
        try:
            login = login_clean(account.login)
        except ValidationError as exc:
            problems.append(f"{label}：{exc.messages[0]}" if label else exc.messages[0])
            continue
        if not account.full_name.strip():
            errors["full_name"] = FULL_NAME_REQUIRED
        if login.lower() in {c.lower() for c in cleaned}:
            problems.append(f"{label}：{LOGIN_REPEATED}" if label else LOGIN_REPEATED)
        cleaned.append(login)
    query = Q(pk__in=[])
    for login in cleaned:
        query |= Q(username__iexact=login)
    taken = {u.lower() for u in User.objects.filter(query).values_list("username", flat=True)}
    for index, login in enumerate(cleaned):
        if login.lower() in taken:
            label = labels[index] if labels else None
            problems.append(f"{label}：{LOGIN_TAKEN}" if label else LOGIN_TAKEN)
    if problems:
        errors["login"] = "；".join(problems)
    if errors:
        raise ValidationError(errors)
    issued = []
    for account, login in zip(accounts, cleaned, strict=True):
        user = User(username=login, first_name=account.full_name.strip()[:150])
        user.set_unusable_password()
        user.save()
        _membership(
            user=user, role=role, place=place, org_unit=org_unit, person_id=account.person_id
        )
        code = _issue(user=user, actor=actor, at=at, place=place)
        _audit(
            actor=actor,
            action="account_create",
            at=at,
            target=user,
            place=place,
            detail={"role": role},
        )
        issued.append(
            IssuedCode(
                user=user, code=code, expires_at=at + timedelta(days=settings.ACTIVATION_CODE_DAYS)
            )
        )
    return issued


def account_create(
    *,
    scope: Scope,
    actor: User | None,
    place: Enterprise | Jurisdiction,
    role: str,
    login: str,
    full_name: str,
    at: datetime,
    org_unit: OrgUnit | None = None,
    person_id: int | None = None,
) -> IssuedCode:
    """One account: a park admin's staff or enterprise admin, an enterprise's officer..."""
    (issued,) = accounts_create(
        scope=scope,
        actor=actor,
        place=place,
        role=role,
        accounts=[NewAccount(login=login, full_name=full_name, person_id=person_id)],
        at=at,
        org_unit=org_unit,
    )
    return issued


def _reachable(scope: Scope, user: User) -> bool:
    """The caller may add roles to an account it already manages one role of."""
    return memberships_manageable(scope, Membership.objects.filter(user=user)).exists()


@transaction.atomic
def role_grant(
    *,
    scope: Scope,
    actor: User | None,
    user: User,
    role: str,
    place: Enterprise | Jurisdiction,
    at: datetime,
    org_unit: OrgUnit | None = None,
) -> Membership:
    """Give an existing account a role at a place; above the caller's own, or outside its
    park or enterprise, is refused with a message and changes nothing."""
    if not _reachable(scope, user):
        raise PermissionDenied(NOT_ALLOWED)
    _require_place(scope, place)
    errors = _role_check(scope=scope, role=role, place=place, org_unit=org_unit)
    if (
        not errors
        and Membership.objects.filter(
            user=user,
            role=role,
            enterprise=place if isinstance(place, Enterprise) else None,
            jurisdiction=place if isinstance(place, Jurisdiction) else None,
        ).exists()
    ):
        errors["role"] = ROLE_TAKEN
    if errors:
        raise ValidationError(errors)
    membership = _membership(user=user, role=role, place=place, org_unit=org_unit, person_id=None)
    _audit(actor=actor, action="role_grant", at=at, target=user, place=place, detail={"role": role})
    return membership


def _remove(*, membership: Membership, actor: User | None, at: datetime, reason: str = "") -> None:
    user = membership.user
    place = membership.enterprise or membership.jurisdiction
    role = membership.role
    membership.delete()
    _audit(
        actor=actor,
        action="role_remove",
        at=at,
        target=user,
        place=place,
        reason=reason,
        detail={"role": role},
    )
    # An account left without any role can do nothing but is still a way in: switch it off.
    if not Membership.objects.filter(user=user).exists() and user.is_active:
        _deactivate(user=user, actor=actor, at=at, place=place, reason=reason or "已无任何角色")


@transaction.atomic
def role_revoke(*, scope: Scope, actor: User | None, membership: Membership, at: datetime) -> None:
    """Remove one role grant the caller could have made itself."""
    if not memberships_manageable(scope).filter(pk=membership.pk).exists():
        raise PermissionDenied(NOT_ALLOWED)
    _remove(membership=membership, actor=actor, at=at)


@transaction.atomic
def person_roles_end(
    *, person_id: int, enterprise_id: int, actor: User | None, at: datetime
) -> int:
    """A person left the enterprise: the roles their accounts hold there, tied to their
    ledger file, end at once. Called by the people service that records the leaving, in
    its transaction. Returns how many role grants ended."""
    rows = list(
        Membership.objects.filter(person_id=person_id, enterprise_id=enterprise_id)
        .select_related("user", "enterprise")
        .select_for_update()
    )
    for membership in rows:
        _remove(membership=membership, actor=actor, at=at, reason="离职")
    return len(rows)


def _manageable_or_403(scope: Scope, user: User) -> None:
    if not users_manageable(scope, User.objects.filter(pk=user.pk)).exists():
        raise PermissionDenied(NOT_ALLOWED)


def _home(user: User) -> Enterprise | Jurisdiction | None:
    m = Membership.objects.filter(user=user).select_related("enterprise", "jurisdiction").first()
    return (m.enterprise or m.jurisdiction) if m is not None else None


def _deactivate(
    *,
    user: User,
    actor: User | None,
    at: datetime,
    place: Enterprise | Jurisdiction | None,
    reason: str = "",
) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    AccountActivation.objects.filter(
        user=user, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=at)
    _audit(actor=actor, action="account_deactivate", at=at, target=user, place=place, reason=reason)


@transaction.atomic
def account_deactivate(*, scope: Scope, actor: User | None, user: User, at: datetime) -> User:
    """Switch an account off: it cannot log in or activate; its open codes are void."""
    _manageable_or_403(scope, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError({"__all__": ACCOUNT_INACTIVE_ALREADY})
    _deactivate(user=user, actor=actor, at=at, place=_home(user))
    return user


@transaction.atomic
def account_reactivate(*, scope: Scope, actor: User | None, user: User, at: datetime) -> User:
    _manageable_or_403(scope, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError({"__all__": ACCOUNT_ACTIVE_ALREADY})
    user.is_active = True
    user.save(update_fields=["is_active"])
    _audit(actor=actor, action="account_reactivate", at=at, target=user, place=_home(user))
    return user


@transaction.atomic
def accounts_reset(
    *, scope: Scope, actor: User | None, users: Sequence[User], at: datetime
) -> list[IssuedCode]:
    """New one-time codes (shown once); the old password and any open code stop working."""
    allowed = set(
        users_manageable(scope, User.objects.filter(pk__in=[u.pk for u in users])).values_list(
            "pk", flat=True
        )
    )
    if any(u.pk not in allowed for u in users):
        raise PermissionDenied(NOT_ALLOWED)
    rows = list(User.objects.select_for_update().filter(pk__in=allowed).order_by("pk"))
    if any(not u.is_active for u in rows):
        raise ValidationError({"__all__": ACCOUNT_INACTIVE_RESET})
    issued = []
    for user in rows:
        user.set_unusable_password()  # also ends the account's sessions
        user.save(update_fields=["password"])
        place = _home(user)
        code = _issue(user=user, actor=actor, at=at, place=place)
        _audit(actor=actor, action="account_reset", at=at, target=user, place=place)
        issued.append(
            IssuedCode(
                user=user, code=code, expires_at=at + timedelta(days=settings.ACTIVATION_CODE_DAYS)
            )
        )
    return issued


def account_activate(
    *, login: str, code: str, password1: str, password2: str, at: datetime, address: str = ""
) -> User:
    """The first login (or the one after a reset): the one-time code sets the password.

    A wrong login name or code counts towards the login lockout; a code used, voided or
    expired, an account switched off, or a weak password changes nothing and says why.
    """
    login = str(login or "").strip()
    if login and login_locked(login, address):
        raise ValidationError({"__all__": LOGIN_LOCKED.format(minutes=settings.LOGIN_LOCK_MINUTES)})
    user = User.objects.filter(username=login).first() if login else None
    clean = activation_code_clean(code)
    row = (
        AccountActivation.objects.filter(
            user=user, digest=activation_digest(user_id=user.pk, code=clean)
        )
        .order_by("-created_at")
        .first()
        if user is not None and clean
        else None
    )
    if row is None:
        if login:
            login_failure_record(login, address)
        raise ValidationError({"code": ACTIVATION_FAILED})
    assert user is not None
    if row.used_at is not None:
        raise ValidationError({"code": ACTIVATION_USED})
    if row.voided_at is not None and user.is_active:
        raise ValidationError({"code": ACTIVATION_VOIDED})
    if not user.is_active:
        raise ValidationError({"__all__": ACTIVATION_ACCOUNT_INACTIVE})
    if row.expires_at <= at:
        raise ValidationError({"code": ACTIVATION_EXPIRED})
    if password1 != password2:
        raise ValidationError({"password2": PASSWORD_MISMATCH})
    try:
        # The validators' own messages, in Chinese whoever calls (page, API or shell).
        with translation.override(settings.LANGUAGE_CODE):
            validate_password(password1, user)
    except ValidationError as exc:
        with translation.override(settings.LANGUAGE_CODE):
            messages = [str(m) for m in exc.messages]
        raise ValidationError({"password1": messages}) from None
    return _activate(user=user, row=row, password=password1, at=at)


@transaction.atomic
def _activate(*, user: User, row: AccountActivation, password: str, at: datetime) -> User:
    # Lock the code's row: two tabs submitting the same code use it once.
    fresh = AccountActivation.objects.select_for_update().get(pk=row.pk)
    if fresh.used_at is not None or fresh.voided_at is not None:
        raise ValidationError({"code": ACTIVATION_USED})
    fresh.used_at = at
    fresh.save(update_fields=["used_at"])
    user.set_password(password)
    user.save(update_fields=["password"])
    login_success_record(user.get_username())
    _audit(actor=user, action="account_activate", at=at, target=user, place=_home(user))
    return user


@transaction.atomic
def account_second_factor_reset(
    *, scope: Scope, actor: User | None, user: User, at: datetime
) -> int:
    """Remove the TOTP device of an account whose phone is lost; its owner enrols a new one
    at the next login. Who may: whoever may manage the account (the role ladder)."""
    _manageable_or_403(scope, user)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    _audit(actor=actor, action="second_factor_reset", at=at, target=user, place=_home(user))
    return removed
