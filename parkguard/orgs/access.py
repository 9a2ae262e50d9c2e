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

    @property
    def is_anonymous(self) -> bool:
        return not (self.superuser or self.roles or self.token_id)

    def has_role(self, *roles: str) -> bool:
        return self.superuser or bool(self.roles.intersection(roles))


ANONYMOUS = Scope()


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
    for m in Membership.objects.filter(user=user).only(
        "role", "jurisdiction_id", "enterprise_id", "org_unit_id", "person_id"
    ):
        roles.add(m.role)
        if m.role in JURISDICTION_ROLES and m.jurisdiction_id:
            jurisdictions.add(m.jurisdiction_id)
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


def visible(scope: Scope, source: type[M] | QuerySet[M]) -> QuerySet[M]:
    """Narrow a model or queryset to the rows `scope` may see."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    query = _filter(scope, queryset.model)
    return queryset if query is None else queryset.filter(query)


def get_visible_or_404(scope: Scope, source: type[M] | QuerySet[M], **lookup: Any) -> M:
    try:
        return visible(scope, source).get(**lookup)
    except (ValueError, TypeError, ObjectDoesNotExist):
        raise Http404(NOT_FOUND) from None


def can_edit_enterprise(scope: Scope, enterprise: Enterprise) -> bool:
    """Enterprise admins and officers edit their own; park admins edit those in their park."""
    return (
        scope.superuser
        or enterprise.pk in scope.editor_enterprise_ids
        or enterprise.jurisdiction_id in scope.admin_jurisdiction_ids
    )


def require_edit_enterprise(scope: Scope, enterprise: Enterprise) -> None:
    if not can_edit_enterprise(scope, enterprise):
        raise PermissionDenied(NOT_ALLOWED)


def can_administer_jurisdiction(scope: Scope, jurisdiction: Jurisdiction) -> bool:
    return scope.superuser or jurisdiction.pk in scope.admin_jurisdiction_ids
