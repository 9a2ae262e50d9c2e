"""Enumerations of lockdown command, rosters and living supplies."""

from __future__ import annotations

from django.db import models


class OrderState(models.TextChoices):
    ORDERED = "ordered", "封控中"
    LIFTED = "lifted", "已解封"


class Deadline(models.TextChoices):
    """The two L-3.0 deadlines each checkpoint runs against."""

    STAFFED = "staffed", "到岗"
    CLOSED = "closed", "完成封闭"


class PassKind(models.TextChoices):
    PRINTED = "printed", "纸质通行证"
    ELECTRONIC = "electronic", "电子通行码"


class TeamKind(models.TextChoices):
    """The three teams L-3.1 asks for."""

    POLICY = "policy", "政策解答组"
    REQUESTS = "requests", "诉求解决组"
    LIVING = "living", "生活保障组"


class NeedKind(models.TextChoices):
    LIVING = "living", "生活物资"
    MEDICAL = "medical", "医疗物资"
