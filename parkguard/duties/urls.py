from __future__ import annotations

from django.urls import path

from parkguard.duties import views

urlpatterns = [
    path(
        "duties/enterprises/<int:enterprise_id>/",
        views.enterprise_duties,
        name="duties_enterprise",
    ),
    path("duties/ledger/<int:jurisdiction_id>/", views.ledger, name="duties_ledger"),
    path(
        "duties/ledger/<int:jurisdiction_id>/export/",
        views.ledger_export,
        name="duties_ledger_export",
    ),
]
