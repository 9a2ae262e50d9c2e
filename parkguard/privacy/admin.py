from __future__ import annotations

from django.contrib import admin

from parkguard.orgs.scoped_admin import ScopedAdmin
from parkguard.privacy.models import CorrectionRequest, Purge


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ScopedAdmin):
    list_display = ["field", "state", "filed_at", "due_at"]
    list_filter = ["state", "field"]
    readonly_fields = [f.name for f in CorrectionRequest._meta.fields if f.name != "id"]


@admin.register(Purge)
class PurgeAdmin(ScopedAdmin):
    list_display = ["kind", "state", "requested_at", "done_at"]
    readonly_fields = [f.name for f in Purge._meta.fields if f.name != "id"]
