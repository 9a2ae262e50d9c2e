from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "parkguard.notify"
    verbose_name = "消息通知"
