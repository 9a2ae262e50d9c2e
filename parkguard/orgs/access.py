"""The one place where ParkGuard decides who sees what.

Every queryset a page, API or admin serves goes through `visible()`; an object outside
the caller's scope is a 404 (`get_visible_or_404`). Models declare how they reach the
scope with class attributes, so a new model joins by naming its paths:

    scope_jurisdiction  path to the Jurisdiction (park/town) the row belongs to, or a tuple of
                        paths for a row owned either way (an enterprise's area through its
                        enterprise's park, a park's own area through the park)
    scope_enterprise    path to the Enterprise
    scope_enterprise_level  "member" if every member of the enterprise may see the row
                        (the enterprise itself, its org units); "staff" (default) if only its
                        administrators and epidemic officers may
    scope_org_unit      path to the OrgUnit, for team leaders
    scope_community     path to the community Jurisdiction, for community liaisons
    scope_person        path to the Person, for employees seeing their own file
    scope_user          path to the User, for rows that belong to one login (an inbox)
    scope_hosting_park  path to a park whose enterprises' officers may take actions whose grant
                        says `hosting` on the row (the park's own zones, read-only: issue 14)
    scope_enterprise_ref  a plain enterprise id (no relation): park roles reach the rows of
                        their parks' enterprises through it, in actions (the audit log)
    scope_actor_ref     a plain user id: for rows with neither enterprise nor jurisdiction
                        (a login), park roles reach those of users holding a role at the park
                        or at one of its enterprises, in actions (the audit log)
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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from parkguard.lib import hot_sql
from parkguard.orgs.choices import (
    COMMUNITY_ROLES,
    ENTERPRISE_EDITORS,
    ENTERPRISE_HOSTS,
    ENTERPRISE_ROLES,
    JURISDICTION_ROLES,
    PARK_EDITORS,
    JurisdictionKind,
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


_MEMBERSHIP_FIELDS = ("id", "role", "jurisdiction", "enterprise", "org_unit", "person")


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
    # `Membership.objects.filter(user=user).only(…)` as one pre-written read: every request
    # of a browser session asks it (lib/hot_sql.py).
    for m, _, _ in hot_sql.select_all(Membership, _MEMBERSHIP_FIELDS, "t.user_id = %s", [user.pk]):
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


def _paths(model: type[Model], name: str) -> tuple[str, ...]:
    """The model's scope paths of one kind: none, one, or several (a tuple)."""
    path = getattr(model, name, None)
    if not path:
        return ()
    return (path,) if isinstance(path, str) else tuple(path)


def _filter(scope: Scope, model: type[Model]) -> Q | None:
    """The row filter for `model` under `scope`; None means every row."""
    if scope.superuser:
        return None
    query = Q(pk__in=[])
    if scope.token_id is not None and not getattr(model, "scope_token_readable", False):
        return query
    if scope.jurisdiction_ids:
        for way in _paths(model, "scope_jurisdiction"):
            query |= Q(**{f"{way}__in": scope.jurisdiction_ids})
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
    path = getattr(model, "scope_user", None)
    if path and scope.user_id is not None:
        query |= Q(**{path: scope.user_id})
    return query


@dataclass(frozen=True)
class Grant:
    """Who may take an action: enterprise roles on rows of their enterprise, park roles on rows
    of their park (and everything under it)."""

    enterprise_roles: frozenset[str] = frozenset()
    park_roles: frozenset[str] = frozenset()
    # Also the caller's own rows (through `scope_person`): an employee reporting their own test.
    own: bool = False
    # Device tokens, on rows of the token's enterprise or park: write-only actions that a gate
    # device takes. Reads stay closed (`scope_token_readable`), so no personal data leaks.
    device_tokens: bool = False
    # Also rows of the caller\'s communities (through `scope_community`): a liaison\'s residents,
    # and what the park shares with the street and community (Z-3.2).
    community: bool = False
    # Also rows assigned to the caller's login (through `scope_user`): a disinfection task.
    assigned: bool = False
    # Also, for `enterprise_roles`, rows of the park hosting the caller's enterprise (through
    # `scope_hosting_park`): the park's own zones an officer reads to route people and goods.
    hosting: bool = False


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
    # Configure an enterprise's or a park's group-robot webhooks (URL, secret, kinds) and
    # send them a test message.
    "manage_webhooks": _EDITORS,
    # Park-only decisions: create enterprises, set the whitelist, review ID conflicts,
    # adopt rule packs, keep the park's supervising offices (H-3).
    "administer": _PARK_ADMIN,
    "review": _PARK_ADMIN,
    "adopt": _PARK_ADMIN,
    # Upload a rule pack a park admin wrote (validation, explanation, previews of the draft,
    # never in force), and propose or approve its publication: approval needs a second park
    # admin (the service refuses the proposer), issue 10 §3.
    "upload_pack": _PARK_ADMIN,
    "publish_pack": _PARK_ADMIN,
    # Read the audit log of one's enterprise or park.
    "read_audit": _EDITORS,
    # Export the audit search as CSV or .xlsx (masked as the page is, itself audited as
    # read_audit): park admins, over their park's entries only.
    "export_audit": _PARK_ADMIN,
    # Answer a pasted list of ID numbers (协查, issue 9 §2): which are in the caller's scope,
    # masked and audited. Enterprise officers and park staff, never a lower role.
    "assist_lookup": Grant(enterprise_roles=ENTERPRISE_EDITORS, park_roles=JURISDICTION_ROLES),
    # Show a resident's phone in full on the community roster, with a reason (audited): the
    # community's liaison (the roster is theirs) and the people who may reveal an ID number.
    "reveal_phone": Grant(
        enterprise_roles=ENTERPRISE_EDITORS, park_roles=PARK_EDITORS, community=True
    ),
    # Export a community's roster (masked, audited): its liaison.
    "export_roster": Grant(park_roles=PARK_EDITORS, community=True),
    # Health (issue 11). The daily declaration is the person's own (Z-5.2c).
    "declare": Grant(own=True),
    # Temperature readings at a gate, an office entrance or by hand (B-2.2b): officers,
    # guards and gate devices of the enterprise.
    "record_temperature": Grant(
        enterprise_roles=frozenset({Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_OFFICER, Role.GATE_GUARD}),
        device_tokens=True,
    ),
    # Sick leave, alerts, vaccination records and the signed daily summary: the officers.
    "manage_health": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    # Open an enterprise's health pages (today's board, alerts, coverage): its officers and
    # team leaders (who then see their own units only) and the park.
    "oversee_health": Grant(
        enterprise_roles=ENTERPRISE_EDITORS | {Role.TEAM_LEADER}, park_roles=JURISDICTION_ROLES
    ),
    # Tests (issue 11 §4, §5): plan rounds, take tubes, enter results, see antigen photos,
    # keep a lab's column mapping: the enterprise's officers.
    "manage_samples": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    # Import a lab's results: the enterprise's officers for their enterprise, the park admin,
    # and a lab's device token (a park token) for the enterprises of its park.
    "import_results": Grant(
        enterprise_roles=ENTERPRISE_EDITORS, park_roles=PARK_EDITORS, device_tokens=True
    ),
    # An employee reports their own antigen self-test (with a photo).
    "report_antigen": Grant(own=True),
    # Open the accounts pages of an enterprise or a park: list its logins, create accounts,
    # grant and remove roles, deactivate, reactivate, reset. Which roles and which accounts
    # is decided finer by the role ladder below (`grantable_roles`, `memberships_manageable`);
    # an officer takes part only for employee logins.
    # Propose a manual change of a person's entry status (hold, or release one hold), and
    # approve or refuse another person's proposal: never one's own (issue 18 §2).
    "override_status": _EDITORS,
    # Oversight (issue 16). Inspectors and park admins plan visits, record checklists and
    # findings, close or reopen rectification items and report refusing enterprises upward
    # (Z-6, J-2.4, H-5); the enterprise's officers answer with evidence; every park role
    # opens the park's ledger, its export and its notification list.
    "inspect": Grant(park_roles=frozenset({Role.INSPECTOR, Role.PARK_ADMIN})),
    "rectify": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    "oversee": Grant(park_roles=JURISDICTION_ROLES),
    # Applications for business events, gatherings and return to work (J-1.4, H-4.3b, B-2.1):
    # the enterprise's officers apply; the park's admins hold the route in the platform.
    "apply": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    "approve": _PARK_ADMIN,
    # Plans and drills (Z-4.1, J-2.2): an enterprise's officers submit its plan (一企一策,
    # "apply") and the park's admins approve or return it ("approve"); the park's admins write
    # the park's plan (一园一策, "administer") and a second admin approves it. Drills, their
    # gaps, training and publicity records: the enterprise's officers, park admins, inspectors.
    "manage_drills": Grant(
        enterprise_roles=ENTERPRISE_EDITORS, park_roles=PARK_EDITORS | {Role.INSPECTOR}
    ),
    # The hotline (B-3, L-3.1): every park role records calls and answers what it is given;
    # the park's admins assign; an enterprise's officers file its own requests and questions.
    "hotline": Grant(enterprise_roles=ENTERPRISE_EDITORS, park_roles=JURISDICTION_ROLES),
    "hotline_answer": Grant(park_roles=JURISDICTION_ROLES),
    "hotline_assign": _PARK_ADMIN,
    # The annual assessment of park cadres (Z-6 "纳入年度等次考核"): the park's admins see every
    # cadre of the park and export it; a cadre sees only their own record
    # (`assessment_cadres`); inspectors, enterprises and everyone else see none.
    "assess_cadres": _PARK_ADMIN,
    # Protective supplies and disinfection (issue 15): the officers keep the stock ledger and
    # the areas; the park sees every enterprise's cover; the person a disinfection task is
    # assigned to marks it done (or an officer does).
    "manage_supplies": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    "oversee_supplies": Grant(enterprise_roles=ENTERPRISE_EDITORS, park_roles=JURISDICTION_ROLES),
    "oversee_park_supplies": Grant(park_roles=JURISDICTION_ROLES),
    "manage_disinfection": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    "disinfect": Grant(enterprise_roles=ENTERPRISE_EDITORS, assigned=True),
    # Trucks (issue 15 §1, §2): the officers keep links and the register and may declare for a
    # carrier; the gate (guards too) checks crews, lets trucks in and records their exit.
    "manage_trucks": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    "gate_trucks": Grant(enterprise_roles=ENTERPRISE_EDITORS | {Role.GATE_GUARD}),
    # Transport passes (Z-5.3c, L-3.5): the park approves, refuses and revokes; any gate of the
    # park (guards, officers, park staff, gate devices) verifies a scanned pass.
    "approve_passes": _PARK_ADMIN,
    # Parcels and takeaway (Z-5.3d): the central store (officers, guards) logs, disinfects and
    # hands over; the addressee sees their own parcels and pick-up codes.
    "keep_parcels": Grant(enterprise_roles=ENTERPRISE_EDITORS | {Role.GATE_GUARD}),
    "verify_passes": Grant(
        enterprise_roles=ENTERPRISE_EDITORS | {Role.GATE_GUARD},
        park_roles=JURISDICTION_ROLES,
        device_tokens=True,
    ),
    "manage_accounts": Grant(
        enterprise_roles=frozenset({Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_OFFICER}),
        park_roles=PARK_EDITORS,
    ),
    # The key-population test ledger (Z-3.2): the park's, visible to park staff at any time
    # and shared with the community, whose liaison sees and exports its residents' rows.
    "view_test_ledger": Grant(park_roles=JURISDICTION_ROLES, community=True),
    "export_test_ledger": Grant(park_roles=JURISDICTION_ROLES, community=True),
    # The gate (issue 13). Check people at a gate (the kiosk, a device): the enterprise's
    # guards and officers, park staff at the park's gates, gate devices of the enterprise/park.
    "gate_check": Grant(
        enterprise_roles=frozenset({Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_OFFICER, Role.GATE_GUARD}),
        park_roles=JURISDICTION_ROLES,
        device_tokens=True,
    ),
    # Keep gates, place-code posters, printed and temporary passes: officers and park admins.
    "manage_gates": _EDITORS,
    # Read the access log (guards see their enterprise's, for the shift).
    "read_access_log": Grant(
        enterprise_roles=ENTERPRISE_EDITORS | {Role.GATE_GUARD}, park_roles=JURISDICTION_ROLES
    ),
    # One's own phone pass, and registering in or out with a place code (J-1.5a).
    "show_pass": Grant(own=True),
    # Mobility (issue 12). The park's risk-area register: park admins and cadres.
    "manage_risk_areas": Grant(park_roles=PARK_EDITORS | {Role.PARK_CADRE}),
    # File a trip, cancel it, declare a return, record what a plan asked: the person
    # themself (J-1.1), or the enterprise's officers for them.
    "file_trip": Grant(enterprise_roles=ENTERPRISE_EDITORS, own=True),
    # Update a trip's itinerary (J-1.1 动态掌握行程轨迹): the traveller alone. The itinerary
    # is what they tell the leader they will do (H-4.3); an officer may not rewrite it.
    "update_trip": Grant(own=True),
    # Approve or refuse a trip a pack makes wait for a leader (H-4.3 企业负责同志批准).
    "approve_trip": Grant(enterprise_roles=frozenset({Role.ENTERPRISE_ADMIN})),
    # Register a visitor before arrival (J-1.2): the host (an employee, for their own
    # visitors) or the enterprise's officers.
    "manage_visitors": Grant(enterprise_roles=ENTERPRISE_EDITORS, own=True),
    # Issue a visitor's temporary gate pass from the visitor board (J-1.2, issue 13 §1): the
    # enterprise's officers only; the host registers and may cancel the visit, not let it in.
    "issue_visitor_pass": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    # Zones and incidents (issue 14). Open an enterprise's zones, incidents and contacts:
    # its officers and the park's staff.
    "view_response": Grant(enterprise_roles=ENTERPRISE_EDITORS, park_roles=JURISDICTION_ROLES),
    # Keep areas and the isolation area, move people between zones (a manual move needs a
    # second person's approval, never one's own), confirm traced contacts: officers, park admins.
    "manage_zones": _EDITORS,
    # Open an incident and record its three first times and linkage tasks (Z-4.2).
    "manage_incidents": _EDITORS,
    # Open a park's own zones and site plan (issue 14 §1, L-4.4): the park's staff, and the
    # officers of the park's enterprises read-only (where the park's hand-over and isolation
    # points, shared buffers and separated zones are, and their colours; head counts only of
    # people they see). Editing them is `manage_zones` on the park: its admins only.
    "view_park_zones": Grant(
        enterprise_roles=ENTERPRISE_EDITORS, park_roles=JURISDICTION_ROLES, hosting=True
    ),
    # Production continuity (issue 17 §2, §4). Open an enterprise's closed-loop and key-post
    # pages: its officers and the park's staff.
    "oversee_continuity": Grant(enterprise_roles=ENTERPRISE_EDITORS, park_roles=JURISDICTION_ROLES),
    # Switch the closed-loop plan on and off, keep who is inside and the day's living support
    # (Z-5.0, Z-5.3f): the enterprise's officers and the park admin.
    "manage_closed_loop": _EDITORS,
    # Key posts and processes, their staff, backups, rota and leave (Z-5.2d, J-2.5).
    "manage_key_posts": _EDITORS,
    # Report a water, power or gas fault (L-2.3): an enterprise's officers, the park's staff;
    # the park sends the repair team and records the repair.
    "report_fault": Grant(enterprise_roles=ENTERPRISE_EDITORS, park_roles=JURISDICTION_ROLES),
    "repair_faults": Grant(park_roles=PARK_EDITORS | {Role.PARK_CADRE}),
    # Lockdown command (issue 17, L-3.0, L-3.1, L-4.4b, L-3.2). A county's or park's admins
    # order and lift lockdowns, issue passes and keep the duty rosters; every park role opens
    # the lockdown board; park staff on a checkpoint's roster report its arrival and closure
    # (the roster is checked in the service); park staff count needs and record deliveries.
    "command_lockdown": _PARK_ADMIN,
    "view_command": Grant(park_roles=JURISDICTION_ROLES),
    "report_checkpoint": Grant(park_roles=JURISDICTION_ROLES),
    "manage_rosters": _PARK_ADMIN,
    # Hand a shift over: the person on duty (their own shift) or the park's admins.
    "hand_over": Grant(park_roles=PARK_EDITORS, assigned=True),
    "living_supplies": Grant(park_roles=JURISDICTION_ROLES),
    # The daily report up the chain (L-4.3, issue 17 §7): the township's or park's admin
    # pre-fills, reviews, corrects and submits it; park staff of the unit and of the county
    # above it read the report, the roll-up and the command board (§8), print and export them.
    "prepare_report": _PARK_ADMIN,
    "view_reports": Grant(park_roles=JURISDICTION_ROLES),
    # Subject rights (issue 18 §4): the person alone sees their own access log, downloads
    # their record and files a correction request; an officer of their enterprise answers.
    "view_own_record": Grant(own=True),
    "request_correction": Grant(own=True),
    "answer_correction": Grant(enterprise_roles=ENTERPRISE_EDITORS),
    # Overdue correction requests of the park's enterprises (issue 18 §4).
    "oversee_corrections": Grant(enterprise_roles=ENTERPRISE_EDITORS, park_roles=PARK_EDITORS),
    # The end-of-emergency purge (issue 18 §5): one park admin proposes, another approves.
    "purge_data": _PARK_ADMIN,
}


def _action_filter(scope: Scope, model: type[Model], action: str) -> Q | None:
    grant = ACTIONS[action]  # an unknown action is a programming error, loudly
    if scope.superuser:
        return None
    query = Q(pk__in=[])
    if scope.token_id is not None:
        # Devices read; they act only through their own endpoints, on actions that name them.
        if grant.device_tokens:
            path = getattr(model, "scope_enterprise", None)
            if path and scope.staff_enterprise_ids:
                query |= Q(**{f"{path}__in": scope.staff_enterprise_ids})
            if scope.jurisdiction_ids:
                for way in _paths(model, "scope_jurisdiction"):
                    query |= Q(**{f"{way}__in": scope.jurisdiction_ids})
        return query
    path = getattr(model, "scope_enterprise", None)
    ids = scope.enterprise_ids_with(grant.enterprise_roles) if grant.enterprise_roles else None
    if path and ids:
        query |= Q(**{f"{path}__in": ids})
    path = getattr(model, "scope_hosting_park", None)
    if grant.hosting and path and ids:
        hosts = Enterprise.objects.filter(pk__in=ids).values("jurisdiction_id")
        query |= Q(**{f"{path}__in": hosts})
    ids = scope.jurisdiction_ids_with(grant.park_roles) if grant.park_roles else None
    if ids:
        for way in _paths(model, "scope_jurisdiction"):
            query |= Q(**{f"{way}__in": ids})
        query |= _park_ref_filter(model, ids)
    path = getattr(model, "scope_person", None)
    if grant.own and path and scope.person_ids:
        query |= Q(**{f"{path}__in": scope.person_ids})
    path = getattr(model, "scope_community", None)
    if grant.community and path and scope.community_ids:
        query |= Q(**{f"{path}__in": scope.community_ids})
    path = getattr(model, "scope_user", None)
    if grant.assigned and path and scope.user_id is not None:
        query |= Q(**{path: scope.user_id})
    return query


def _park_ref_filter(model: type[Model], park_ids: frozenset[int]) -> Q:
    """Rows a park role reaches through plain ids rather than a path (the audit log):

    - `scope_enterprise_ref`: an enterprise id; the park reaches the rows of its enterprises;
    - `scope_actor_ref`: a user id, for rows with no enterprise and no jurisdiction (a login):
      the park reaches those of users holding a role at it or at one of its enterprises.
    A failed login names no user and so reaches no park (superusers only)."""
    query = Q(pk__in=[])
    enterprise_path = getattr(model, "scope_enterprise_ref", None)
    if enterprise_path:
        enterprises = Enterprise.objects.filter(jurisdiction_id__in=park_ids).values("pk")
        query |= Q(**{f"{enterprise_path}__in": enterprises})
    actor_path = getattr(model, "scope_actor_ref", None)
    jurisdiction_path = getattr(model, "scope_jurisdiction", None)
    if actor_path and enterprise_path and jurisdiction_path:
        members = Membership.objects.filter(
            Q(jurisdiction_id__in=park_ids) | Q(enterprise__jurisdiction_id__in=park_ids)
        ).values("user_id")
        query |= Q(
            **{
                f"{enterprise_path}__isnull": True,
                f"{jurisdiction_path}__isnull": True,
                f"{actor_path}__in": members,
            }
        )
    return query


def visible(scope: Scope, source: type[M] | QuerySet[M], action: str = "view") -> QuerySet[M]:
    """Narrow a model or queryset to the rows `scope` may see, or take `action` on."""
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    if action == "view":
        query = _filter(scope, queryset.model)
    else:
        query = _action_filter(scope, queryset.model, action)
    return queryset if query is None else queryset.filter(query)


def visible_pks(scope: Scope, model: type[Model], action: str = "view") -> frozenset[int] | None:
    """The primary keys of the `model` rows `scope` may see (or take `action` on), as
    `visible()` narrows them; None means every row (a superuser). When the filter names the
    rows' own keys (a jurisdiction under a park role: `scope_jurisdiction = "id"`) they are
    read from the filter itself, with no query and no compiling; otherwise one query through
    `visible()`. For a hot read that puts the keys into its own statement (the roll-up)."""
    query = _filter(scope, model) if action == "view" else _action_filter(scope, model, action)
    if query is None:
        return None
    found = _own_pks(query, model)
    if found is None:
        found = frozenset(visible(scope, model, action).values_list("pk", flat=True))
    return found


def _own_pks(query: Q, model: type[Model]) -> frozenset[int] | None:
    """The keys `query` admits if it is an OR of `pk`/`<pk name>` lookups (exact or `__in`),
    else None (the filter reaches through a relation: ask the database)."""
    if query.negated or (query.connector != Q.OR and len(query.children) > 1):
        return None
    names = {"pk", model._meta.pk.name}
    found: set[int] = set()
    for child in query.children:
        if isinstance(child, Q):
            inner = _own_pks(child, model)
            if inner is None:
                return None
            found |= inner
            continue
        if not isinstance(child, tuple):
            return None
        lookup, value = child
        values = [value] if lookup in names else None
        if lookup.endswith("__in") and lookup[: -len("__in")] in names:
            values = list(value)
        if values is None or not all(isinstance(v, int) for v in values):
            return None
        found.update(values)
    return frozenset(found)


def get_visible_or_404(
    scope: Scope, source: type[M] | QuerySet[M], action: str = "view", **lookup: Any
) -> M:
    try:
        row = visible(scope, source, action).get(**lookup)
    except (ValueError, TypeError, OverflowError, ObjectDoesNotExist):
        # An id beyond the database's integer range (OverflowError) names nothing either.
        raise Http404(NOT_FOUND) from None
    # The row was just read through the scope's filter for this action: a service's
    # `require(scope, action, row)` on it asks the database nothing more.
    row.__dict__[_GRANTED] = (scope, action)
    return row


_GRANTED = "_access_granted"

# The scope paths a model may declare (see the module docstring).
SCOPE_PATHS = (
    "scope_jurisdiction",
    "scope_enterprise",
    "scope_org_unit",
    "scope_community",
    "scope_person",
    "scope_user",
)


def _path_values(obj: Model, related: Mapping[str, Any]) -> dict[str, Any]:
    """The value of each scope path `obj`'s model declares: a path naming one of its own
    fields is read from `obj` (a foreign key's `_id`, "id" the primary key); a path through a
    relation ("enterprise__jurisdiction") must be in `related`, else KeyError (loudly: a hot
    read that forgot a path would otherwise decide on less than `visible()` does)."""
    meta = obj._meta
    model = type(obj)
    # `_row_allows` mirrors `_action_filter` for single-path models only: several jurisdiction
    # paths, the hosting park and the plain-id references (the audit log) are not mirrored.
    if not isinstance(getattr(model, "scope_jurisdiction", ""), str) or any(
        getattr(model, attr, None)
        for attr in ("scope_hosting_park", "scope_enterprise_ref", "scope_actor_ref")
    ):
        raise TypeError(f"{model.__name__}: no row grant without a query; use can()")
    values: dict[str, Any] = {}
    for attr in SCOPE_PATHS:
        path = getattr(type(obj), attr, None)
        if not path or path in values:
            continue
        if "__" in path:
            values[path] = related[path]
        elif path in {"pk", meta.pk.name}:
            values[path] = obj.pk
        else:
            values[path] = getattr(obj, meta.get_field(path).attname)  # type: ignore[union-attr]
    return values


def _row_allows(scope: Scope, model: type[Model], action: str, values: Mapping[str, Any]) -> bool:
    """`_action_filter(scope, model, action)` evaluated in Python on one row's path values:
    the same branches in the same order, so the two agree (tests/orgs/test_row_grant.py checks
    them against each other for every action and persona)."""
    grant = ACTIONS[action]
    if scope.superuser:
        return True

    def member(attr: str, ids: frozenset[int] | None) -> bool:
        path = getattr(model, attr, None)
        return bool(path and ids and values[path] in ids)

    if scope.token_id is not None:
        return grant.device_tokens and (
            member("scope_enterprise", scope.staff_enterprise_ids)
            or member("scope_jurisdiction", scope.jurisdiction_ids)
        )
    if grant.enterprise_roles and member(
        "scope_enterprise", scope.enterprise_ids_with(grant.enterprise_roles)
    ):
        return True
    if grant.park_roles and member(
        "scope_jurisdiction", scope.jurisdiction_ids_with(grant.park_roles)
    ):
        return True
    if grant.own and member("scope_person", scope.person_ids):
        return True
    if grant.community and member("scope_community", scope.community_ids):
        return True
    path = getattr(model, "scope_user", None)
    return bool(
        grant.assigned and path and scope.user_id is not None and values[path] == scope.user_id
    )


def can_row(
    scope: Scope, action: str, obj: Model, related: Mapping[str, Any] | None = None
) -> bool:
    """`can()` without a query, for a hot path that read `obj` by its own statement: decided on
    the row's scope-path values (`related` holds those reached through a relation, which the
    statement joined in). Only for actions, not the "view" read scope."""
    return _row_allows(scope, type(obj), action, _path_values(obj, related or {}))


def grant_row_or_404(
    scope: Scope, action: str, obj: M | None, related: Mapping[str, Any] | None = None
) -> M:
    """`get_visible_or_404(scope, Model, action, pk=…)` for a row a hot path read itself: a 404
    unless `scope` may take `action` on it (`can_row`); the row is then marked granted, so the
    service's `require(scope, action, obj)` asks nothing more."""
    if obj is None or not can_row(scope, action, obj, related):
        raise Http404(NOT_FOUND)
    obj.__dict__[_GRANTED] = (scope, action)
    return obj


def can(scope: Scope, action: str, obj: Model) -> bool:
    """May `scope` take `action` on `obj`? One indexed query (none for a row this scope read
    with `get_visible_or_404` for this action); superusers may do anything."""
    if scope.superuser:
        return True
    granted = obj.__dict__.get(_GRANTED)
    if granted is not None and granted[0] is scope and granted[1] == action:
        return True
    return visible(scope, type(obj), action).filter(pk=obj.pk).exists()


def may_at_all(scope: Scope, action: str) -> bool:
    """Whether `scope` holds any role the action's grant names (for actions on no one row,
    such as a pasted lookup, whose rows are then narrowed by `visible()`)."""
    if scope.superuser:
        return True
    if scope.token_id is not None:
        return False
    grant = ACTIONS[action]
    return bool(scope.roles & (grant.enterprise_roles | grant.park_roles))


def require_at_all(scope: Scope, action: str) -> None:
    if not may_at_all(scope, action):
        raise PermissionDenied(NOT_ALLOWED)


def require(scope: Scope, action: str, obj: Model) -> None:
    """Raise 403 unless `scope` may take `action` on `obj`. Services call this before writing."""
    if not can(scope, action, obj):
        raise PermissionDenied(NOT_ALLOWED)


def require_row(
    scope: Scope, action: str, obj: Model, related: Mapping[str, Any] | None = None
) -> None:
    """`require()` without a query, for a hot service whose caller read `obj` (and the values
    of its scope paths through a relation, `related`) itself: 403 unless `can_row`."""
    if not can_row(scope, action, obj, related):
        raise PermissionDenied(NOT_ALLOWED)


# The role ladder: the roles each role may grant, always strictly below its own and only at
# its own place (the park and its enterprises; the enterprise). A park admin appoints park
# staff, community liaisons for the communities of its county, and every enterprise role in
# its enterprises (the "creates an enterprise, its admin and officer"). An enterprise
# admin appoints officers, team leaders, gate guards and employees. An epidemic officer hands
# out employee logins (activation codes) and nothing more: team leaders and gate guards see
# other people's data, so appointing them is the enterprise admin's decision. Nobody grants
# park_admin but a superuser, and nobody grants their own role.
ROLE_LADDER: dict[str, frozenset[str]] = {
    Role.PARK_ADMIN: frozenset({Role.PARK_CADRE, Role.INSPECTOR, Role.COMMUNITY_LIAISON})
    | ENTERPRISE_ROLES,
    Role.ENTERPRISE_ADMIN: frozenset(
        {Role.EPIDEMIC_OFFICER, Role.TEAM_LEADER, Role.GATE_GUARD, Role.EMPLOYEE}
    ),
    Role.EPIDEMIC_OFFICER: frozenset({Role.EMPLOYEE}),
}
# Park roles held at a park (or a town acting as one), as opposed to a community.
PARK_STAFF_ROLES = frozenset({Role.PARK_CADRE, Role.INSPECTOR})


def _admin_county_roots(scope: Scope) -> tuple[str, ...]:
    """Path prefixes of the counties holding the caller's parks (where its liaisons may be)."""
    parks = scope.jurisdiction_ids_by_role.get(Role.PARK_ADMIN, frozenset())
    if not parks:
        return ()
    paths = Jurisdiction.objects.filter(pk__in=parks).values_list("path", flat=True)
    return tuple(sorted({"/" + p.strip("/").split("/")[0] + "/" for p in paths}))


@dataclass(frozen=True)
class _Reach:
    """Some roles, at some places: one line of what a caller may grant."""

    roles: frozenset[str]
    enterprise_ids: frozenset[int] = frozenset()  # at these enterprises
    enterprise_park_ids: frozenset[int] = frozenset()  # at the enterprises of these parks
    jurisdiction_ids: frozenset[int] = frozenset()  # at these jurisdictions
    path_roots: tuple[str, ...] = ()  # at the jurisdictions under these paths

    def query(self) -> Q:
        where = Q(pk__in=[])
        if self.enterprise_ids:
            where |= Q(enterprise_id__in=self.enterprise_ids)
        if self.enterprise_park_ids:
            where |= Q(enterprise__jurisdiction_id__in=self.enterprise_park_ids)
        if self.jurisdiction_ids:
            where |= Q(jurisdiction_id__in=self.jurisdiction_ids)
        for root in self.path_roots:
            where |= Q(jurisdiction__path__startswith=root)
        return Q(role__in=self.roles) & where

    def covers(self, role: str, target: Enterprise | Jurisdiction) -> bool:
        if role not in self.roles:
            return False
        if isinstance(target, Enterprise):
            return (
                target.pk in self.enterprise_ids
                or target.jurisdiction_id in self.enterprise_park_ids
            )
        return target.pk in self.jurisdiction_ids or any(
            target.path.startswith(root) for root in self.path_roots
        )


def _reaches(scope: Scope) -> list[_Reach]:
    """What the caller may grant, from the ladder and the places where it holds its roles."""
    if scope.token_id is not None:
        return []  # devices never manage accounts
    reaches = []
    for enterprise_id, held in scope.roles_by_enterprise.items():
        roles: set[str] = set()
        for role in held:
            roles |= ROLE_LADDER.get(role, frozenset())
        if roles & ENTERPRISE_ROLES:
            reaches.append(
                _Reach(
                    frozenset(roles & ENTERPRISE_ROLES), enterprise_ids=frozenset({enterprise_id})
                )
            )
    parks = scope.jurisdiction_ids_by_role.get(Role.PARK_ADMIN, frozenset())
    if parks:
        ladder = ROLE_LADDER[Role.PARK_ADMIN]
        reaches.append(_Reach(ladder & ENTERPRISE_ROLES, enterprise_park_ids=parks))
        reaches.append(_Reach(ladder & PARK_STAFF_ROLES, jurisdiction_ids=parks))
        reaches.append(_Reach(ladder & COMMUNITY_ROLES, path_roots=_admin_county_roots(scope)))
    return reaches


def _grant_query(scope: Scope) -> Q | None:
    """Memberships (a role at a place) the caller may grant or remove; None means all."""
    if scope.superuser:
        return None
    query = Q(pk__in=[])
    for reach in _reaches(scope):
        query |= reach.query()
    return query


def _place_roles(target: Enterprise | Jurisdiction) -> frozenset[str]:
    """The roles that can be held at `target` at all."""
    if isinstance(target, Enterprise):
        return ENTERPRISE_ROLES
    if target.kind == JurisdictionKind.COMMUNITY:
        return COMMUNITY_ROLES
    if target.kind in ENTERPRISE_HOSTS:
        return JURISDICTION_ROLES
    return frozenset()


def grantable_roles(scope: Scope, target: Enterprise | Jurisdiction) -> frozenset[str]:
    """The roles `scope` may grant (or remove) at `target`, an enterprise or a jurisdiction.

    The one answer to "may I give this role here?": services call it before every grant
    and removal; pages offer only these roles.
    """
    possible = _place_roles(target)
    if scope.superuser:
        return possible
    found = {role for reach in _reaches(scope) for role in possible if reach.covers(role, target)}
    return frozenset(found)


def can_grant(scope: Scope, role: str, target: Enterprise | Jurisdiction) -> bool:
    return role in grantable_roles(scope, target)


def memberships_manageable(
    scope: Scope, source: type[Membership] | QuerySet[Membership] = Membership
) -> QuerySet[Membership]:
    """The role grants the caller may see and remove: those it could grant itself."""
    queryset = source if isinstance(source, QuerySet) else Membership.objects.all()
    query = _grant_query(scope)
    return queryset if query is None else queryset.filter(query)


def users_manageable(scope: Scope, source: QuerySet[User] | None = None) -> QuerySet[User]:
    """Accounts the caller may see, deactivate, reactivate and reset: every role the account
    holds is one the caller could grant. An account that also holds a role elsewhere (another
    enterprise, or a role above the caller's) is not the caller's to switch off."""
    queryset = source if source is not None else User.objects.all()
    query = _grant_query(scope)
    if query is None:
        return queryset
    if scope.is_anonymous or scope.token_id is not None:
        return queryset.none()
    mine = Membership.objects.filter(query).values("user_id")
    others = Membership.objects.exclude(query).values("user_id")
    found = queryset.filter(pk__in=mine).exclude(pk__in=others).exclude(is_superuser=True)
    # Nobody switches off or resets their own account here.
    return found.exclude(pk=scope.user_id) if scope.user_id is not None else found


def can_manage_account(scope: Scope, user: User) -> bool:
    if scope.superuser:
        return True
    return users_manageable(scope, User.objects.filter(pk=user.pk)).exists()


def can_edit_enterprise(scope: Scope, enterprise: Enterprise) -> bool:
    """Enterprise admins and officers edit their own; park admins edit those in their park."""
    return can(scope, "change", enterprise)


def require_edit_enterprise(scope: Scope, enterprise: Enterprise) -> None:
    require(scope, "change", enterprise)


def id_tail_search_enterprises(scope: Scope) -> QuerySet[Enterprise]:
    """Enterprises whose staff the caller may find by ID digits the mask hides (issue 18).

    A search by the last 4 or 6 digits confirms a guess of digits the mask does not show, so it
    is a reveal without a reason or an audit entry: only where the caller may reveal anyway."""
    return visible(scope, Enterprise, action="reveal")


def second_factor_required(scope: Scope) -> bool:
    """Must this caller pass a TOTP code after the password (issue 18 §3)?

    Park and enterprise admins, and everyone whose role may reveal an ID number in full.
    Device tokens and the anonymous never log in with a password, so never."""
    if scope.token_id is not None or scope.is_anonymous:
        return False
    if scope.superuser:
        return True
    reveal = ACTIONS["reveal"]
    roles = PARK_EDITORS | {Role.ENTERPRISE_ADMIN} | reveal.enterprise_roles | reveal.park_roles
    return bool(scope.roles & roles)


def assessment_cadres(scope: Scope, park: Jurisdiction) -> QuerySet[User]:
    """The cadres whose annual assessment the caller may see in `park`: every park cadre of it
    for its admins ("assess_cadres"), the caller alone for a cadre of it, else none."""
    cadres = User.objects.filter(
        memberships__role=Role.PARK_CADRE, memberships__jurisdiction=park
    ).distinct()
    if scope.token_id is not None:
        return cadres.none()
    if can(scope, "assess_cadres", park):
        return cadres.order_by("pk")
    if park.pk in scope.jurisdiction_ids_with(frozenset({Role.PARK_CADRE})):
        return cadres.filter(pk=scope.user_id or 0)
    return cadres.none()
