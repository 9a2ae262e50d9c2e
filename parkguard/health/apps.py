from __future__ import annotations

from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "parkguard.health"
    verbose_name = "健康管理"

    def ready(self) -> None:
        # Tell the status rebuild what health knows (declarations, readings), without
        # status importing health.
        from parkguard.health.selectors import status_evidence
        from parkguard.status import sources

        sources.register("health", status_evidence)
