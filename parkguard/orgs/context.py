"""Template context: the navigation a user's roles open to them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parkguard.orgs.access import ACTIONS, scope_of
from parkguard.orgs.choices import ENTERPRISE_EDITORS, JURISDICTION_ROLES, Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    scope = scope_of(request)
    return {
        "nav": {
            "park": scope.superuser or bool(scope.roles.intersection(JURISDICTION_ROLES)),
            "enterprises": not scope.roles <= {Role.EMPLOYEE},
            "ledger": scope.superuser
            or bool(scope.roles.intersection(JURISDICTION_ROLES | ENTERPRISE_EDITORS))
            or Role.COMMUNITY_LIAISON in scope.roles
            or Role.TEAM_LEADER in scope.roles,
            "admin": request.user.is_staff,
            # Daily health: an employee's declaration, an officer's board, the park's coverage.
            "health": scope.superuser or bool(scope.roles - {Role.COMMUNITY_LIAISON}),
            # The gate: a guard's kiosk and log, an employee's pass, an officer's gates.
            "gate": scope.superuser or bool(scope.roles - {Role.COMMUNITY_LIAISON}),
            # Park admins, enterprise admins and officers manage accounts (orgs.access).
            "accounts": scope.superuser
            or bool(scope.jurisdiction_ids_with(ACTIONS["manage_accounts"].park_roles))
            or bool(scope.enterprise_ids_with(ACTIONS["manage_accounts"].enterprise_roles)),
            "tokens": scope.superuser
            or bool(scope.editor_enterprise_ids or scope.admin_jurisdiction_ids),
            # Group robots are configured by the same roles (ACTIONS["manage_webhooks"]); the
            # unread count comes from notify's own context processor (orgs imports no app).
            "webhooks": scope.superuser
            or bool(scope.editor_enterprise_ids or scope.admin_jurisdiction_ids),
            # Inspections and the rectification ledger (issue 16): park staff inspect and
            # oversee, enterprise officers answer their items.
            "oversight": scope.superuser
            or bool(scope.jurisdiction_ids_with(ACTIONS["oversee"].park_roles))
            or bool(scope.enterprise_ids_with(ACTIONS["rectify"].enterprise_roles)),
            # Zones and incidents (ACTIONS["view_response"]): not for a team leader, whose
            # health pages would otherwise link to a page that refuses them.
            "response": scope.superuser
            or bool(scope.jurisdiction_ids_with(ACTIONS["view_response"].park_roles))
            or bool(scope.enterprise_ids_with(ACTIONS["view_response"].enterprise_roles)),
            # The audit log (issue 18 §1): whoever may read some of it (ACTIONS["read_audit"]).
            "audit": scope.superuser
            or bool(scope.jurisdiction_ids_with(ACTIONS["read_audit"].park_roles))
            or bool(scope.enterprise_ids_with(ACTIONS["read_audit"].enterprise_roles)),
            # Entry holds and manual overrides (ACTIONS["override_status"]).
            "overrides": scope.superuser
            or bool(scope.jurisdiction_ids_with(ACTIONS["override_status"].park_roles))
            or bool(scope.enterprise_ids_with(ACTIONS["override_status"].enterprise_roles)),
        }
    }
