from __future__ import annotations

from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """Dashboards that read across apps; nothing imports this app and it writes nothing."""

    name = "parkguard.overview"
    verbose_name = "总览"
