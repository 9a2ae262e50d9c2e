from __future__ import annotations

from django.urls import path

from parkguard.privacy import views

urlpatterns = [
    path("me/privacy/", views.me, name="privacy_me"),
    path("me/privacy/<int:person_id>/", views.person, name="privacy_person"),
    path("me/privacy/<int:person_id>/export/", views.person_export, name="privacy_export"),
    path(
        "me/privacy/<int:person_id>/corrections/new/",
        views.correction_new,
        name="privacy_correction_new",
    ),
    path(
        "privacy/enterprises/<int:enterprise_id>/corrections/",
        views.corrections,
        name="privacy_corrections",
    ),
    path("privacy/corrections/<int:correction_id>/", views.correction, name="privacy_correction"),
    path("privacy/parks/<int:jurisdiction_id>/", views.park, name="privacy_park"),
    path("privacy/purges/<int:purge_id>/decide/", views.purge_decide, name="privacy_purge_decide"),
]
