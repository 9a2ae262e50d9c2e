from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo county (`manage.py demo_load`); it sits on top and nothing imports it."""

    name = "parkguard.demo"
    verbose_name = "演示数据"
