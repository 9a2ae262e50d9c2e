from __future__ import annotations

from django.apps import AppConfig


class MobilityConfig(AppConfig):
    name = "parkguard.mobility"
    verbose_name = "出行与返岗"

    def ready(self) -> None:
        # The personal file shows the person's returns and isolation records (issue 12
        # §3), without people importing mobility.
        from parkguard.mobility.selectors import return_section
        from parkguard.people import sections

        sections.register("mobility", return_section)
