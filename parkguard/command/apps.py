from __future__ import annotations

from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "parkguard.command"
    verbose_name = "封控指挥"
