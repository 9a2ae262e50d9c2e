"""A ModelAdmin base that serves only what orgs.access lets the user see."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from parkguard.orgs.access import scope_of, visible
from parkguard.orgs.choices import Role


class ScopedAdmin(admin.ModelAdmin):
    """Back-office for superusers and park admins, each within their own scope."""

    read_only = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return visible(scope_of(request), super().get_queryset(request))

    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_active and scope_of(request).has_role(Role.PARK_ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request) and not self.read_only

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request) and not self.read_only

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser and not self.read_only
