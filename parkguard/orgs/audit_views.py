"""The audit log page (issue 18 §1): park admins and enterprise officers search, in Chinese,
the entries `access` lets them read. Searching is not itself audited (docs/security.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parkguard.orgs import audit_log
from parkguard.orgs.access import require_at_all, scope_of

PAGE_SIZE = 50


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    require_at_all(scope, "read_audit")
    enterprises = audit_log.readable_enterprises(scope)
    form = audit_log.AuditFilterForm(request.GET or None, enterprises=enterprises)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = audit_log.audit_entries(scope=scope, filters=filters)
    if form.is_bound and not form.is_valid():
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": audit_log.audit_rows(list(page.object_list)),
        "query": query.urlencode(),
        "show_enterprise": len(enterprises) > 1 or scope.superuser,
    }
    return render(request, "audit/list.html", context)
