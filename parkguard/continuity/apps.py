from __future__ import annotations

from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "parkguard.continuity"
    verbose_name = "闭环生产与生产保障"
