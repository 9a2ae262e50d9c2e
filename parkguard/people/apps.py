from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "parkguard.people"
    verbose_name = "人员台账"
