from __future__ import annotations

from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "parkguard.duties"
    verbose_name = "防疫任务"
