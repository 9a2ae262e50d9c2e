"""Reads of the notification app: a user's own inbox, and the webhooks a caller manages."""

from __future__ import annotations

from django.db.models import QuerySet

from parkguard.notify.models import Delivery, Message, ParkReminderConfig, Webhook
from parkguard.orgs.access import Scope, visible
from parkguard.orgs.choices import ENTERPRISE_HOSTS
from parkguard.orgs.models import Enterprise, Jurisdiction


def inbox_list(*, scope: Scope, unread_only: bool = False) -> QuerySet[Message]:
    """The caller's own messages, newest first; never anyone else's (superusers included)."""
    if scope.user_id is None:
        return Message.objects.none()
    messages = visible(scope, Message).filter(user_id=scope.user_id)
    return messages.filter(read_at__isnull=True) if unread_only else messages


def inbox_unread_count(*, scope: Scope) -> int:
    if scope.user_id is None:
        return 0
    return Message.objects.filter(user_id=scope.user_id, read_at__isnull=True).count()


def webhook_list(*, scope: Scope) -> QuerySet[Webhook]:
    """Robots the caller may manage: their enterprise's, and for park admins the park's too."""
    return visible(scope, Webhook, "manage_webhooks").select_related(
        "enterprise", "jurisdiction", "owner_park"
    )


def delivery_list(*, scope: Scope, webhook: Webhook, limit: int = 20) -> list[Delivery]:
    return list(
        visible(scope, Delivery, "manage_webhooks").filter(webhook=webhook).order_by("-id")[:limit]
    )


def webhook_owners(*, scope: Scope) -> tuple[QuerySet[Enterprise], QuerySet[Jurisdiction]]:
    """Enterprises and parks whose robots the caller may configure."""
    enterprises = visible(scope, Enterprise, "manage_webhooks").order_by("name")
    parks = (
        visible(scope, Jurisdiction, "manage_webhooks")
        .filter(kind__in=ENTERPRISE_HOSTS)
        .order_by("path")
    )
    return enterprises, parks


def reminder_config_for(*, park: Jurisdiction) -> ParkReminderConfig | None:
    return ParkReminderConfig.objects.filter(jurisdiction=park).first()
