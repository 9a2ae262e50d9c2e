from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "parkguard.privacy"
    verbose_name = "个人信息权利与数据保存"
