from __future__ import annotations

from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "parkguard.rules"
    verbose_name = "规则包"
