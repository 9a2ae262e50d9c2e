from __future__ import annotations

from django.apps import AppConfig


class SuppliesConfig(AppConfig):
    name = "parkguard.supplies"
    verbose_name = "防护物资与消杀"
