from __future__ import annotations

from django.apps import AppConfig


class SamplingConfig(AppConfig):
    name = "parkguard.sampling"
    verbose_name = "核酸与抗原检测"

    def ready(self) -> None:
        # Tell the status rebuild what sampling knows (latest negative, pending results),
        # without status importing sampling.
        from parkguard.sampling.selectors import status_evidence
        from parkguard.status import sources

        sources.register("sampling", status_evidence)
