from __future__ import annotations

from django.urls import path

from parkguard.overview import views

urlpatterns = [
    path("", views.home, name="home"),
    path("park/<int:jurisdiction_id>/", views.park_overview, name="park_overview"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<int:enterprise_id>/", views.enterprise_detail, name="enterprise_detail"),
]
