"""The one place where ParkGuard decides who sees what.

Every queryset a page, API or admin serves goes through `visible()`; an object outside
the caller's scope is a 404 (`get_visible_or_404`). Models declare how they reach the
scope with class attributes, so a new model joins by naming its paths:

    scope_jurisdiction  path to the Jurisdiction (park/town) the row belongs to
    scope_enterprise    path to the Enterprise
    scope_enterprise_level  "member" if every member of the enterprise may see the row
                        (the enterprise itself, its org units); "staff" (default) if only its
                        administrators and epidemic officers may
    scope_org_unit      path to the OrgUnit, for team leaders
    scope_community     path to the community Jurisdiction, for community liaisons
    scope_person        path to the Person, for employees seeing their own file
    scope_token_readable  True if a device token (gate, lab) may read rows of this model;
                        tokens see nothing else, so personal data never reaches a device
                        unless a model opts in

A caller is a session user or a device token; both become a `Scope`.

Actions are decided here too. `visible(scope, Model, action="change")` narrows to the rows the
caller may act on; `can(scope, action, obj)` asks it of one object; `require()` raises the 403.
Each action names the enterprise roles and the park roles that may take it (`ACTIONS`); a row
reaches them through the same scope paths as a read. Services call `require()` before they
write or reveal; views and API functions do not decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from parkguard.orgs.choices import (
    COMMUNITY_ROLES,
    ENTERPRISE_EDITORS,
    ENTERPRISE_ROLES,
    JURISDICTION_ROLES,
    PARK_EDITORS,
    Role,
)
from parkguard.orgs.models import ApiToken, Enterprise, Jurisdiction, Membership, OrgUnit

M = TypeVar("M", bound=Model)

NOT_FOUND = "未找到该对象，或您无权查看"
NOT_ALLOWED = "您的角色无权执行此操作"


@dataclass(frozen=True)
class Scope:
    """What one caller may see, resolved once per request."""

    roles: frozenset[str] = frozenset()
    superuser: bool = False
    # Jurisdictions (with everything under them) held through park roles.
    jurisdiction_ids: frozenset[int] = frozenset()
    # Jurisdictions where the caller may administer (park admin).
    admin_jurisdiction_ids: frozenset[int] = frozenset()
    # Enterprises seen in full (enterprise admin, epidemic officer, enterprise device token).
    staff_enterprise_ids: frozenset[int] = frozenset()
    # Enterprises the caller belongs to in any role (sees the enterprise and its units).
    member_enterprise_ids: frozenset[int] = frozenset()
    # Enterprises the caller may edit (enterprise admin, epidemic officer).
    editor_enterprise_ids: frozenset[int] = frozenset()
    org_unit_ids: frozenset[int] = frozenset()
    community_ids: frozenset[int] = frozenset()
    person_ids: frozenset[int] = frozenset()
    user_id: int | None = None
    token_id: int | None = None
    roles_by_enterprise: dict[int, frozenset[str]] = field(default_factory=dict)
    # Jurisdictions (subtrees) held per park role, for actions only some park roles may take.
    jurisdiction_ids_by_role: dict[str, frozenset[int]] = field(default_factory=dict)

    def enterprise_ids_with(self, roles: frozenset[str]) -> frozenset[int]:
        """Enterprises where the caller holds one of `roles`."""
        return frozenset(e for e, held in self.roles_by_enterprise.items() if held & roles)

    def jurisdiction_ids_with(self, roles: frozenset[str]) -> frozenset[int]:
        """Jurisdictions (with everything under them) where the caller holds one of `roles`."""
        found: set[int] = set()
        for role in roles:
            found |= self.jurisdiction_ids_by_role.get(role, frozenset())
        return frozenset(found)

    @property
    def is_anonymous(self) -> bool:
        return not (self.superuser or self.roles or self.token_id)

    def has_role(self, *roles: str) -> bool:
        return self.superuser or bool(self.roles.intersection(roles))


ANONYMOUS = Scope()
# The platform acting for itself (the demo builder, test fixtures, a job finishing work a user
# already started through a permitted call): never a request's scope.
SYSTEM = Scope(superuser=True)


def _subtree_ids(roots: set[int]) -> frozenset[int]:
    if not roots:
        return frozenset()
    paths = Jurisdiction.objects.filter(pk__in=roots).values_list("path", flat=True)
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return frozenset(Jurisdiction.objects.filter(query).values_list("pk", flat=True))


def _unit_subtree_ids(roots: set[int]) -> frozenset[int]:
    found = set(roots)
    frontier = set(roots)
    while frontier:
        frontier = (
            set(OrgUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        )
        found |= frontier
    return frozenset(found)


def scope_for_user(user: User | AnonymousUser) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    if getattr(user, "is_superuser", False):
        return Scope(superuser=True, user_id=user.pk)
    roles: set[str] = set()
    jurisdictions: set[int] = set()
    admin_jurisdictions: set[int] = set()
    staff: set[int] = set()
    members: set[int] = set()
    editors: set[int] = set()
    units: set[int] = set()
    communities: set[int] = set()
    persons: set[int] = set()
    by_enterprise: dict[int, set[str]] = {}
    by_park_role: dict[str, set[int]] = {}
    for m in Membership.objects.filter(user=user).only(
        "role", "jurisdiction_id", "enterprise_id", "org_unit_id", "person_id"
    ):
        roles.add(m.role)
        if m.role in JURISDICTION_ROLES and m.jurisdiction_id:
            jurisdictions.add(m.jurisdiction_id)
            by_park_role.setdefault(m.role, set()).add(m.jurisdiction_id)
            if m.role in PARK_EDITORS:
                admin_jurisdictions.add(m.jurisdiction_id)
        elif m.role in COMMUNITY_ROLES and m.jurisdiction_id:
            communities.add(m.jurisdiction_id)
        elif m.role in ENTERPRISE_ROLES and m.enterprise_id:
            members.add(m.enterprise_id)
            by_enterprise.setdefault(m.enterprise_id, set()).add(m.role)
            if m.role in ENTERPRISE_EDITORS:
                staff.add(m.enterprise_id)
                editors.add(m.enterprise_id)
            if m.role == Role.TEAM_LEADER and m.org_unit_id:
                units.add(m.org_unit_id)
        if m.person_id:
            persons.add(m.person_id)
    return Scope(
        roles=frozenset(roles),
        jurisdiction_ids=_subtree_ids(jurisdictions),
        admin_jurisdiction_ids=_subtree_ids(admin_jurisdictions),
        staff_enterprise_ids=frozenset(staff),
        member_enterprise_ids=frozenset(members),
        editor_enterprise_ids=frozenset(editors),
        org_unit_ids=_unit_subtree_ids(units),
        community_ids=_subtree_ids(communities),
        person_ids=frozenset(persons),
        user_id=user.pk,
        roles_by_enterprise={k: frozenset(v) for k, v in by_enterprise.items()},
        jurisdiction_ids_by_role={k: _subtree_ids(v) for k, v in by_park_role.items()},
    )


def scope_for_token(token: ApiToken) -> Scope:
    """A device token sees one enterprise in full, or one park and everything under it."""
    if token.enterprise_id:
        ids = frozenset({token.enterprise_id})
        return Scope(token_id=token.pk, staff_enterprise_ids=ids, member_enterprise_ids=ids)
    if token.jurisdiction_id:
        return Scope(token_id=token.pk, jurisdiction_ids=_subtree_ids({token.jurisdiction_id}))
    return ANONYMOUS


def scope_of(request: HttpRequest) -> Scope:
    """The caller's scope, computed once per request."""
    cached = getattr(request, "_parkguard_scope", None)
    if cached is None:
        cached = scope_for_user(request.user)
        request._parkguard_scope = cached  # type: ignore[attr-defined]
    return cached


def _filter(scope: Scope, model: type[Model]) -> Q | None:
    """The row filter for `model` under `scope`; None means every row."""
    if scope.superuser:
        return None
    query = Q(pk__in=[])
    if scope.token_id is not None and not getattr(model, "scope_token_readable", False):
        return query
    path = getattr(model, "scope_jurisdiction", None)
    if path and scope.jurisdiction_ids:
        query |= Q(**{f"{path}__in": scope.jurisdiction_ids})
    path = getattr(model, "scope_enterprise", None)
    if path:
        level = getattr(model, "scope_enterprise_level", "staff")
        ids = scope.member_enterprise_ids if level == "member" else scope.staff_enterprise_ids
        if ids:
            query |= Q(**{f"{path}__in": ids})
    path = getattr(model, "scope_org_unit", None)
    if path and scope.org_unit_ids:
        query |= Q(**{f"{path}__in": scope.org_unit_ids})
    path = getattr(model, "scope_community", None)
    if path and scope.community_ids:
        query |= Q(**{f"{path}__in": scope.community_ids})
    path = getattr(model, "scope_person", None)
    if path and scope.person_ids:
        query |= Q(**{f"{path}__in": scope.person_ids})
    return query


@dataclass(frozen=True)
class Grant:
    """Who may take an action: enterprise roles on rows of their enterprise, park roles on rows
    of their park (and everything under it)."""

    enterprise_roles: frozenset[str] = frozenset()
    park_roles: frozenset[str] = frozenset()


_EDITORS = Grant(enterprise_roles=ENTERPRISE_EDITORS, park_roles=PARK_EDITORS)
_PARK_ADMIN = Grant(park_roles=PARK_EDITORS)

# Every action a service may ask about. "view" is the read scope above; the rest are here.
ACTIONS: dict[str, Grant] = {
    # Edit a record (enterprise, org unit, person) and what hangs off it.
    "change": _EDITORS,
    # Show an ID number in full, with a reason (audited).
    "reveal": _EDITORS,
    # Export the ledger, masked or (with a reason) unmasked.
    "export": _EDITORS,
    # Issue and revoke device tokens.
    "manage_tokens": _EDITORS,
    # Run and cancel staff-ledger imports.
    "import": _EDITORS,
    # Park-only decisions: create enterprises, set the whitelist, review ID conflicts,
    # adopt rule packs, keep the park's supervising offices (H-3).
    "administer": _PARK_ADMIN,
    "review": _PARK_ADMIN,
    "adopt": _PARK_ADMIN,
    # Check a rule pack a park admin wrote (validation, explanation, plan preview of the
    # draft, never in force). Publishing uploads is not built yet.
    "upload_pack": _PARK_ADMIN,
    # Read the audit log of one's enterprise or park.
    "read_audit": _EDITORS,
}


def _action_filter(scope: Scope, model: type[Model], action: str) -> Q | None:
    grant = ACTIONS[action]  # an unknown action is a programming error, loudly
    if scope.superuser:
        return None
    query = Q(pk__in=[])
    if scope.token_id is not None:
        return query  # devices read; they act only through their own endpoints
    path = getattr(model, "scope_enterprise", None)
    ids = scope.enterprise_ids_with(grant.enterprise_roles) if grant.enterprise_roles else None
    if path and ids:
        query |= Q(**{f"{path}__in": ids})
    path = getattr(model, "scope_jurisdiction", None)
    ids = scope.jurisdiction_ids_with(grant.park_roles) if grant.park_roles else None
    if path and ids:
        query |= Q(**{f"{path}__in": ids})
    return query


def visible(scope: Scope, source: type[M] | QuerySet[M], action: str = "view") -> QuerySet[M]:
    """Narrow a model or queryset to the rows `scope` may see, or take `action` on."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    if action == "view":
        query = _filter(scope, queryset.model)
    else:
        query = _action_filter(scope, queryset.model, action)
    return queryset if query is None else queryset.filter(query)


def get_visible_or_404(
    scope: Scope, source: type[M] | QuerySet[M], action: str = "view", **lookup: Any
) -> M:
    try:
        return visible(scope, source, action).get(**lookup)
    except (ValueError, TypeError, ObjectDoesNotExist):
        raise Http404(NOT_FOUND) from None


def can(scope: Scope, action: str, obj: Model) -> bool:
    """May `scope` take `action` on `obj`? One indexed query; superusers may do anything."""
    if scope.superuser:
        return True
    return visible(scope, type(obj), action).filter(pk=obj.pk).exists()


def require(scope: Scope, action: str, obj: Model) -> None:
    """Raise 403 unless `scope` may take `action` on `obj`. Services call this before writing."""
    if not can(scope, action, obj):
        raise PermissionDenied(NOT_ALLOWED)


def can_edit_enterprise(scope: Scope, enterprise: Enterprise) -> bool:
    """Enterprise admins and officers edit their own; park admins edit those in their park."""
    return can(scope, "change", enterprise)


def require_edit_enterprise(scope: Scope, enterprise: Enterprise) -> None:
    require(scope, "change", enterprise)
