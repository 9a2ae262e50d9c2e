"""Enumerations of the notification app."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    """What a message is about; a group webhook subscribes to some of these kinds.

    Other apps send with these values (`notify_send(kind=Kind.HEALTH_ALERT, ...)`); a new
    kind is added here, so the webhook settings page can offer it.
    """

    GENERAL = "general", "通知"
    DECLARE_REMINDER = "declare_reminder", "健康申报提醒"
    DECLARE_DIGEST = "declare_digest", "未申报人员汇总"
    HEALTH_ALERT = "health_alert", "健康异常预警"
    TEST_DUE = "test_due", "检测到期提醒"
    TEST_OVERDUE = "test_overdue", "检测逾期"
    TEST_RESULT = "test_result", "检测结果"
    WEBHOOK_TEST = "webhook_test", "测试消息"


# Kinds a webhook may subscribe to (the test message is sent on demand, to one webhook).
WEBHOOK_KINDS = [k for k in Kind if k != Kind.WEBHOOK_TEST]


class Vendor(models.TextChoices):
    DINGTALK = "dingtalk", "钉钉自定义机器人"
    WECOM = "wecom", "企业微信群机器人"
    FEISHU = "feishu", "飞书自定义机器人"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    RETRYING = "retrying", "重试中"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败"
