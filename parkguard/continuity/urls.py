from __future__ import annotations

from django.urls import path

from parkguard.continuity import views

urlpatterns = [
    path("continuity/enterprises/<int:enterprise_id>/loop/", views.loop, name="continuity_loop"),
    path(
        "continuity/loop-members/<int:member_id>/remove/",
        views.loop_member_remove,
        name="continuity_loop_member_remove",
    ),
    path("continuity/enterprises/<int:enterprise_id>/posts/", views.posts, name="continuity_posts"),
    path(
        "continuity/enterprises/<int:enterprise_id>/faults/",
        views.enterprise_faults,
        name="continuity_enterprise_faults",
    ),
    path(
        "continuity/parks/<int:jurisdiction_id>/faults/",
        views.park_faults,
        name="continuity_faults",
    ),
    path(
        "continuity/faults/<int:fault_id>/assign/",
        views.fault_assign,
        name="continuity_fault_assign",
    ),
    path(
        "continuity/faults/<int:fault_id>/repair/",
        views.fault_repair,
        name="continuity_fault_repair",
    ),
]
