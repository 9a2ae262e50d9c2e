from __future__ import annotations

from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "parkguard.logistics"
    verbose_name = "货车与物流"
