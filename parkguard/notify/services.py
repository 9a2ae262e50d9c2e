"""Writes of the notification app: send to inboxes and webhooks, mark read, configure robots.

Other apps call `notify_send`; it writes inbox rows in one set-based insert and, for each
enabled webhook of the enterprise or park that subscribed to the kind, one `Delivery` whose
job (huey) posts it after the transaction commits: never inside the web request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from parkguard.notify import robots, sealing
from parkguard.notify.choices import WEBHOOK_KINDS, DeliveryStatus, Kind, Vendor
from parkguard.notify.models import Delivery, Message, ParkReminderConfig, Webhook
from parkguard.notify.privacy import group_safe
from parkguard.orgs.access import NOT_ALLOWED, Scope, require, visible
from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction

logger = logging.getLogger(__name__)

KIND_UNKNOWN = "消息类别不正确"
WEBHOOK_NAME_MISSING = "请填写名称"
WEBHOOK_VENDOR_UNKNOWN = "请选择机器人类型：钉钉、企业微信或飞书"
WEBHOOK_URL_MISSING = "请填写机器人的 Webhook 地址"
WEBHOOK_URL_NOT_HTTPS = "Webhook 地址必须以 https:// 开头"
WEBHOOK_HOST_UNKNOWN = (
    "地址的域名与所选机器人类型不符：钉钉为 oapi.dingtalk.com，企业微信为 qyapi.weixin.qq.com，"
    "飞书为 open.feishu.cn"
)
WEBHOOK_URL_SHAPE = "地址格式不正确：请复制机器人设置页面中完整的 Webhook 地址"
WEBHOOK_SECRET_MISSING = "已选择加签，请填写机器人的加签密钥"
WEBHOOK_SIGN_UNSUPPORTED = "企业微信群机器人不支持加签，请取消加签"
WEBHOOK_OWNER_INVALID = "群机器人必须且只能属于一个企业或一个园区"
WEBHOOK_KINDS_INVALID = "推送的消息类别不正确"
REMINDER_PARK_INVALID = "提醒时间只能为园区设置"
TEST_TITLE = "ParkGuard 测试消息"
TEST_TEXT = "这是一条测试消息：群机器人已接入园区疫情防控管理平台。"

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _webhooks_for(
    *, enterprise: Enterprise | None, jurisdiction: Jurisdiction | None, kind: str
) -> list[Webhook]:
    owners = Q(pk__in=[])
    if enterprise is not None:
        owners |= Q(enterprise=enterprise)
    if jurisdiction is not None:
        owners |= Q(jurisdiction=jurisdiction)
    # kinds is a short JSON list; filtering it in Python keeps one query on both databases.
    hooks = Webhook.objects.filter(owners, enabled=True).only("pk", "kinds")
    return [h for h in hooks if kind in h.kinds]


def _deliveries_queue(deliveries: list[Delivery]) -> None:
    from parkguard.notify.tasks import webhook_deliver_task

    for delivery in deliveries:
        pk = delivery.pk
        transaction.on_commit(lambda pk=pk: webhook_deliver_task(pk))  # type: ignore[misc]


@transaction.atomic
def notify_send(
    *,
    users: Iterable[User] | None = None,
    user_ids: Iterable[int] | None = None,
    enterprise: Enterprise | None = None,
    jurisdiction: Jurisdiction | None = None,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    at: datetime,
    group_text: str | None = None,
) -> int:
    """Put a message in each user's inbox; queue it for the owner's subscribed webhooks.

    `users`/`user_ids`: the recipients (duplicates are sent once). `enterprise`/`jurisdiction`:
    whose group robots may also carry it, if they are enabled for `kind`. `group_text` is what a
    group chat sees instead of `body` (write names with `privacy.name_mask`); either way it
    passes through `privacy.group_safe`, so no ID number or phone reaches a group.
    Returns the number of inbox rows written.
    """
    if kind not in Kind.values:
        raise ValueError(KIND_UNKNOWN)
    recipients = {u.pk for u in users or ()} | set(user_ids or ())
    title = title.strip()[:120]
    rows = [
        Message(user_id=uid, kind=kind, title=title, body=body, link=link[:300], created_at=at)
        for uid in sorted(recipients)
    ]
    Message.objects.bulk_create(rows, batch_size=1000)
    hooks = _webhooks_for(enterprise=enterprise, jurisdiction=jurisdiction, kind=kind)
    text = group_safe(body if group_text is None else group_text)
    deliveries = [
        Delivery.objects.create(
            webhook=hook, kind=kind, title=group_safe(title), text=text, created_at=at
        )
        for hook in hooks
    ]
    _deliveries_queue(deliveries)
    return len(rows)


@transaction.atomic
def message_read(*, scope: Scope, message: Message, at: datetime) -> Message:
    """Mark one message read; only its recipient may (anyone else gets a 404 from the caller's
    lookup, and a 403 here if they got hold of the object some other way)."""
    if scope.user_id is None or message.user_id != scope.user_id:
        raise PermissionDenied(NOT_ALLOWED)
    if message.read_at is None:
        message.read_at = at
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=at)
    return message


@transaction.atomic
def message_mark_read(*, scope: Scope, message_ids: Iterable[int], at: datetime) -> int:
    """Mark some of the caller's own messages read; others' ids are silently not theirs."""
    if scope.user_id is None:
        return 0
    ids = [int(i) for i in message_ids]
    own = visible(scope, Message).filter(user_id=scope.user_id, pk__in=ids, read_at__isnull=True)
    return own.update(read_at=at)


@transaction.atomic
def message_mark_all_read(*, scope: Scope, at: datetime) -> int:
    if scope.user_id is None:
        return 0
    own = visible(scope, Message).filter(user_id=scope.user_id, read_at__isnull=True)
    return own.update(read_at=at)


def webhook_url_check(*, vendor: str, url: str) -> str:
    """The robot URL, stripped, if it is an https URL of the chosen vendor's robot."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": WEBHOOK_URL_MISSING})
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise ValidationError({"url": WEBHOOK_URL_SHAPE}) from None
    local = settings.NOTIFY_WEBHOOK_ALLOW_LOCAL and host in _LOCAL_HOSTS
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise ValidationError({"url": WEBHOOK_URL_NOT_HTTPS})
    if not local and host not in robots.VENDOR_HOSTS[vendor]:
        raise ValidationError({"url": WEBHOOK_HOST_UNKNOWN})
    query = parse_qs(parts.query)
    path = robots.VENDOR_PATHS[vendor]
    shaped = {
        Vendor.DINGTALK: parts.path == path and bool(query.get("access_token")),
        Vendor.WECOM: parts.path == path and bool(query.get("key")),
        Vendor.FEISHU: parts.path.startswith(path) and len(parts.path) > len(path),
    }[Vendor(vendor)]
    if not shaped or parts.username or parts.password:
        raise ValidationError({"url": WEBHOOK_URL_SHAPE})
    return url


def _webhook_check(
    *,
    name: str,
    vendor: str,
    url: str,
    signed: bool,
    secret: str,
    kinds: list[str],
    instance: Webhook | None,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {"name": (name or "").strip()[:60], "signed": bool(signed)}
    if not cleaned["name"]:
        errors["name"] = WEBHOOK_NAME_MISSING
    if vendor not in Vendor.values:
        errors["vendor"] = WEBHOOK_VENDOR_UNKNOWN
    else:
        cleaned["vendor"] = vendor
        if url.strip() or instance is None or instance.vendor != vendor:
            try:
                cleaned["url"] = webhook_url_check(vendor=vendor, url=url)
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if signed and not robots.VENDOR_SIGNS[vendor]:
            errors["signed"] = WEBHOOK_SIGN_UNSUPPORTED
        keeps_secret = instance is not None and instance.has_secret and instance.vendor == vendor
        if signed and robots.VENDOR_SIGNS[vendor] and not secret.strip() and not keeps_secret:
            errors["secret"] = WEBHOOK_SECRET_MISSING
    bad = [k for k in kinds if k not in WEBHOOK_KINDS]
    if bad:
        errors["kinds"] = WEBHOOK_KINDS_INVALID
    cleaned["kinds"] = [k.value for k in WEBHOOK_KINDS if k in kinds]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def webhook_create(
    *,
    scope: Scope,
    enterprise: Enterprise | None = None,
    jurisdiction: Jurisdiction | None = None,
    name: str,
    vendor: str,
    url: str,
    signed: bool = False,
    secret: str = "",
    kinds: list[str],
    enabled: bool = False,
    by: User | None,
    at: datetime,
) -> Webhook:
    """Configure a group robot for an enterprise or a park (the caller must manage its webhooks)."""
    if (enterprise is None) == (jurisdiction is None):
        raise ValidationError({"__all__": WEBHOOK_OWNER_INVALID})
    owner = enterprise if enterprise is not None else jurisdiction
    assert owner is not None
    require(scope, "manage_webhooks", owner)
    if jurisdiction is not None and jurisdiction.kind not in (
        JurisdictionKind.PARK,
        JurisdictionKind.TOWN,
        JurisdictionKind.STREET,
    ):
        raise ValidationError({"__all__": WEBHOOK_OWNER_INVALID})
    cleaned = _webhook_check(
        name=name, vendor=vendor, url=url, signed=signed, secret=secret, kinds=kinds, instance=None
    )
    hook = Webhook(
        name=cleaned["name"],
        vendor=cleaned["vendor"],
        enterprise=enterprise,
        jurisdiction=jurisdiction,
        owner_park_id=enterprise.jurisdiction_id if enterprise is not None else jurisdiction.pk,  # type: ignore[union-attr]
        url_encrypted=sealing.seal(cleaned["url"]),
        url_hint=sealing.url_hint(cleaned["url"])[:200],
        signed=cleaned["signed"],
        secret_encrypted=sealing.seal(secret.strip()) if cleaned["signed"] else "",
        kinds=cleaned["kinds"],
        enabled=bool(enabled),
        created_by=by,
        created_at=at,
        updated_at=at,
    )
    hook.save()
    return hook


@transaction.atomic
def webhook_update(
    *,
    scope: Scope,
    webhook: Webhook,
    name: str,
    vendor: str,
    url: str = "",
    signed: bool = False,
    secret: str = "",
    kinds: list[str],
    enabled: bool,
    at: datetime,
) -> Webhook:
    """Change a robot; an empty `url` or `secret` keeps the stored one (they are never shown)."""
    require(scope, "manage_webhooks", webhook)
    hook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    cleaned = _webhook_check(
        name=name, vendor=vendor, url=url, signed=signed, secret=secret, kinds=kinds, instance=hook
    )
    hook.name = cleaned["name"]
    hook.vendor = cleaned["vendor"]
    if "url" in cleaned:
        hook.url_encrypted = sealing.seal(cleaned["url"])
        hook.url_hint = sealing.url_hint(cleaned["url"])[:200]
    hook.signed = cleaned["signed"]
    if not hook.signed:
        hook.secret_encrypted = ""
    elif secret.strip():
        hook.secret_encrypted = sealing.seal(secret.strip())
    hook.kinds = cleaned["kinds"]
    hook.enabled = bool(enabled)
    hook.updated_at = at
    hook.save()
    return hook


@transaction.atomic
def webhook_delete(*, scope: Scope, webhook: Webhook) -> None:
    require(scope, "manage_webhooks", webhook)
    webhook.delete()


@transaction.atomic
def webhook_test_send(*, scope: Scope, webhook: Webhook, at: datetime) -> Delivery:
    """Queue a test message to one robot, enabled or not (the admin is checking the setup)."""
    require(scope, "manage_webhooks", webhook)
    delivery = Delivery.objects.create(
        webhook=webhook, kind=Kind.WEBHOOK_TEST, title=TEST_TITLE, text=TEST_TEXT, created_at=at
    )
    _deliveries_queue([delivery])
    return delivery


def _redact(text: str, secrets: Iterable[str]) -> str:
    """Blank out a URL's credentials (token, key, hook id) and the secret from a vendor reply."""
    values: set[str] = set()
    for value in secrets:
        values.add(value)
        parts = urlsplit(value)
        if parts.scheme:
            values.update(v for vs in parse_qs(parts.query).values() for v in vs)
            values.add(parts.path.rsplit("/", 1)[-1])
    # Short fragments ("send") are words, not credentials; vendors issue long ones.
    for value in sorted((v for v in values if len(v) >= 8), key=len, reverse=True):
        text = text.replace(value, "***")
    return text[:200]


def delivery_attempt(*, delivery_id: int, at: datetime, final: bool) -> bool:
    """Post one delivery once. True when done (sent, or nothing left to do); False to retry.

    A vendor error (errcode/code != 0, or an HTTP error) is logged with the webhook's id and
    vendor and the vendor's code, never with the URL, its token or key, or the secret.
    """
    from parkguard.notify import transport

    delivery = Delivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        return True
    hook = delivery.webhook
    if not hook.enabled and delivery.kind != Kind.WEBHOOK_TEST:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_error="群机器人已停用"
        )
        return True
    url = sealing.unseal(hook.url_encrypted)
    secret = sealing.unseal(hook.secret_encrypted) if hook.signed else ""
    request = robots.build_request(
        vendor=hook.vendor, url=url, secret=secret, title=delivery.title, text=delivery.text, at=at
    )
    try:
        status, raw = transport.post_json(
            url=request.url, payload=request.payload(), timeout=settings.NOTIFY_WEBHOOK_TIMEOUT
        )
    except OSError as exc:
        reply = robots.Reply(ok=False, code="network", message=type(exc).__name__)
    else:
        reply = robots.read_reply(vendor=hook.vendor, status=status, raw=raw)
    error = "" if reply.ok else _redact(f"{reply.code} {reply.message}".strip(), [url, secret])
    if reply.ok:
        new_status = DeliveryStatus.SENT
    else:
        new_status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
        logger.warning(
            "webhook %s (%s) delivery %s attempt %s failed: %s",
            hook.pk,
            hook.vendor,
            delivery.pk,
            delivery.attempts + 1,
            error,
        )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=new_status,
        attempts=delivery.attempts + 1,
        last_error=error,
        sent_at=at if reply.ok else None,
    )
    return reply.ok or final


@transaction.atomic
def reminder_config_save(
    *,
    scope: Scope,
    park: Jurisdiction,
    declare_remind_at: Any,
    digest_at: Any,
    at: datetime,
) -> ParkReminderConfig:
    """Set a park's reminder clock (park admins); empty times turn reminders off."""
    require(scope, "manage_webhooks", park)
    if park.kind not in (JurisdictionKind.PARK, JurisdictionKind.TOWN, JurisdictionKind.STREET):
        raise ValidationError({"__all__": REMINDER_PARK_INVALID})
    config, _ = ParkReminderConfig.objects.update_or_create(
        jurisdiction=park,
        defaults={"declare_remind_at": declare_remind_at, "digest_at": digest_at, "updated_at": at},
    )
    return config
