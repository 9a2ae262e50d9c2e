"""Group robots against a local fake server: each vendor's body shape and signature (Z-4.2:
reports reach the group at once), retries on vendor errors, nothing personal in a group."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

import pytest

from parkguard.notify.choices import DeliveryStatus, Kind, Vendor
from parkguard.notify.models import Delivery, Message, Webhook
from parkguard.notify.reminders import Missing, missing_digest_send
from parkguard.notify.sealing import seal
from parkguard.notify.services import delivery_attempt, notify_send, webhook_create
from parkguard.orgs.access import scope_for_user
from tests.factories import World
from tests.notify.fake_robot import FakeRobot

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)
SECRET = "SEC0123456789abcdef"
PATHS: dict[str, str] = {
    Vendor.DINGTALK: "/robot/send?access_token=tok-dingtalk-123",
    Vendor.WECOM: "/cgi-bin/webhook/send?key=key-wecom-456",
    Vendor.FEISHU: "/open-apis/bot/v2/hook/hook-feishu-789",
}


def hook_for(world: World, robot: FakeRobot, vendor: str, **extra: Any) -> Webhook:
    values: dict[str, Any] = {
        "name": "防疫群",
        "vendor": vendor,
        "url": robot.base + PATHS[vendor],
        "signed": vendor != Vendor.WECOM,
        "secret": SECRET if vendor != Vendor.WECOM else "",
        "kinds": [Kind.HEALTH_ALERT, Kind.DECLARE_DIGEST],
        "enabled": True,
    }
    values.update(extra)
    return webhook_create(
        scope=scope_for_user(world.users["a1_officer"]),
        enterprise=world.a1,
        by=world.users["a1_officer"],
        at=AT,
        **values,
    )


def send_alert(
    world: World, capture: Callable[..., Any], body: str = "甲一车间 1 人体温异常"
) -> int:
    with capture(execute=True):
        return notify_send(
            users=[world.users["a1_officer"]],
            enterprise=world.a1,
            kind=Kind.HEALTH_ALERT,
            title="健康异常预警",
            body=body,
            at=AT,
        )


@pytest.mark.django_db
def test_it_posts_a_signed_dingtalk_markdown(
    world: World, robot: FakeRobot, django_capture_on_commit_callbacks: Any
) -> None:
    """DingTalk: markdown body; 加签 = urlencode(base64(HmacSHA256(secret, "ts\\nsecret")))."""
    hook = hook_for(world, robot, Vendor.DINGTALK)
    send_alert(world, django_capture_on_commit_callbacks)
    (got,) = robot.received
    assert got.path == "/robot/send"
    assert got.query["access_token"] == ["tok-dingtalk-123"]
    assert got.content_type.startswith("application/json")
    assert got.body["msgtype"] == "markdown"
    assert got.body["markdown"]["title"] == "健康异常预警"
    assert "甲一车间 1 人体温异常" in got.body["markdown"]["text"]
    ts = got.query["timestamp"][0]
    assert ts == str(int(AT.timestamp() * 1000)) or len(ts) == 13  # milliseconds
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert got.query["sign"] == [expected]  # parse_qs decodes once: sent URL-encoded once
    assert "%2B" in got.raw_query or "+" not in expected  # a '+' in base64 arrives encoded
    delivery = Delivery.objects.get(webhook=hook)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 1, "")


@pytest.mark.django_db
def test_it_posts_a_wecom_markdown(
    world: World, robot: FakeRobot, django_capture_on_commit_callbacks: Any
) -> None:
    hook = hook_for(world, robot, Vendor.WECOM)
    send_alert(world, django_capture_on_commit_callbacks)
    (got,) = robot.received
    assert got.path == "/cgi-bin/webhook/send"
    assert got.query == {"key": ["key-wecom-456"]}
    assert set(got.body) == {"msgtype", "markdown"}
    assert got.body["msgtype"] == "markdown"
    assert set(got.body["markdown"]) == {"content"}
    assert "健康异常预警" in got.body["markdown"]["content"]
    assert "甲一车间 1 人体温异常" in got.body["markdown"]["content"]
    assert Delivery.objects.get(webhook=hook).status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_it_posts_a_signed_feishu_text(
    world: World, robot: FakeRobot, django_capture_on_commit_callbacks: Any
) -> None:
    """Feishu: text body; sign = base64(HmacSHA256(key="ts\\nsecret", msg="")), in the body."""
    robot.reply = {"code": 0, "msg": "success", "data": {}}
    hook = hook_for(world, robot, Vendor.FEISHU)
    send_alert(world, django_capture_on_commit_callbacks)
    (got,) = robot.received
    assert got.path == "/open-apis/bot/v2/hook/hook-feishu-789"
    assert got.query == {}
    assert got.body["msg_type"] == "text"
    assert "甲一车间 1 人体温异常" in got.body["content"]["text"]
    ts = got.body["timestamp"]
    assert isinstance(ts, str) and len(ts) == 10  # seconds
    key = f"{ts}\n{SECRET}".encode()
    assert (
        got.body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    )
    assert Delivery.objects.get(webhook=hook).status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_it_sends_unsigned_when_signing_is_off(
    world: World, robot: FakeRobot, django_capture_on_commit_callbacks: Any
) -> None:
    hook_for(world, robot, Vendor.DINGTALK, signed=False, secret="")
    robot.reply = {"errcode": 0, "errmsg": "ok"}
    send_alert(world, django_capture_on_commit_callbacks)
    (got,) = robot.received
    assert "sign" not in got.query and "timestamp" not in got.query


@pytest.mark.django_db
def test_it_sends_only_kinds_the_robot_subscribed_to(
    world: World, robot: FakeRobot, django_capture_on_commit_callbacks: Any
) -> None:
    hook_for(world, robot, Vendor.WECOM, kinds=[Kind.DECLARE_DIGEST])
    hook_for(world, robot, Vendor.WECOM, name="停用的群", enabled=False)
    assert send_alert(world, django_capture_on_commit_callbacks) == 1
    assert robot.received == []
    assert not Delivery.objects.exists()
    assert Message.objects.count() == 1  # the inbox still gets it


@pytest.mark.django_db
def test_it_sends_nothing_to_another_enterprises_robot(
    world: World, robot: FakeRobot, django_capture_on_commit_callbacks: Any
) -> None:
    hook_for(world, robot, Vendor.WECOM)
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(enterprise=world.a2, kind=Kind.HEALTH_ALERT, title="甲二", body="x", at=AT)
    assert robot.received == []


@pytest.mark.django_db
def test_it_keeps_id_numbers_phones_and_names_out_of_group_chats(
    world: World, robot: FakeRobot, django_capture_on_commit_callbacks: Any
) -> None:
    """PIPL: a group robot never carries an ID number, a phone or a full name."""
    hook_for(world, robot, Vendor.WECOM)
    leaky = "甲一张三 450222199001011012 电话 13812345678 体温 37.8"
    send_alert(world, django_capture_on_commit_callbacks, body=leaky)
    sent = robot.received[0].body["markdown"]["content"]
    assert "450222199001011012" not in sent and "13812345678" not in sent
    assert "4502**********1012" in sent
    robot.received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        missing_digest_send(
            enterprise=world.a1,
            missing=[
                Missing(enterprise_id=world.a1.pk, name="甲一张三"),
                Missing(world.a1.pk, "李四"),
            ],
            at=AT,
        )
    group = robot.received[0].body["markdown"]["content"]
    assert "甲一张三" not in group and "李四" not in group
    assert "甲***" in group and "李*" in group
    inbox = Message.objects.get(user=world.users["a1_officer"], kind=Kind.DECLARE_DIGEST)
    assert "甲一张三" in inbox.body and "李四" in inbox.body  # the officer's own inbox: names


@pytest.mark.django_db
def test_it_retries_a_vendor_error_and_logs_no_secret(
    world: World,
    robot: FakeRobot,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """errcode != 0: the delivery is retried, then failed; the log names no token or secret."""
    robot.reply = {"errcode": 310000, "errmsg": "sign not match, token tok-dingtalk-123"}
    hook = hook_for(world, robot, Vendor.DINGTALK)
    with caplog.at_level(logging.WARNING):
        send_alert(world, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(webhook=hook)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert delivery.last_error.startswith("310000")
    assert delivery_attempt(delivery_id=delivery.pk, at=AT, final=True) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    logged = caplog.text + delivery.last_error
    assert "310000" in caplog.text
    for secret in ("tok-dingtalk-123", SECRET, robot.base + "/robot"):
        assert secret not in logged


@pytest.mark.django_db
def test_it_retries_when_the_robot_is_unreachable(world: World, robot: FakeRobot) -> None:
    hook = hook_for(world, robot, Vendor.WECOM)
    Webhook.objects.filter(pk=hook.pk).update(
        url_encrypted=seal("http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
    )
    delivery = Delivery.objects.create(
        webhook=hook, kind=Kind.HEALTH_ALERT, title="t", text="x", created_at=AT
    )
    assert delivery_attempt(delivery_id=delivery.pk, at=AT, final=False) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.RETRYING, "network URLError")


@pytest.mark.django_db
def test_it_fails_an_http_error_with_the_vendors_code(world: World, robot: FakeRobot) -> None:
    robot.status, robot.reply = 400, {"code": 9499, "msg": "Bad Request"}
    hook = hook_for(world, robot, Vendor.FEISHU)
    delivery = Delivery.objects.create(
        webhook=hook, kind=Kind.HEALTH_ALERT, title="t", text="x", created_at=AT
    )
    assert delivery_attempt(delivery_id=delivery.pk, at=AT, final=True) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "9499 Bad Request")
