from __future__ import annotations

from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "parkguard.status"
    verbose_name = "人员状态"
