from __future__ import annotations

from django.urls import path

from parkguard.notify import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:message_id>/read/", views.inbox_read, name="inbox_read"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:webhook_id>/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:webhook_id>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<int:webhook_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path("park/<int:jurisdiction_id>/reminders/", views.reminder_config, name="reminder_config"),
]
