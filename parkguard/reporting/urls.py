from __future__ import annotations

from django.urls import path

from parkguard.reporting import views

urlpatterns = [
    path("reports/", views.home, name="reporting_home"),
    path("reports/units/<int:jurisdiction_id>/", views.unit, name="reporting_unit"),
    path(
        "reports/units/<int:jurisdiction_id>/prepare/",
        views.unit_prepare,
        name="reporting_prepare",
    ),
    path(
        "reports/units/<int:jurisdiction_id>/rows/<int:row_id>/",
        views.row_correct,
        name="reporting_row",
    ),
    path("reports/units/<int:jurisdiction_id>/submit/", views.unit_submit, name="reporting_submit"),
    path("reports/units/<int:jurisdiction_id>/print/", views.unit_print, name="reporting_print"),
    path("reports/units/<int:jurisdiction_id>/export/", views.unit_export, name="reporting_export"),
    path("reports/rollup/<int:jurisdiction_id>/", views.rollup, name="reporting_rollup"),
    path(
        "reports/rollup/<int:jurisdiction_id>/export/",
        views.rollup_export,
        name="reporting_rollup_export",
    ),
    path("reports/board/<int:jurisdiction_id>/", views.board, name="reporting_board"),
]
