from __future__ import annotations

from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "parkguard.oversight"
    verbose_name = "督查整改"
