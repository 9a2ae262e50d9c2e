"""Enumerations of the daily report and the command board (L-4.3, item 8)."""

from __future__ import annotations

from django.db import models


class ReportState(models.TextChoices):
    DRAFT = "draft", "待审核"
    SUBMITTED = "submitted", "已报送"


class BoardStatus(models.TextChoices):
    """An enterprise's colour on the command board, least to most severe."""

    NORMAL = "normal", "正常生产"
    CLOSED_LOOP = "closed_loop", "闭环生产"
    INCIDENT = "incident", "疫情处置中"
    LOCKDOWN = "lockdown", "封控"


BOARD_SEVERITY = [s.value for s in BoardStatus]


class UnitState(models.TextChoices):
    """Where one township's or park's report of the day stands, as the county sees it."""

    ON_TIME = "on_time", "按时报送"
    LATE = "late", "逾期报送"
    PENDING = "pending", "未报送（未到截止时间）"
    OVERDUE = "overdue", "未报送（已超时）"
