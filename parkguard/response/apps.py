from __future__ import annotations

from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "parkguard.response"
    verbose_name = "分区与处置"

    def ready(self) -> None:
        # The personal file shows the person's zone and why (Z-5.1), without people
        # importing response.
        from parkguard.people import sections
        from parkguard.response.selectors import zone_section

        sections.register("response", zone_section)
