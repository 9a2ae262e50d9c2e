from __future__ import annotations

from django.urls import path

from parkguard.logistics import views

urlpatterns = [
    path("logistics/declare/<str:token>/", views.declare, name="logistics_declare"),
    path(
        "logistics/enterprises/<int:enterprise_id>/trucks/", views.trucks, name="logistics_trucks"
    ),
    path("logistics/trucks/<int:truck_id>/", views.truck, name="logistics_truck"),
]
