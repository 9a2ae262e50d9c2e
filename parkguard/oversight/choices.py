"""Enumerations of oversight: inspections, checklist results, the rectification ledger."""

from __future__ import annotations

from django.db import models


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", "已计划"
    DONE = "done", "已检查"


class CheckResult(models.TextChoices):
    OK = "ok", "符合"
    PROBLEM = "problem", "有问题"
    NOT_APPLICABLE = "na", "不涉及"
    UNCHECKED = "", "未检查"


class RectificationStatus(models.TextChoices):
    OPEN = "open", "待整改"
    REPLIED = "replied", "待复核"
    CLOSED = "closed", "已销号"


class EventKind(models.TextChoices):
    """What happened to a rectification item: its history, in the order it happened."""

    OPENED = "opened", "下发整改"
    REPLIED = "replied", "企业回复"
    CLOSED = "closed", "复核销号"
    REOPENED = "reopened", "退回重改"
    ESCALATED = "escalated", "逾期督办"
    REPORTED = "reported", "上报专项工作组"


class PhotoRole(models.TextChoices):
    FINDING = "finding", "问题照片"
    EVIDENCE = "evidence", "整改佐证"
