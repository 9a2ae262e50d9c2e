from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parkguard.audit.labels import ACTION_LABELS, action_choices, action_label
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
    list_display = ["account", "role", "jurisdiction", "enterprise"]
    list_filter = ["role"]
    search_fields = ["user__username"]
    read_only = True

    @admin.display(description="账号", ordering="user__username")
    def account(self, obj: Membership) -> str:
        return str(obj.user)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    list_display = ["name", "prefix", "enterprise", "jurisdiction", "created_at", "revoked_at"]
    readonly_fields = ["digest_shown", "prefix", "creator", "created_at", "last_used_at"]
    exclude = ["digest", "created_by"]
    read_only = True

    @admin.display(description="令牌摘要")
    def digest_shown(self, obj: ApiToken) -> str:
        return obj.digest

    @admin.display(description="创建人")
    def creator(self, obj: ApiToken) -> str:
        return str(obj.created_by) if obj.created_by else "—"


class AuditActionFilter(admin.SimpleListFilter):
    """The audit log's filter by action, each action by its Chinese name."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return action_choices(sorted(ACTION_LABELS))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """The audit log, read-only; registered here because the audit app sits below orgs."""

    list_display = ["at", "actor_label", "action_shown", "target_type", "target_id", "reason"]
    list_filter = [AuditActionFilter]
    search_fields = ["actor_label", "reason"]
    read_only = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return visible(scope_of(request), AuditEvent.objects.all(), action="read_audit")

    @admin.display(description="操作", ordering="action")
    def action_shown(self, obj: AuditEvent) -> str:
        return action_label(obj.action)
