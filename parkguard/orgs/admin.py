from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import scope_of, visible
from parkguard.orgs.models import (
    ApiToken,
    Enterprise,
    Jurisdiction,
    Membership,
    OrgUnit,
    SupervisionOffice,
)
from parkguard.orgs.scoped_admin import ScopedAdmin

# Second-factor devices are managed from the account pages (enrol, reset), never edited in
# the back office, where a key could be read or a device moved to another user.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(Jurisdiction)
class JurisdictionAdmin(ScopedAdmin):
    list_display = ["name", "kind", "parent", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    read_only = True


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ["name", "credit_code", "jurisdiction", "industry", "whitelisted"]
    list_filter = ["whitelisted"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["park_cadre", "community_liaison"]
    # Creation and edits go through the pages, whose services validate the credit code.
    read_only = True


@admin.register(SupervisionOffice)
class SupervisionOfficeAdmin(ScopedAdmin):
    list_display = ["name", "jurisdiction", "responsibilities", "basis", "order"]
    search_fields = ["name", "responsibilities"]
    # Edited on the park's page (主管办所), whose service checks names and the park.
    read_only = True


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "enterprise", "parent", "responsible_name"]
    list_filter = ["kind"]
    search_fields = ["name", "enterprise__name"]
    read_only = True


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "role", "jurisdiction", "enterprise"]
    list_filter = ["role"]
    search_fields = ["user__username"]
    read_only = True


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    list_display = ["name", "prefix", "enterprise", "jurisdiction", "created_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "created_by", "created_at", "last_used_at"]
    read_only = True


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """The audit log, read-only; registered here because the audit app sits below orgs."""

    list_display = ["at", "actor_label", "action", "target_type", "target_id", "reason"]
    list_filter = ["action"]
    search_fields = ["actor_label", "reason"]
    read_only = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return visible(scope_of(request), AuditEvent.objects.all(), action="read_audit")
