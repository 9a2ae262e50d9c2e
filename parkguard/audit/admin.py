from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from parkguard.audit.models import AuditEvent
from parkguard.lib.admin import ScopedAdmin
from parkguard.orgs.access import scope_of


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "reason"]
    list_filter = ["action"]
    search_fields = ["actor_label", "reason"]
    read_only = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        scope = scope_of(request)
        queryset = AuditEvent.objects.all()
        if scope.superuser:
            return queryset
        return queryset.filter(
            Q(jurisdiction_id_ref__in=scope.admin_jurisdiction_ids)
            | Q(enterprise_id_ref__in=scope.staff_enterprise_ids)
        )
