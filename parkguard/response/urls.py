from __future__ import annotations

from django.urls import path

from parkguard.response import views

urlpatterns = [
    path("response/enterprises/<int:enterprise_id>/", views.zones, name="response_zones"),
    path(
        "response/enterprises/<int:enterprise_id>/areas/",
        views.area_create,
        name="response_area_create",
    ),
    path(
        "response/enterprises/<int:enterprise_id>/junctions/",
        views.junction_create,
        name="response_junction_create",
    ),
    path(
        "response/enterprises/<int:enterprise_id>/junctions/<int:junction_id>/delete/",
        views.junction_delete,
        name="response_junction_delete",
    ),
    path(
        "response/enterprises/<int:enterprise_id>/junctions/<int:junction_id>/edit/",
        views.junction_update,
        name="response_junction_update",
    ),
    path(
        "response/enterprises/<int:enterprise_id>/plan/", views.site_plan, name="response_site_plan"
    ),
    path(
        "response/enterprises/<int:enterprise_id>/plan.svg",
        views.site_plan_svg,
        name="response_site_plan_svg",
    ),
    path(
        "response/enterprises/<int:enterprise_id>/plan/upload/",
        views.site_plan_upload,
        name="response_site_plan_upload",
    ),
    path(
        "response/enterprises/<int:enterprise_id>/plan/place/",
        views.area_place,
        name="response_area_place",
    ),
    path(
        "response/enterprises/<int:enterprise_id>/plan/bind/",
        views.area_bind,
        name="response_area_bind",
    ),
    path(
        "response/enterprises/<int:enterprise_id>/moves/",
        views.move_request,
        name="response_move_request",
    ),
    path("response/moves/<int:move_id>/decide/", views.move_decide, name="response_move_decide"),
    path(
        "response/enterprises/<int:enterprise_id>/incidents/",
        views.incident_open,
        name="response_incident_open",
    ),
    path(
        "response/alerts/<int:alert_id>/incident/",
        views.incident_from_alert,
        name="response_incident_from_alert",
    ),
    path("response/incidents/<int:incident_id>/", views.incident, name="response_incident"),
    path(
        "response/incidents/<int:incident_id>/report/",
        views.incident_report,
        name="response_incident_report",
    ),
    path(
        "response/incidents/<int:incident_id>/isolate/",
        views.incident_isolate,
        name="response_incident_isolate",
    ),
    path(
        "response/incidents/<int:incident_id>/trace/",
        views.incident_trace,
        name="response_incident_trace",
    ),
    path("response/tasks/<int:task_id>/done/", views.task_done, name="response_task_done"),
    path(
        "response/contacts/<int:contact_id>/review/",
        views.contact_review,
        name="response_contact_review",
    ),
    path("response/parks/<int:jurisdiction_id>/", views.park, name="response_park"),
    path(
        "response/parks/<int:jurisdiction_id>/zones/",
        views.park_zones,
        name="response_park_zones",
    ),
    path(
        "response/parks/<int:jurisdiction_id>/zones/areas/",
        views.area_create,
        name="response_park_area_create",
    ),
    path(
        "response/parks/<int:jurisdiction_id>/zones/junctions/",
        views.junction_create,
        name="response_park_junction_create",
    ),
    path(
        "response/parks/<int:jurisdiction_id>/plan/",
        views.site_plan,
        name="response_park_site_plan",
    ),
    path(
        "response/parks/<int:jurisdiction_id>/plan.svg",
        views.site_plan_svg,
        name="response_park_site_plan_svg",
    ),
    path(
        "response/parks/<int:jurisdiction_id>/plan/upload/",
        views.site_plan_upload,
        name="response_park_site_plan_upload",
    ),
    path(
        "response/parks/<int:jurisdiction_id>/plan/place/",
        views.area_place,
        name="response_park_area_place",
    ),
    path(
        "response/parks/<int:jurisdiction_id>/plan/bind/",
        views.area_bind,
        name="response_park_area_bind",
    ),
]
