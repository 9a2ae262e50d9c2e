from __future__ import annotations

from django.urls import path

from parkguard.health import views

urlpatterns = [
    path("health/", views.health_home, name="health_home"),
    path("health/declare/", views.declare, name="health_declare"),
    path("health/me/", views.me, name="health_me"),
    path("health/enterprises/<int:enterprise_id>/", views.board, name="health_board"),
    path(
        "health/enterprises/<int:enterprise_id>/live/", views.board_live, name="health_board_live"
    ),
    path("health/enterprises/<int:enterprise_id>/alerts/", views.alert_list, name="health_alerts"),
    path("health/alerts/<int:alert_id>/close/", views.alert_close, name="health_alert_close"),
    path("health/enterprises/<int:enterprise_id>/checks/", views.checks, name="health_checks"),
    path(
        "health/enterprises/<int:enterprise_id>/sick-leave/",
        views.sick_leave,
        name="health_sick_leave",
    ),
    path(
        "health/sick-leave/<int:leave_id>/return/",
        views.sick_leave_return,
        name="health_sick_leave_return",
    ),
    path(
        "health/enterprises/<int:enterprise_id>/vaccination/",
        views.vaccination,
        name="health_vaccination",
    ),
    path(
        "health/parks/<int:jurisdiction_id>/vaccination/",
        views.park_vaccination,
        name="health_park_vaccination",
    ),
    path("health/enterprises/<int:enterprise_id>/summary/", views.summary, name="health_summary"),
]
