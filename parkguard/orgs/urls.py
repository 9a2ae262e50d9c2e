from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from parkguard.orgs import (
    accounts_views,
    audit_views,
    office_views,
    place_views,
    security_views,
    views,
)

urlpatterns = [
    # The audit log, searchable by park admins and enterprise officers (issue 18 §1).
    path("audit/", audit_views.audit_list, name="audit_list"),
    # The same search as CSV or .xlsx, for park admins; audited (read_audit).
    path("audit/export/", audit_views.audit_export, name="audit_export"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # One's own account security (issue 18 §3).
    path("accounts/security/", security_views.account_security, name="account_security"),
    path(
        "accounts/second-factor/setup/",
        security_views.second_factor_setup,
        name="second_factor_setup",
    ),
    path(
        "accounts/second-factor/verify/",
        security_views.second_factor_verify,
        name="second_factor_verify",
    ),
    path(
        "accounts/sessions/<int:session_id>/end/",
        security_views.session_end,
        name="session_end",
    ),
    path("accounts/sessions/end-all/", security_views.sessions_end_all, name="sessions_end_all"),
    path(
        "park/<int:jurisdiction_id>/offices/",
        office_views.supervision_offices,
        name="supervision_offices",
    ),
    path("park/<int:jurisdiction_id>/places/", place_views.places, name="places"),
    path(
        "offices/<int:office_id>/edit/",
        office_views.supervision_office_edit,
        name="supervision_office_edit",
    ),
    path(
        "offices/<int:office_id>/delete/",
        office_views.supervision_office_delete,
        name="supervision_office_delete",
    ),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:enterprise_id>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:enterprise_id>/units/", views.org_units, name="org_units"),
    path("units/<int:unit_id>/edit/", views.org_unit_edit, name="org_unit_edit"),
    path("units/<int:unit_id>/delete/", views.org_unit_delete, name="org_unit_delete"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("healthz", views.healthz, name="healthz"),
    # Accounts and roles (issue 7 §1).
    path("accounts/", accounts_views.account_home, name="account_home"),
    path("accounts/activate/", accounts_views.activate, name="account_activate"),
    path(
        "park/<int:jurisdiction_id>/accounts/",
        accounts_views.park_accounts,
        name="park_accounts",
    ),
    path(
        "enterprises/<int:enterprise_id>/accounts/",
        accounts_views.enterprise_accounts,
        name="enterprise_accounts",
    ),
    path(
        "enterprises/<int:enterprise_id>/accounts/reissue/",
        accounts_views.enterprise_codes_reissue,
        name="enterprise_codes_reissue",
    ),
    path("users/<int:id>/", accounts_views.account_detail, name="account_detail"),
    path("users/<int:id>/roles/", accounts_views.account_role_grant, name="account_role_grant"),
    path(
        "users/<int:id>/roles/remove/",
        accounts_views.account_role_remove,
        name="account_role_remove",
    ),
    path(
        "users/<int:id>/deactivate/", accounts_views.account_deactivate, name="account_deactivate"
    ),
    path(
        "users/<int:id>/reactivate/", accounts_views.account_reactivate, name="account_reactivate"
    ),
    path("users/<int:id>/reset/", accounts_views.account_reset, name="account_reset"),
    path(
        "users/<int:id>/second-factor/reset/",
        accounts_views.account_second_factor_reset,
        name="account_second_factor_reset",
    ),
]
