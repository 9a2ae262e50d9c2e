from __future__ import annotations

from django.contrib import admin

from parkguard.orgs.scoped_admin import ScopedAdmin
from parkguard.reporting.models import DailyReport


@admin.register(DailyReport)
class DailyReportAdmin(ScopedAdmin):
    # Reports change only through the services (pre-fill, correction, submission).
    read_only = True
    list_display = ["jurisdiction", "on", "state", "late", "zero", "submitted_at"]
    list_filter = ["state", "late", "zero"]
