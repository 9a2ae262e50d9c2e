from __future__ import annotations

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "parkguard.reporting"
    verbose_name = "每日报告与指挥看板"
