from __future__ import annotations

from django.urls import path

from parkguard.supplies import views

urlpatterns = [
    path("supplies/enterprises/<int:enterprise_id>/", views.ledger, name="supplies_ledger"),
    path(
        "supplies/enterprises/<int:enterprise_id>/export/",
        views.ledger_export,
        name="supplies_export",
    ),
    path("supplies/parks/<int:jurisdiction_id>/", views.park_cover, name="supplies_park"),
    path(
        "supplies/enterprises/<int:enterprise_id>/disinfection/",
        views.disinfection,
        name="supplies_disinfection",
    ),
    path(
        "supplies/enterprises/<int:enterprise_id>/disinfection/export/",
        views.disinfection_export,
        name="supplies_disinfection_export",
    ),
    path(
        "supplies/enterprises/<int:enterprise_id>/disinfection/tasks/<int:task_id>/done/",
        views.disinfection_done,
        name="supplies_disinfection_done",
    ),
    path("supplies/disinfection/mine/", views.disinfection_mine, name="supplies_disinfection_mine"),
]
