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
    TRIP = "trip", "行程与返岗"
    VISITOR = "visitor", "访客"
    POLICY_IMPACT = "policy_impact", "政策调整影响"
    STATUS_OVERRIDE = "status_override", "人工状态变更"
    INCIDENT = "incident", "疫情事件"
    SUPPLIES_LOW = "supplies_low", "防护物资不足"
    TRUCK = "truck", "货车与物流"
    PARCEL = "parcel", "快递与外卖"
    INSPECTION = "inspection", "检查与整改"
    APPROVAL = "approval", "审批"
    DRILL = "drill", "预案与演练"
    HOTLINE = "hotline", "热线与诉求"
    LOCKDOWN = "lockdown", "封控指令"
    CLOSED_LOOP = "closed_loop", "闭环生产"
    ROSTER = "roster", "值班排班"
    LIVING_SUPPLIES = "living_supplies", "生活物资保障"
    UTILITY_FAULT = "utility_fault", "水电气故障"
    DAILY_REPORT = "daily_report", "每日报告"
    PRIVACY = "privacy", "个人信息权利"
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
