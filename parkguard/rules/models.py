"""A park's adoption of rule packs: which notices it follows and its values for their parameters."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.orgs.models import Jurisdiction


class PackAdoption(models.Model):
    """A park follows a pack (by id: each version applies from its own effective date).

    `params` holds the park's values for what the notice leaves to the locality
    (e.g. "a negative test within the hours the locality sets", Z-5.2e).
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="pack_adoptions"
    )
    pack_id = models.CharField("规则包", max_length=100)
    params = models.JSONField("园区参数", default=dict, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adopted_at = models.DateTimeField("采用时间")

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "采用的规则包"
        verbose_name_plural = "采用的规则包"
        ordering = ["jurisdiction_id", "pack_id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "pack_id"], name="adoption_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} · {self.pack_id}"
