from __future__ import annotations

from django.urls import path

from parkguard.sampling import views

urlpatterns = [
    path(
        "sampling/enterprises/<int:enterprise_id>/rounds/",
        views.round_list,
        name="sampling_round_list",
    ),
    path("sampling/rounds/<int:round_id>/", views.round_detail, name="sampling_round"),
    path("sampling/rounds/<int:round_id>/take/", views.take, name="sampling_take"),
    path("sampling/samples/<int:sample_id>/result/", views.result, name="sampling_result"),
    path("sampling/antigen/<int:antigen_id>/photo/", views.photo, name="sampling_photo"),
    path(
        "sampling/enterprises/<int:enterprise_id>/antigen/",
        views.antigen_list,
        name="sampling_antigen_list",
    ),
    path(
        "sampling/enterprises/<int:enterprise_id>/import/",
        views.import_page,
        name="sampling_import",
    ),
    path(
        "sampling/enterprises/<int:enterprise_id>/labs/<int:lab_id>/mapping/",
        views.lab_mapping,
        name="sampling_lab_mapping",
    ),
    path(
        "sampling/imports/<int:result_import_id>/",
        views.import_detail,
        name="sampling_import_detail",
    ),
    path("sampling/parks/<int:jurisdiction_id>/labs/", views.labs, name="sampling_labs"),
    path("sampling/antigen/", views.antigen, name="sampling_antigen"),
    path("sampling/me/", views.me, name="sampling_me"),
]
