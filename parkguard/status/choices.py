"""Enumerations of the person status."""

from __future__ import annotations

from django.db import models


class HoldKind(models.TextChoices):
    """Why a person's entry is blocked; each open hold carries its reason and citation.

    Later issues add kinds (isolation, zone, document); a new kind needs only a line here and
    a migration of the choices, never a change to how status is kept.
    """

    RETEST = "retest", "待单管复核"
    POSITIVE = "positive", "检测阳性"
    SYMPTOM = "symptom", "有症状"
    FEVER = "fever", "体温异常"
    SICK_LEAVE = "sick_leave", "病假"
    # A returnee's or visitor's plan (isolation, tests, reports) does not allow entry yet.
    PLAN = "plan", "返岗/来访计划未完成"
    MANUAL = "manual", "人工限制（经复核）"
    ZONE = "zone", "橙区/红区管控"
    # The person's enterprise or area is under a lockdown order and they hold no pass for it.
    LOCKDOWN = "lockdown", "封控区域内，无通行证"
    # The enterprise runs closed-loop production; the person is outside the loop (Z-5.0).
    CLOSED_LOOP = "closed_loop", "闭环管理，不得进出"


class OverrideAction(models.TextChoices):
    """What a manual override does to a person's entry status."""

    HOLD = "hold", "手动限制进入"
    RELEASE = "release", "解除限制"


class OverrideState(models.TextChoices):
    PENDING = "pending", "待复核"
    APPROVED = "approved", "已批准并生效"
    REFUSED = "refused", "已驳回"
