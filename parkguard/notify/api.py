"""JSON API of the inbox: the caller's own messages, the unread count, marking read."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from parkguard.api.auth import scope
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.free_text import FreeText
from parkguard.notify import selectors, services
from parkguard.notify.models import Message
from parkguard.orgs.access import get_visible_or_404

router = Router(tags=["消息"])


class MessageOut(Schema):
    id: int
    kind: str = Field(description="类别")
    kind_label: str
    title: str
    body: FreeText
    link: str
    created_at: LocalDateTime
    read_at: LocalDateTime | None


class InboxOut(Schema):
    unread: int = Field(description="未读条数")
    items: list[MessageOut]


class InboxQuery(Schema):
    unread: bool = Field(False, description="只返回未读")
    limit: int = Field(50, ge=1, le=200, description="条数")
    before_id: int | None = Field(None, description="翻页：只返回 id 小于此值的消息")


class MarkedOut(Schema):
    marked: int


def _out(m: Message) -> MessageOut:
    return MessageOut(
        id=m.pk,
        kind=m.kind,
        kind_label=m.get_kind_display(),
        title=m.title,
        body=m.body,
        link=m.link,
        created_at=m.created_at,
        read_at=m.read_at,
    )


@router.get("/notify/inbox", response=InboxOut, summary="我的消息")
def inbox(request: HttpRequest, filters: Query[InboxQuery]) -> InboxOut:
    s = scope(request)
    rows = selectors.inbox_list(scope=s, unread_only=filters.unread)
    if filters.before_id is not None:
        rows = rows.filter(pk__lt=filters.before_id)
    return InboxOut(
        unread=selectors.inbox_unread_count(scope=s),
        items=[_out(m) for m in rows[: filters.limit]],
    )


@router.post("/notify/inbox/read-all", response=MarkedOut, summary="全部标为已读")
def inbox_read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=services.message_mark_all_read(scope=scope(request), at=timezone.now()))


@router.post("/notify/inbox/{message_id}/read", response=MessageOut, summary="标为已读")
def inbox_read(request: HttpRequest, message_id: int) -> MessageOut:
    s = scope(request)
    message = get_visible_or_404(s, selectors.inbox_list(scope=s), pk=message_id)
    return _out(services.message_read(scope=s, message=message, at=timezone.now()))
