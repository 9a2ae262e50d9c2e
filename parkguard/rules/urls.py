from __future__ import annotations

from django.urls import path

from parkguard.rules import views

urlpatterns = [
    path("policy/", views.pack_list, name="pack_list"),
    path("policy/preview/", views.plan_preview, name="plan_preview"),
    path("policy/preview/<slug:mode>/", views.engine_preview, name="engine_preview"),
    path("policy/<slug:pack_id>/", views.pack_detail, name="pack_detail"),
    path("policy/<slug:pack_id>/diff/", views.pack_diff, name="pack_diff"),
    path("park/<int:jurisdiction_id>/packs/", views.park_packs, name="park_packs"),
    path("park/<int:jurisdiction_id>/packs/draft/", views.park_pack_draft, name="park_pack_draft"),
    path(
        "park/<int:jurisdiction_id>/packs/uploads/<int:upload_id>/",
        views.park_pack_upload,
        name="park_pack_upload",
    ),
    path(
        "park/<int:jurisdiction_id>/packs/uploads/<int:upload_id>/publish/",
        views.park_pack_publish,
        name="park_pack_publish",
    ),
]
