from __future__ import annotations

from django.urls import path

from parkguard.logistics import export_views, parcel_views, pass_views, views

urlpatterns = [
    path("logistics/declare/<str:token>/", views.declare, name="logistics_declare"),
    path(
        "logistics/enterprises/<int:enterprise_id>/trucks/", views.trucks, name="logistics_trucks"
    ),
    path("logistics/trucks/<int:truck_id>/", views.truck, name="logistics_truck"),
    path(
        "logistics/enterprises/<int:enterprise_id>/passes/",
        pass_views.enterprise_passes,
        name="logistics_passes",
    ),
    path("logistics/passes/<int:pass_id>/", pass_views.pass_print, name="logistics_pass"),
    path(
        "logistics/passes/<int:pass_id>/decide/",
        pass_views.pass_decide,
        name="logistics_pass_decide",
    ),
    path(
        "logistics/parks/<int:jurisdiction_id>/passes/",
        pass_views.park_passes,
        name="logistics_park_passes",
    ),
    path("logistics/passes/verify/", pass_views.pass_verify, name="logistics_pass_verify"),
    path(
        "logistics/enterprises/<int:enterprise_id>/parcels/",
        parcel_views.store,
        name="logistics_parcels",
    ),
    path("logistics/parcels/mine/", parcel_views.mine, name="logistics_parcels_mine"),
    path(
        "logistics/enterprises/<int:enterprise_id>/trucks/export/",
        export_views.trucks_export,
        name="logistics_trucks_export",
    ),
    path(
        "logistics/enterprises/<int:enterprise_id>/passes/export/",
        export_views.passes_export,
        name="logistics_passes_export",
    ),
    path(
        "logistics/enterprises/<int:enterprise_id>/parcels/export/",
        export_views.parcels_export,
        name="logistics_parcels_export",
    ),
]
