from __future__ import annotations

from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "parkguard.response"
    verbose_name = "分区与处置"
