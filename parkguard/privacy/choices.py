"""Enumerations of subject rights and retention."""

from __future__ import annotations

from django.db import models


class CorrectionField(models.TextChoices):
    """What a person says is wrong in their record."""

    NAME = "name", "姓名"
    PHONE = "phone", "手机号"
    ADDRESS = "address", "住址、宿舍或居住社区"
    POST = "post", "部门、岗位或班次"
    HEALTH = "health", "健康申报或体温"
    TEST = "test", "核酸或抗原检测结果"
    TRIP = "trip", "出行、返岗或隔离记录"
    STATUS = "status", "通行状态或分区"
    ACCESS = "access", "出入记录"
    OTHER = "other", "其他"


class CorrectionState(models.TextChoices):
    OPEN = "open", "待答复"
    CORRECTED = "corrected", "已更正"
    REFUSED = "refused", "不予更正（已说明理由）"


class PurgeKind(models.TextChoices):
    SCHEDULED = "scheduled", "到期清除（按保存期限）"
    EMERGENCY = "emergency", "疫情结束清除"


class PurgeState(models.TextChoices):
    PENDING = "pending", "待复核"
    DONE = "done", "已清除"
    REFUSED = "refused", "已驳回"
