from __future__ import annotations

from django.urls import path

from parkguard.gate import views

urlpatterns = [
    path("gate/", views.gate_home, name="gate_home"),
    path("gate/pass/", views.my_pass, name="gate_my_pass"),
    path("gate/pass/code/", views.my_pass_code, name="gate_my_pass_code"),
    path("gate/place/<str:code>/", views.place, name="gate_place"),
    path("gate/gates/<int:gate_id>/kiosk/", views.kiosk, name="gate_kiosk"),
    path("gate/gates/<int:gate_id>/lookup/", views.lookup, name="gate_lookup"),
    path("gate/gates/<int:gate_id>/edit/", views.gate_edit, name="gate_edit"),
    path("gate/gates/<int:gate_id>/poster/", views.poster, name="gate_poster"),
    path("gate/enterprises/<int:enterprise_id>/gates/", views.gate_list, name="gate_list"),
    path("gate/enterprises/<int:enterprise_id>/passes/", views.passes, name="gate_passes"),
    path("gate/enterprises/<int:enterprise_id>/log/", views.access_log, name="gate_log"),
    path(
        "gate/enterprises/<int:enterprise_id>/log.xlsx",
        views.access_log_export,
        name="gate_log_export",
    ),
    path("gate/parks/<int:jurisdiction_id>/gates/", views.park_gates, name="gate_park_gates"),
    path("gate/passes/<int:pass_id>/revoke/", views.pass_revoke, name="gate_pass_revoke"),
    path("gate/passes/<int:pass_id>/print/", views.pass_print, name="gate_pass_print"),
]
