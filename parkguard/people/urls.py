from __future__ import annotations

from django.urls import path

from parkguard.people import logins_views, views

urlpatterns = [
    path("people/", views.ledger_home, name="ledger_home"),
    path("enterprises/<int:enterprise_id>/people/", views.person_list, name="person_list"),
    path("enterprises/<int:enterprise_id>/people/new/", views.person_create, name="person_create"),
    path("enterprises/<int:enterprise_id>/people/find/", views.person_find, name="person_find"),
    path("enterprises/<int:enterprise_id>/people/print/", views.person_print, name="person_print"),
    path(
        "enterprises/<int:enterprise_id>/people/export/",
        views.person_export,
        name="person_export",
    ),
    path(
        "enterprises/<int:enterprise_id>/people/template/",
        views.import_template,
        name="person_import_template",
    ),
    path(
        "enterprises/<int:enterprise_id>/people/import/",
        views.import_upload,
        name="person_import_upload",
    ),
    path(
        "enterprises/<int:enterprise_id>/logins/",
        logins_views.employee_logins,
        name="employee_logins",
    ),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/reveal/", views.person_reveal, name="person_reveal"),
    path("people/<int:person_id>/status/", views.person_status, name="person_status"),
    path("people/<int:person_id>/household/", views.household_add, name="household_add"),
    path("household/<int:member_id>/delete/", views.household_remove, name="household_remove"),
    path("imports/<int:import_id>/", views.import_detail, name="person_import_detail"),
    path("imports/<int:import_id>/errors/", views.import_error_book, name="person_import_errors"),
    path("imports/<int:import_id>/progress/", views.import_progress, name="person_import_progress"),
    path("imports/<int:import_id>/confirm/", views.import_confirm, name="person_import_confirm"),
    path("imports/<int:import_id>/cancel/", views.import_cancel, name="person_import_cancel"),
    path("roster/", views.community_roster, name="community_roster"),
    path("roster/export/", views.community_roster_export, name="community_roster_export"),
    path("people/<int:person_id>/phone/", views.person_phone_reveal, name="person_phone_reveal"),
    path("people/lookup/", views.people_lookup, name="people_lookup"),
    path("park/<int:jurisdiction_id>/id-conflicts/", views.id_conflicts, name="id_conflicts"),
]
