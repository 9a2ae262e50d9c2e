"""Reads of the organisation app; the caller's scope always comes first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from parkguard.lib.redact import login_label
from parkguard.orgs.access import (
    NOT_FOUND,
    Scope,
    can_manage_account,
    grantable_roles,
    memberships_manageable,
    users_manageable,
    visible,
)
from parkguard.orgs.choices import ENTERPRISE_HOSTS, JURISDICTION_ROLES, JurisdictionKind, Role
from parkguard.orgs.models import (
    AccountActivation,
    Enterprise,
    Jurisdiction,
    Membership,
    OrgUnit,
    SupervisionOffice,
)


def names_visible(scope: Scope) -> bool:
    """Whether the caller may read people's names (legal representative, unit heads).

    Device tokens (gates, labs) read no personal data at all, names included (issue 8 §4).
    """
    return scope.token_id is None


def enterprise_list(*, scope: Scope, search: str = "") -> QuerySet[Enterprise]:
    """Enterprises the caller may see, by name."""
    queryset = visible(scope, Enterprise).select_related("jurisdiction", "supervision_office")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(credit_code__icontains=search))
    return queryset.order_by("name")


def office_hosts(*, scope: Scope) -> QuerySet[Jurisdiction]:
    """Parks (and towns or streets acting as parks) whose supervising offices the caller sees."""
    return visible(scope, Jurisdiction).filter(kind__in=ENTERPRISE_HOSTS).order_by("name")


def supervision_offices(*, scope: Scope, jurisdiction: Jurisdiction) -> QuerySet[SupervisionOffice]:
    """A park's supervising offices (H-3), each with `enterprise_count` of those it supervises."""
    return (
        visible(scope, SupervisionOffice)
        .filter(jurisdiction=jurisdiction)
        .annotate(enterprise_count=Count("enterprises"))
        .order_by("order", "name")
    )


def offices_for_hosts(hosts: QuerySet[Jurisdiction]) -> QuerySet[SupervisionOffice]:
    """Offices an enterprise of one of these parks may name: the park's, or its town's."""
    paths = list(hosts.values_list("path", flat=True))
    ancestors = {int(pk) for path in paths for pk in path.strip("/").split("/") if pk}
    return (
        SupervisionOffice.objects.filter(jurisdiction_id__in=ancestors)
        .select_related("jurisdiction")
        .order_by("jurisdiction__name", "order", "name")
    )


def county_root_path(*, enterprise: Enterprise) -> str:
    """The path prefix of the enterprise's county: its people live in communities under it."""
    return "/{}/".format(enterprise.jurisdiction.path.split("/")[1])


def enterprise_places(*, enterprise: Enterprise) -> QuerySet[Jurisdiction]:
    """Communities and grids an enterprise's people may live in: those of its own county."""
    return Jurisdiction.objects.filter(
        path__startswith=county_root_path(enterprise=enterprise),
        kind__in=[JurisdictionKind.COMMUNITY, JurisdictionKind.GRID],
    )


UNIT_PATH_SEPARATOR = "/"


def unit_paths(*, enterprise_ids: Iterable[int]) -> dict[int, str]:
    """Every org unit of these enterprises as its path from the top: 生产部/一车间/甲班.

    One query for all the units; how filters, the personal file, exports, prints and the
    import template name a unit, so the same unit always reads the same.
    """
    rows = list(
        OrgUnit.objects.filter(enterprise_id__in=list(enterprise_ids)).values_list(
            "id", "parent_id", "name"
        )
    )
    by_id = {pk: (parent, name) for pk, parent, name in rows}
    paths: dict[int, str] = {}
    for pk in by_id:
        names: list[str] = []
        node: int | None = pk
        seen: set[int] = set()
        while node is not None and node in by_id and node not in seen:
            seen.add(node)
            parent, name = by_id[node]
            names.append(name)
            node = parent
        paths[pk] = UNIT_PATH_SEPARATOR.join(reversed(names))
    return paths


@dataclass(frozen=True)
class CommunityPlaces:
    """A community and its grids, as the template, the import and the places page list them."""

    community: Jurisdiction
    grids: list[Jurisdiction]


def enterprise_place_tree(*, enterprise: Enterprise) -> list[CommunityPlaces]:
    """The communities (with their grids) an enterprise's people may live in, by name."""
    return county_place_tree(root_path=county_root_path(enterprise=enterprise))


def county_place_tree(*, root_path: str) -> list[CommunityPlaces]:
    places = list(
        Jurisdiction.objects.filter(
            path__startswith=root_path,
            kind__in=[JurisdictionKind.COMMUNITY, JurisdictionKind.GRID],
        )
        .select_related("parent")
        .order_by("name", "id")
    )
    grids: dict[int, list[Jurisdiction]] = {}
    for place in places:
        if place.kind == JurisdictionKind.GRID and place.parent_id is not None:
            grids.setdefault(place.parent_id, []).append(place)
    return [
        CommunityPlaces(community=c, grids=grids.get(c.pk, []))
        for c in places
        if c.kind == JurisdictionKind.COMMUNITY
    ]


def park_county_path(*, park: Jurisdiction) -> str:
    """The path prefix of the county a park belongs to (its communities live under it)."""
    return "/{}/".format(park.path.split("/")[1])


def community_hosts(*, park: Jurisdiction) -> QuerySet[Jurisdiction]:
    """Towns and streets of the park's county: where a new community may be added."""
    return Jurisdiction.objects.filter(
        path__startswith=park_county_path(park=park),
        kind__in=[JurisdictionKind.TOWN, JurisdictionKind.STREET],
    ).order_by("name")


def parks_of(*, scope: Scope) -> QuerySet[Jurisdiction]:
    """Parks (and towns acting as parks) the caller oversees through a park role."""
    if not (scope.superuser or scope.roles.intersection(JURISDICTION_ROLES) or scope.token_id):
        return Jurisdiction.objects.none()
    return (
        visible(scope, Jurisdiction)
        .filter(kind__in=ENTERPRISE_HOSTS, enterprises__isnull=False)
        .distinct()
        .order_by("name")
    )


@dataclass
class UnitNode:
    unit: OrgUnit
    children: list[UnitNode]
    headcount: int | None


def org_unit_tree(
    *, scope: Scope, enterprise: Enterprise, headcounts: dict[int, int] | None = None
) -> list[UnitNode]:
    """The enterprise's units as a tree; `headcounts` (unit id → people) come from the ledger."""
    units = list(visible(scope, OrgUnit).filter(enterprise=enterprise).order_by("name"))
    nodes = {
        u.pk: UnitNode(
            unit=u,
            children=[],
            headcount=None if headcounts is None else headcounts.get(u.pk, 0),
        )
        for u in units
    }
    roots: list[UnitNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(nodes[unit.pk])
    return roots


@dataclass(frozen=True)
class AccountRow:
    """One account as a manager sees it: the roles it may manage, and the account's state."""

    user: User
    memberships: list[Membership]
    pending_until: dt.datetime | None
    manageable: bool

    @property
    def login_shown(self) -> str:
        # A phone number used as login name is masked on screens like any phone number.
        return login_label(self.user.get_username())

    @property
    def state(self) -> str:
        if not self.user.is_active:
            return "已停用"
        if self.pending_until is not None:
            return "待激活"
        return "已启用" if self.user.has_usable_password() else "未激活"


def _open_codes(user_ids: Iterable[int]) -> dict[int, dt.datetime]:
    rows = AccountActivation.objects.filter(
        user_id__in=list(user_ids), used_at__isnull=True, voided_at__isnull=True
    ).values_list("user_id", "expires_at")
    return dict(rows)


def account_rows(
    *, scope: Scope, place: Enterprise | Jurisdiction, role: str = "", pending_only: bool = False
) -> list[AccountRow]:
    """Accounts holding a role the caller manages at `place` (for a park: its staff and the
    liaisons of its county), in a fixed number of queries."""
    grants = memberships_manageable(scope).select_related(
        "user", "org_unit", "jurisdiction", "enterprise"
    )
    if isinstance(place, Enterprise):
        grants = grants.filter(enterprise=place)
    else:
        county = "/" + place.path.strip("/").split("/")[0] + "/"
        grants = grants.filter(
            Q(jurisdiction=place)
            | Q(role=Role.COMMUNITY_LIAISON, jurisdiction__path__startswith=county)
        )
    if role:
        grants = grants.filter(role=role)
    by_user: dict[int, list[Membership]] = {}
    users: dict[int, User] = {}
    for m in grants.order_by("user__first_name", "user__username", "role"):
        by_user.setdefault(m.user_id, []).append(m)
        users[m.user_id] = m.user
    codes = _open_codes(users)
    manageable = set(
        users_manageable(scope, User.objects.filter(pk__in=list(users))).values_list(
            "pk", flat=True
        )
    )
    rows = [
        AccountRow(
            user=users[pk],
            memberships=by_user[pk],
            pending_until=codes.get(pk),
            manageable=pk in manageable,
        )
        for pk in users
    ]
    if pending_only:
        rows = [r for r in rows if r.pending_until is not None and r.user.is_active]
    return rows


def account_get(*, scope: Scope, user_id: int) -> AccountRow:
    """One account the caller manages a role of; anything else is a 404."""
    try:
        grants = list(
            memberships_manageable(scope)
            .filter(user_id=user_id)
            .select_related(
                "user", "org_unit", "jurisdiction", "enterprise", "enterprise__jurisdiction"
            )
            .order_by("role")
        )
    except OverflowError:  # an id beyond the database's integer range names nobody
        raise Http404(NOT_FOUND) from None
    if not grants:
        raise Http404(NOT_FOUND)
    user = grants[0].user
    return AccountRow(
        user=user,
        memberships=grants,
        pending_until=_open_codes([user.pk]).get(user.pk),
        manageable=can_manage_account(scope, user),
    )


def account_parks(*, scope: Scope) -> QuerySet[Jurisdiction]:
    """Parks whose staff accounts the caller manages."""
    return visible(scope, Jurisdiction, "manage_accounts").filter(kind__in=ENTERPRISE_HOSTS)


def account_enterprises(*, scope: Scope) -> QuerySet[Enterprise]:
    """Enterprises whose accounts the caller manages (an officer: its employee logins)."""
    return (
        visible(scope, Enterprise, "manage_accounts")
        .select_related("jurisdiction")
        .order_by("name")
    )


def liaison_communities_grantable(*, scope: Scope, park: Jurisdiction) -> list[Jurisdiction]:
    """Communities of the park's county where the caller may appoint a liaison."""
    root = "/" + park.path.strip("/").split("/")[0] + "/"
    communities = Jurisdiction.objects.filter(
        kind=JurisdictionKind.COMMUNITY, path__startswith=root
    ).order_by("name")
    return [c for c in communities if Role.COMMUNITY_LIAISON in grantable_roles(scope, c)]
