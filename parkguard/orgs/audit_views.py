"""The audit log page (issue 18 §1): park admins and enterprise officers search, in Chinese,
the entries `access` lets them read. Searching is not itself audited (docs/security.md);
exporting the search (park admins, CSV or .xlsx) is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from parkguard.orgs import audit_log
from parkguard.orgs.access import Scope, may_at_all, require_at_all, scope_of

PAGE_SIZE = 50


def _page(
    request: HttpRequest,
    scope: Scope,
    form: audit_log.AuditFilterForm,
    *,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    """The page for `form` (bound to the query), or no entries when it is invalid."""
    enterprises = audit_log.readable_enterprises(scope)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = audit_log.audit_entries(scope=scope, filters=filters)
    if (form.is_bound and not form.is_valid()) or refusal:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "form": form,
        "page": page,
        "rows": audit_log.audit_rows(list(page.object_list)),
        "query": query.urlencode(),
        "show_enterprise": len(enterprises) > 1 or scope.superuser,
        "can_export": may_at_all(scope, "export_audit"),
        "refusal": refusal,
    }
    return render(request, "audit/list.html", context, status=status)


def _form(request: HttpRequest, scope: Scope) -> audit_log.AuditFilterForm:
    data = request.GET.copy()
    data.pop("format", None)
    data.pop("page", None)
    enterprises = audit_log.readable_enterprises(scope)
    return audit_log.AuditFilterForm(data or None, enterprises=enterprises)


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    require_at_all(scope, "read_audit")
    return _page(request, scope, _form(request, scope))


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """The page's search as a file: the same filters, the caller's park only, masked as the
    page is; a bad filter gives the page with its Chinese error (400) and no file."""
    scope = scope_of(request)
    require_at_all(scope, "export_audit")
    form = _form(request, scope)
    if form.is_bound and not form.is_valid():
        return _page(request, scope, form, status=400)
    fmt = request.GET.get("format", "")
    user = request.user if request.user.is_authenticated else None
    try:
        data, _rows = audit_log.audit_export(
            scope=scope,
            filters=form.cleaned_data if form.is_bound else {},
            fmt=fmt,
            at=timezone.now(),
            by=user,
        )
    except audit_log.ExportRefused as refused:
        return _page(request, scope, form, status=400, refusal=str(refused))
    content_type = CSV if fmt == "csv" else XLSX
    response = HttpResponse(data, content_type=content_type)
    day = timezone.localdate()
    response["Content-Disposition"] = f'attachment; filename="audit-log-{day}.{fmt}"'
    return response


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
