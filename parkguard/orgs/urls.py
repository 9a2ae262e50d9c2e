from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from parkguard.orgs import office_views, views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "park/<int:jurisdiction_id>/offices/",
        office_views.supervision_offices,
        name="supervision_offices",
    ),
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
]
