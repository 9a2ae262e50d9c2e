"""A park's adoption of rule packs: which notices it follows and its values for their parameters."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.orgs.models import Jurisdiction
from parkguard.rules.choices import UploadStatus


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


class UploadedPack(models.Model):
    """A pack a park admin uploaded: a draft until a second admin of the park publishes it.

    A draft is never in force (it is not in any registry a plan uses). Publishing records
    who proposed and who approved (two different people) and the sha256 of the canonical
    text (`digest`); from then on the row is immutable: the service refuses any change and
    a database trigger refuses an UPDATE of a published row (migration 0002).
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="uploaded_packs"
    )
    pack_id = models.CharField("规则包", max_length=100)
    version = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=300)
    file = models.CharField("文件名", max_length=200)
    text = models.TextField("内容（YAML）")
    status = models.CharField(
        "状态", max_length=20, choices=UploadStatus.choices, default=UploadStatus.DRAFT
    )
    digest = models.CharField("内容指纹（sha256）", max_length=64, blank=True)
    # PROTECT throughout: a SET_NULL would be an UPDATE of a published row.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("提请发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "上传的规则包"
        verbose_name_plural = "上传的规则包"
        ordering = ["jurisdiction_id", "pack_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "pack_id", "version"], name="uploaded_pack_unique"
            ),
            # Published: fingerprinted, proposed by one admin and approved by another.
            models.CheckConstraint(
                condition=models.Q(status=UploadStatus.DRAFT)
                | (
                    models.Q(status=UploadStatus.PUBLISHED)
                    & ~models.Q(digest="")
                    & models.Q(proposed_by__isnull=False, published_by__isnull=False)
                    & models.Q(proposed_at__isnull=False, published_at__isnull=False)
                    & ~models.Q(published_by=models.F("proposed_by"))
                ),
                name="uploaded_pack_published_by_two",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pack_id}@{self.version}（{self.get_status_display()}）"

    @property
    def key(self) -> str:
        return f"{self.pack_id}@{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == UploadStatus.DRAFT
