from __future__ import annotations

from django.apps import AppConfig


class MobilityConfig(AppConfig):
    name = "parkguard.mobility"
    verbose_name = "出行与返岗"
