"""Enumerations of protective supplies and disinfection."""

from __future__ import annotations

from django.db import models


class ItemKind(models.TextChoices):
    """Protective supplies Z-5.3e names (masks, alcohol, sanitiser, thermometers) and H-4.1's
    other protective items."""

    MASK = "mask", "防护口罩"
    ALCOHOL = "alcohol", "酒精"
    SANITISER = "sanitiser", "免洗洗手液"
    THERMOMETER = "thermometer", "测温仪"
    SUIT = "suit", "防护服"
    GLOVES = "gloves", "手套"
    DISINFECTANT = "disinfectant", "消毒液"
    OTHER = "other", "其他"


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", "入库"
    ISSUE = "issue", "发放"
    REPLACE = "replace", "到期更换"
    DISPOSE = "dispose", "报废处置"
