"""An append-only, hash-chained log of sensitive actions (reveals, exports, logins, overrides)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One sensitive action. `digest` chains over the previous event, so any edit shows."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("操作人账号", max_length=150)
    action = models.CharField("操作", max_length=50, db_index=True)
    target_type = models.CharField("对象类型", max_length=50, blank=True)
    target_id = models.CharField("对象", max_length=50, blank=True)
    enterprise_id_ref = models.BigIntegerField("企业", null=True, blank=True, db_index=True)
    jurisdiction_id_ref = models.BigIntegerField("辖区", null=True, blank=True, db_index=True)
    reason = models.CharField("事由", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)

    # Read through orgs.access with action "read_audit": the enterprise's editors, the park admin.
    scope_jurisdiction = "jurisdiction_id_ref"
    scope_enterprise = "enterprise_id_ref"

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an existing event is never rewritten.
        if self.pk is not None:
            raise RuntimeError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("审计记录只能追加，不能删除")
