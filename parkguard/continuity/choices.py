"""Enumerations of production continuity: key posts, rota roles, utility faults."""

from __future__ import annotations

from django.db import models


class PostKind(models.TextChoices):
    """J-2.5 names both: a post people hold, and a process that must keep running."""

    POST = "post", "关键岗位"
    PROCESS = "process", "关键工序"


class PostRole(models.TextChoices):
    PRIMARY = "primary", "在岗"
    BACKUP = "backup", "备岗"


class Utility(models.TextChoices):
    """L-2.3: water, power and gas."""

    WATER = "water", "供水"
    POWER = "power", "供电"
    GAS = "gas", "供气"


class FaultState(models.TextChoices):
    REPORTED = "reported", "已报修"
    ASSIGNED = "assigned", "抢修中"
    REPAIRED = "repaired", "已修复"
