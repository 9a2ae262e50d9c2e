from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "parkguard.notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from django.core import checks

        from parkguard.lib.queue_lease import lease_order_check

        # The queue's lease must outlast an import's (notify wires the lease into huey).
        checks.register(lease_order_check)
