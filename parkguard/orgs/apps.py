from __future__ import annotations

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "parkguard.orgs"
    verbose_name = "组织与角色"
