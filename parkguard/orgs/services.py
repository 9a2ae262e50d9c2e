"""Writes of the organisation app; each one atomic and validated first."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from parkguard.audit.services import audit_record
from parkguard.lib.identifiers import identifier_ascii
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import (
    ALLOWED_PARENTS,
    ENTERPRISE_HOSTS,
    UNIT_RANK,
    JurisdictionKind,
    OrgUnitKind,
)
from parkguard.orgs.models import ApiToken, Enterprise, Jurisdiction, OrgUnit, SupervisionOffice

CREDIT_CODE_INVALID = "统一社会信用代码不正确：应为18位，且校验位正确"
CREDIT_CODE_CHARSET = "统一社会信用代码含有无法识别的字符：只能填写数字和大写字母"
ENTERPRISE_NAME_TAKEN = "已有同名企业"
CREDIT_CODE_TAKEN = "该统一社会信用代码已被其他企业使用"
JURISDICTION_PARENT_INVALID = (
    "上级辖区类型不符合层级（区县 → 镇/街道 → 园区；镇/街道 → 社区 → 网格）"
)
ENTERPRISE_HOST_INVALID = "企业只能隶属于园区，或作为园区的镇、街道"
COMMUNITY_INVALID = "所在社区必须是社区类型的辖区"
UNIT_CYCLE = "不能把单元移到它自己或它的下级之下"
UNIT_PARENT_OTHER_ENTERPRISE = "上级单元必须属于同一企业"
UNIT_RANK_INVALID = "层级不正确：部门之下为车间，车间之下为班组"
UNIT_NAME_TAKEN = "同一上级下已有同名单元"
# How stale a token's "last used" may get: a write per call would slow the device hot path.
TOKEN_OWNER_REQUIRED = "请选择令牌所属的企业或园区"
TOKEN_USE_RESOLUTION = timedelta(minutes=5)
UNIT_HAS_CHILDREN = "该单元下还有下级单元，不能删除"
UNIT_HAS_PEOPLE = "该单元下还有人员，不能删除"
OFFICE_NAME_REQUIRED = "请填写办所名称"
OFFICE_NAME_TAKEN = "本园区已有同名办所"
OFFICE_HOST_INVALID = "主管办所只能设在园区，或作为园区的镇、街道"
OFFICE_IN_USE = "还有企业由该办所主管，请先为这些企业改选主管办所，再删除"
OFFICE_OTHER_PARK = "主管办所必须是本园区（或其所在镇、街道）设置的办所"


def credit_code_clean(raw: str) -> str:
    """The one normal form of a credit code (NFKC, as ID numbers), validated (GB 32100)."""
    code = identifier_ascii(raw)
    if code is None:
        raise ValidationError({"credit_code": CREDIT_CODE_CHARSET})
    try:
        return str(uscc.validate(code))
    except StdnumError:
        raise ValidationError({"credit_code": CREDIT_CODE_INVALID}) from None


@transaction.atomic
def jurisdiction_create(
    *, name: str, kind: str, parent: Jurisdiction | None = None, code: str = ""
) -> Jurisdiction:
    allowed = ALLOWED_PARENTS[kind]
    if (parent is None and allowed) or (parent is not None and parent.kind not in allowed):
        raise ValidationError({"parent": JURISDICTION_PARENT_INVALID})
    node = Jurisdiction.objects.create(name=name, kind=kind, parent=parent, code=code, path="")
    node.path = f"{parent.path if parent else '/'}{node.pk}/"
    node.save(update_fields=["path"])
    return node


def _enterprise_check(values: dict[str, Any], *, instance: Enterprise | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(values)
    if "credit_code" in values:
        try:
            cleaned["credit_code"] = credit_code_clean(values["credit_code"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    others = (
        Enterprise.objects.all() if instance is None else Enterprise.objects.exclude(pk=instance.pk)
    )
    if "name" in values:
        cleaned["name"] = str(values["name"]).strip()
        if others.filter(name=cleaned["name"]).exists():
            errors["name"] = ENTERPRISE_NAME_TAKEN
    if (
        "credit_code" not in errors
        and "credit_code" in cleaned
        and others.filter(credit_code=cleaned["credit_code"]).exists()
    ):
        errors["credit_code"] = CREDIT_CODE_TAKEN
    host = cleaned.get("jurisdiction")
    if host is not None and host.kind not in (
        JurisdictionKind.PARK,
        JurisdictionKind.TOWN,
        JurisdictionKind.STREET,
    ):
        errors["jurisdiction"] = ENTERPRISE_HOST_INVALID
    community = cleaned.get("community")
    if community is not None and community.kind != JurisdictionKind.COMMUNITY:
        errors["community"] = COMMUNITY_INVALID
    # The office must serve the enterprise's park, also when only the park changes.
    office: SupervisionOffice | None = cleaned.get(
        "supervision_office", getattr(instance, "supervision_office", None)
    )
    host = host if host is not None else getattr(instance, "jurisdiction", None)
    if office is not None and (host is None or not _office_serves(office, host)):
        errors["supervision_office"] = OFFICE_OTHER_PARK
    if errors:
        raise ValidationError(errors)
    return cleaned


def _office_serves(office: SupervisionOffice, host: Jurisdiction) -> bool:
    """An office of the enterprise's park, or of a town or street above it (H: the town)."""
    return host.path.startswith(office.jurisdiction.path)


@transaction.atomic
def enterprise_create(*, scope: Scope, **values: Any) -> Enterprise:
    """A park admin creates an enterprise in their park; a bad or duplicate credit code or
    name changes nothing."""
    park = values.get("jurisdiction")
    if park is None:
        raise ValidationError({"jurisdiction": ENTERPRISE_HOST_INVALID})
    require(scope, "administer", park)
    cleaned = _enterprise_check(values, instance=None)
    enterprise = Enterprise(**cleaned)
    enterprise.full_clean()
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_update(*, scope: Scope, enterprise: Enterprise, **values: Any) -> Enterprise:
    """The enterprise's editors change its record; only the park moves it between parks or sets
    its whitelist flag (J-2.5), so those fields need "administer" on both parks."""
    require(scope, "change", enterprise)
    moved = "jurisdiction" in values and values["jurisdiction"] != enterprise.jurisdiction
    flagged = "whitelisted" in values and values["whitelisted"] != enterprise.whitelisted
    # Which office supervises the enterprise is the park's decision too (H-3).
    supervised = (
        "supervision_office" in values
        and values["supervision_office"] != enterprise.supervision_office
    )
    if moved or flagged or supervised:
        require(scope, "administer", enterprise.jurisdiction)
    if moved:
        require(scope, "administer", values["jurisdiction"])
    cleaned = _enterprise_check(values, instance=enterprise)
    for key, value in cleaned.items():
        setattr(enterprise, key, value)
    enterprise.full_clean()
    enterprise.save()
    return enterprise


def _office_check(
    *, jurisdiction: Jurisdiction, office: SupervisionOffice | None, name: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if jurisdiction.kind not in ENTERPRISE_HOSTS:
        errors["__all__"] = OFFICE_HOST_INVALID
    if not name:
        errors["name"] = OFFICE_NAME_REQUIRED
    else:
        same = SupervisionOffice.objects.filter(jurisdiction=jurisdiction, name=name)
        if office is not None:
            same = same.exclude(pk=office.pk)
        if same.exists():
            errors["name"] = OFFICE_NAME_TAKEN
    return errors


@transaction.atomic
def supervision_office_save(
    *,
    scope: Scope,
    jurisdiction: Jurisdiction,
    office: SupervisionOffice | None = None,
    name: str,
    responsibilities: str = "",
    basis: str = "",
    order: int = 0,
) -> SupervisionOffice:
    """Create (office=None) or change one of a park's supervising offices (H-3).

    Only the park's admin may; a missing or taken name changes nothing.
    """
    if office is not None:
        jurisdiction = office.jurisdiction
    require(scope, "administer", office if office is not None else jurisdiction)
    name = str(name or "").strip()
    errors = _office_check(jurisdiction=jurisdiction, office=office, name=name)
    if errors:
        raise ValidationError(errors)
    office = office or SupervisionOffice(jurisdiction=jurisdiction)
    office.name = name
    office.responsibilities = str(responsibilities or "").strip()
    office.basis = str(basis or "").strip()
    office.order = order
    office.full_clean(validate_unique=False)
    office.save()
    return office


@transaction.atomic
def supervision_office_delete(*, scope: Scope, office: SupervisionOffice) -> None:
    """Remove an office no enterprise names any more."""
    require(scope, "administer", office)
    if office.enterprises.exists():
        raise ValidationError({"__all__": OFFICE_IN_USE})
    office.delete()


def _unit_check(
    *, enterprise: Enterprise, unit: OrgUnit | None, parent: OrgUnit | None, kind: str, name: str
) -> None:
    errors: dict[str, str] = {}
    if parent is not None:
        if parent.enterprise_id != enterprise.pk:
            errors["parent"] = UNIT_PARENT_OTHER_ENTERPRISE
        elif unit is not None and unit.pk is not None:
            # Walk up from the new parent; meeting the unit itself means a cycle.
            node: OrgUnit | None = parent
            while node is not None:
                if node.pk == unit.pk:
                    errors["parent"] = UNIT_CYCLE
                    break
                node = node.parent
        if (
            "parent" not in errors
            and UNIT_RANK[OrgUnitKind(parent.kind)] >= UNIT_RANK[OrgUnitKind(kind)]
        ):
            errors["kind"] = UNIT_RANK_INVALID
    if unit is not None and unit.pk is not None and "kind" not in errors:
        for child in unit.children.all():
            if UNIT_RANK[OrgUnitKind(child.kind)] <= UNIT_RANK[OrgUnitKind(kind)]:
                errors["kind"] = UNIT_RANK_INVALID
                break
    siblings = OrgUnit.objects.filter(enterprise=enterprise, parent=parent, name=name.strip())
    if unit is not None and unit.pk is not None:
        siblings = siblings.exclude(pk=unit.pk)
    if siblings.exists():
        errors["name"] = UNIT_NAME_TAKEN
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def org_unit_save(
    *,
    scope: Scope,
    enterprise: Enterprise,
    unit: OrgUnit | None = None,
    parent: OrgUnit | None,
    kind: str,
    name: str,
    responsible_name: str = "",
    responsible_phone: str = "",
) -> OrgUnit:
    """Create (unit=None) or change an org unit; a cycle or a wrong level changes nothing."""
    require(scope, "change", enterprise)
    _unit_check(enterprise=enterprise, unit=unit, parent=parent, kind=kind, name=name)
    unit = unit or OrgUnit(enterprise=enterprise)
    unit.parent = parent
    unit.kind = kind
    unit.name = name.strip()
    unit.responsible_name = responsible_name.strip()
    unit.responsible_phone = responsible_phone.strip()
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def org_unit_delete(*, scope: Scope, unit: OrgUnit) -> None:
    require(scope, "change", unit.enterprise)
    if unit.children.exists():
        raise ValidationError({"__all__": UNIT_HAS_CHILDREN})
    if unit.people.exists():
        raise ValidationError({"__all__": UNIT_HAS_PEOPLE})
    unit.delete()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Live device tokens read by this process: digest → (monotonic deadline, row). A gate device
# calls many times a second; its token is read from the database at most once per
# `API_TOKEN_CACHE_SECONDS`, so a revocation made by another process takes effect within that
# bound (in this process at once: `api_token_revoke` drops the entry). Unknown or revoked
# tokens are never kept, so a new token works at once and junk cannot fill the cache.
_TOKENS: dict[str, tuple[float, ApiToken]] = {}
TOKENS_CACHE_MAX = 1000


def _clock() -> float:
    return time.monotonic()


def api_token_authenticate(*, token: str, at: datetime) -> ApiToken | None:
    """The live token row for a bearer token, or None; records use at most every few minutes
    so the hot path stays a read (none at all while the row is in the process cache)."""
    digest = token_digest(token)
    now = _clock()
    hit = _TOKENS.get(digest)
    if hit is not None and hit[0] > now:
        row = hit[1]
    else:
        _TOKENS.pop(digest, None)
        found = ApiToken.objects.filter(digest=digest, revoked_at__isnull=True).first()
        if found is None:
            return None
        row = found
        if settings.API_TOKEN_CACHE_SECONDS > 0:
            if len(_TOKENS) >= TOKENS_CACHE_MAX:
                _TOKENS.clear()
            _TOKENS[digest] = (now + settings.API_TOKEN_CACHE_SECONDS, row)
    if row.last_used_at is None or at - row.last_used_at > TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=at)
        row.last_used_at = at
    return row


def _token_forget(token: ApiToken) -> None:
    for digest, (_, row) in list(_TOKENS.items()):
        if row.pk == token.pk:
            _TOKENS.pop(digest, None)


@transaction.atomic
def api_token_create(
    *,
    name: str,
    created_by: User | None,
    enterprise: Enterprise | None = None,
    jurisdiction: Jurisdiction | None = None,
) -> tuple[ApiToken, str]:
    """Issue a device token; the clear token is returned once and never stored."""
    if (enterprise is None) == (jurisdiction is None):
        raise ValidationError({"__all__": "设备令牌必须且只能限定到一个企业或一个园区"})
    clear = "pg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        digest=token_digest(clear),
        prefix=clear[:10],
        enterprise=enterprise,
        jurisdiction=jurisdiction,
        owner_park=enterprise.jurisdiction if enterprise is not None else jurisdiction,
        created_by=created_by,
    )
    return token, clear


@transaction.atomic
def api_token_issue(
    *,
    scope: Scope,
    actor: User,
    name: str,
    enterprise: Enterprise | None = None,
    jurisdiction: Jurisdiction | None = None,
    at: datetime,
) -> tuple[ApiToken, str]:
    """A device token for an enterprise the caller edits or a park they administer; audited."""
    owner = enterprise if enterprise is not None else jurisdiction
    if owner is None:
        raise ValidationError({"enterprise": TOKEN_OWNER_REQUIRED})
    require(scope, "manage_tokens", owner)
    token, clear = api_token_create(
        name=name, created_by=actor, enterprise=enterprise, jurisdiction=jurisdiction
    )
    audit_record(
        actor=actor,
        action="token_create",
        at=at,
        target=token,
        enterprise_id=token.enterprise_id,
        jurisdiction_id=token.owner_park_id,
    )
    return token, clear


@transaction.atomic
def api_token_revoke(*, scope: Scope, actor: User, token: ApiToken, at: datetime) -> ApiToken:
    """Revoke a device token at once (its next call is refused); audited."""
    require(scope, "manage_tokens", token)
    _token_forget(token)
    if token.revoked_at is None:
        token.revoked_at = at
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="token_revoke",
            at=at,
            target=token,
            enterprise_id=token.enterprise_id,
            jurisdiction_id=token.owner_park_id,
        )
    return token


PLACE_NAME_REQUIRED = "请填写名称"
PLACE_NAME_TAKEN = "同一上级下已有同名的村（社区）或网格"
PLACE_PARENT_INVALID = "村（社区）须设在本县的镇或街道之下，网格须设在本县的村（社区）之下"
PLACE_KIND_INVALID = "只能添加或修改村（社区）和网格"
PLACE_KINDS = (JurisdictionKind.COMMUNITY, JurisdictionKind.GRID)


@transaction.atomic
def place_save(
    *,
    scope: Scope,
    park: Jurisdiction,
    actor: User,
    at: datetime,
    kind: str,
    parent: Jurisdiction | None,
    name: str,
    code: str = "",
    place: Jurisdiction | None = None,
) -> Jurisdiction:
    """Add or rename a community or grid of the park's county (park admin, audited).

    The import template and the import's messages list these, so a park keeps them here
    instead of asking for a database change.
    """
    require(scope, "administer", park)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if kind not in PLACE_KINDS or (place is not None and place.kind not in PLACE_KINDS):
        raise ValidationError({"kind": PLACE_KIND_INVALID})
    county = "/{}/".format(park.path.split("/")[1])
    if place is not None and not place.path.startswith(county):
        raise ValidationError({"kind": PLACE_KIND_INVALID})
    if not name:
        errors["name"] = PLACE_NAME_REQUIRED
    wanted_parent = (
        (JurisdictionKind.TOWN, JurisdictionKind.STREET)
        if kind == JurisdictionKind.COMMUNITY
        else (JurisdictionKind.COMMUNITY,)
    )
    if parent is None or parent.kind not in wanted_parent or not parent.path.startswith(county):
        errors["parent"] = PLACE_PARENT_INVALID
    if not errors:
        twins = Jurisdiction.objects.filter(parent=parent, name=name)
        if place is not None:
            twins = twins.exclude(pk=place.pk)
        if twins.exists():
            errors["name"] = PLACE_NAME_TAKEN
    if errors:
        raise ValidationError(errors)
    assert parent is not None
    if place is None:
        node = jurisdiction_create(name=name, kind=kind, parent=parent, code=code.strip())
        action = "place_create"
        detail: dict[str, Any] = {"name": name, "kind": kind, "parent": parent.name}
    else:
        old = {"name": place.name, "parent": place.parent.name if place.parent else ""}
        moved = place.parent_id != parent.pk
        place.name, place.code, place.parent = name, code.strip(), parent
        place.save(update_fields=["name", "code", "parent"])
        if moved:
            old_path = place.path
            place.path = f"{parent.path}{place.pk}/"
            place.save(update_fields=["path"])
            for child in Jurisdiction.objects.filter(path__startswith=old_path).exclude(
                pk=place.pk
            ):
                child.path = place.path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
        node = place
        action = "place_update"
        detail = {"old": old, "new": {"name": name, "parent": parent.name}, "kind": kind}
    audit_record(
        actor=actor, action=action, at=at, target=node, jurisdiction_id=park.pk, detail=detail
    )
    return node
