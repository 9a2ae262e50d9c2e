from __future__ import annotations

from django.urls import path

from parkguard.command import views

urlpatterns = [
    path("command/parks/<int:jurisdiction_id>/", views.board, name="command_board"),
    path(
        "command/parks/<int:jurisdiction_id>/orders/",
        views.order_create,
        name="command_order_create",
    ),
    path("command/orders/<int:order_id>/", views.order, name="command_order"),
    path("command/orders/<int:order_id>/lift/", views.order_lift, name="command_order_lift"),
    path(
        "command/checkpoints/<int:checkpoint_id>/staffed/",
        views.checkpoint_staffed,
        name="command_checkpoint_staffed",
    ),
    path(
        "command/checkpoints/<int:checkpoint_id>/closed/",
        views.checkpoint_closed,
        name="command_checkpoint_closed",
    ),
    path("command/orders/<int:order_id>/passes/", views.pass_issue, name="command_pass_issue"),
    path(
        "command/passes/<int:lockdown_pass_id>/revoke/",
        views.pass_revoke,
        name="command_pass_revoke",
    ),
    path(
        "command/passes/<int:lockdown_pass_id>/print/",
        views.pass_print,
        name="command_pass_print",
    ),
    path("command/parks/<int:jurisdiction_id>/rosters/", views.rosters, name="command_rosters"),
    path("command/parks/<int:jurisdiction_id>/shifts/", views.shift_add, name="command_shift_add"),
    path(
        "command/shifts/<int:shift_id>/handover/",
        views.shift_handover,
        name="command_shift_handover",
    ),
    path("command/orders/<int:order_id>/needs/", views.need_count, name="command_need_count"),
    path(
        "command/orders/<int:order_id>/deliveries/",
        views.delivery_plan,
        name="command_delivery_plan",
    ),
    path(
        "command/deliveries/<int:delivery_id>/confirm/",
        views.delivery_confirm,
        name="command_delivery_confirm",
    ),
    path(
        "command/orders/<int:order_id>/shortfalls/",
        views.shortfall_raise,
        name="command_shortfall_raise",
    ),
]
