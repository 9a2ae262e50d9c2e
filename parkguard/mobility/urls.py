from __future__ import annotations

from django.urls import path

from parkguard.mobility import views

urlpatterns = [
    path("mobility/me/", views.me, name="mobility_me"),
    path("mobility/divisions/", views.division_lookup, name="mobility_divisions"),
    path("mobility/trips/new/", views.trip_new, name="mobility_trip_new"),
    path("mobility/trips/<int:trip_id>/", views.trip_detail, name="mobility_trip"),
    path("mobility/trips/<int:trip_id>/decide/", views.trip_decide, name="mobility_trip_decide"),
    path("mobility/trips/<int:trip_id>/edit/", views.trip_edit, name="mobility_trip_edit"),
    path("mobility/returns/new/", views.return_new, name="mobility_return_new"),
    path("mobility/returns/<int:return_id>/", views.return_detail, name="mobility_return"),
    path(
        "mobility/enterprises/<int:enterprise_id>/returnees/",
        views.returnees,
        name="mobility_returnees",
    ),
    path("mobility/community/", views.community, name="mobility_community"),
    path(
        "mobility/parks/<int:jurisdiction_id>/risk-areas/",
        views.risk_areas,
        name="mobility_risk_areas",
    ),
    path(
        "mobility/risk-areas/<int:risk_area_id>/",
        views.risk_area_detail,
        name="mobility_risk_area",
    ),
    path(
        "mobility/isolations/<int:isolation_id>/", views.isolation_detail, name="mobility_isolation"
    ),
    path(
        "mobility/isolations/<int:isolation_id>/change/",
        views.isolation_change,
        name="mobility_isolation_change",
    ),
    path("mobility/enterprises/<int:enterprise_id>/points/", views.points, name="mobility_points"),
    path("mobility/visitors/new/", views.visitor_new, name="mobility_visitor_new"),
    path(
        "mobility/enterprises/<int:enterprise_id>/visitors/",
        views.enterprise_visitors,
        name="mobility_visitors",
    ),
    path("mobility/visitors/<int:visitor_id>/", views.visitor_detail, name="mobility_visitor"),
    path(
        "mobility/visitors/<int:visitor_id>/pass/",
        views.visitor_pass_issue,
        name="mobility_visitor_pass",
    ),
    path(
        "mobility/visitors/<int:visitor_id>/cancel/",
        views.visitor_cancel,
        name="mobility_visitor_cancel",
    ),
    path(
        "mobility/parks/<int:jurisdiction_id>/visitors/",
        views.park_visitors,
        name="mobility_park_visitors",
    ),
    path(
        "mobility/parks/<int:jurisdiction_id>/impact/",
        views.policy_impact,
        name="mobility_policy_impact",
    ),
    # The visitor's own page: no login, a signed expiring token (J-1.2).
    path("v/<str:token>/", views.visitor_fill, name="visitor_fill"),
]
