"""Enumerations of the health app."""

from __future__ import annotations

from django.db import models


class CodeColour(models.TextChoices):
    """The health-code colour as the person sees it on their own phone (self-reported)."""

    GREEN = "green", "绿码"
    YELLOW = "yellow", "黄码"
    RED = "red", "红码"


class ReadingSource(models.TextChoices):
    """Where a temperature was taken (B-2.2b: factory gate and office entrance)."""

    GATE = "gate", "厂区入口"
    OFFICE = "office", "办公场所入口"
    MANUAL = "manual", "人工测温"


class AlertKind(models.TextChoices):
    SYMPTOM = "symptom", "申报症状"
    FEVER = "fever", "体温异常"


class VaccineKind(models.TextChoices):
    INACTIVATED = "inactivated", "灭活疫苗"
    RECOMBINANT = "recombinant", "重组蛋白疫苗"
    ADENOVIRUS = "adenovirus", "腺病毒载体疫苗"
    OTHER = "other", "其他"
