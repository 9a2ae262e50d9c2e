"""Enumerations of trips, returns and risk areas."""

from __future__ import annotations

from django.db import models


class TripPurpose(models.TextChoices):
    WORK = "work", "因公"
    PRIVATE = "private", "因私"


class TripStatus(models.TextChoices):
    FILED = "filed", "已备案"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"
    RETURNED = "returned", "已返回"
    CANCELLED = "cancelled", "已取消"


# A trip whose itinerary may still change.
TRIP_OPEN = (TripStatus.FILED, TripStatus.PENDING, TripStatus.APPROVED)


class Transport(models.TextChoices):
    TRAIN = "train", "火车/高铁"
    PLANE = "plane", "飞机"
    COACH = "coach", "长途汽车"
    CAR = "car", "自驾"
    SHIP = "ship", "轮船"
    OTHER = "other", "其他"


class PlanState(models.TextChoices):
    OPEN = "open", "执行中"
    DONE = "done", "已解除"
    SUPERSEDED = "superseded", "已被新计划取代"


class EvidenceKind(models.TextChoices):
    NOTICE = "notice", "申报/报告"
    TEST = "test", "核酸检测"
    DOCUMENT = "document", "材料"


class TestResult(models.TextChoices):
    NEGATIVE = "negative", "阴性"
    POSITIVE = "positive", "阳性"
    PENDING = "pending", "待出结果"


class IsolationKind(models.TextChoices):
    """The packs' phase kinds that are a place or a regime a person stays under."""

    CENTRALISED = "centralised_isolation", "集中隔离"
    HOME = "home_isolation", "居家隔离"
    HOME_MONITORING = "home_health_monitoring", "居家健康监测"
    ENTERPRISE = "enterprise_observation", "企业隔离观察点"
    ISOLATION_POINT = "isolation_point", "隔离点"


class PointKind(models.TextChoices):
    OBSERVATION = "observation", "防疫隔离观察点（B-2.4）"
    BUFFER = "buffer", "外来人员过渡缓冲区（J-1.2.5）"


class VisitorState(models.TextChoices):
    REGISTERED = "registered", "待来访人填写"
    FILLED = "filled", "已填写"
    CANCELLED = "cancelled", "已取消"


class ChangeKind(models.TextChoices):
    VERSION = "version", "启用规则包新版本"
    PARAMS = "params", "修改园区参数"
    RISK_AREAS = "risk_areas", "风险区域变化"
