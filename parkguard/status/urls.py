from __future__ import annotations

from django.urls import path

from parkguard.status import views

urlpatterns = [
    path("status/enterprises/<int:enterprise_id>/", views.status_board, name="status_board"),
    path(
        "status/enterprises/<int:enterprise_id>/overrides/",
        views.override_request,
        name="status_override_request",
    ),
    path(
        "status/overrides/<int:override_id>/decide/",
        views.override_decide,
        name="status_override_decide",
    ),
]
