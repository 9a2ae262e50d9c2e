from __future__ import annotations

from django.apps import AppConfig


class GateConfig(AppConfig):
    name = "parkguard.gate"
    verbose_name = "门岗查验"
