"""Pages of the person ledger: the ledger, the personal file, import/export, rosters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.lib.forms import form_errors_apply
from parkguard.orgs.access import (
    NOT_FOUND,
    Scope,
    can,
    can_edit_enterprise,
    get_visible_or_404,
    may_at_all,
    require,
    require_edit_enterprise,
    scope_of,
    visible,
)
from parkguard.orgs.choices import ENTERPRISE_ROLES, JURISDICTION_ROLES, PARK_EDITORS
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.orgs.selectors import parks_of, unit_paths
from parkguard.people import exporting, importing, sections, selectors, services
from parkguard.people.choices import IMPORT_RUNNING, EmploymentStatus, ImportStatus
from parkguard.people.forms import (
    ConflictReviewForm,
    ExportForm,
    FilterForm,
    FindForm,
    HouseholdForm,
    ImportForm,
    LookupForm,
    PersonForm,
    RevealForm,
    RosterSearchForm,
    StatusForm,
)
from parkguard.people.identity import payload_cipher
from parkguard.people.models import HouseholdMember, Person, PersonImport
from parkguard.people.sheets import SheetError, sheet_upload

PAGE_SIZE = 50
# A community's roster runs to a thousand residents: a page of them keeps it readable on a
# phone and quick to open (one reveal form per row); the export and the search cover all.
ROSTER_PAGE_SIZE = 100


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _person(scope: Scope, person_id: int) -> Person:
    return get_visible_or_404(
        scope,
        Person.objects.select_related(
            "enterprise__jurisdiction", "org_unit", "home_community", "home_grid"
        ),
        pk=person_id,
    )


def _with_paths(people: Iterable[Person]) -> list[Person]:
    """People with `unit_path` set, how every page names their org unit (生产部/一车间/甲班)."""
    listed = list(people)
    paths = unit_paths(enterprise_ids={p.enterprise_id for p in listed})
    for person in listed:
        person.unit_path = paths.get(person.org_unit_id, "") if person.org_unit_id else ""  # type: ignore[attr-defined]
    return listed


def _filters(form: FilterForm) -> selectors.PersonFilters:
    if not form.is_valid():
        return selectors.PersonFilters()
    data = form.cleaned_data
    wide = {"1": True, "0": False}.get(data.get("wide_contact") or "")
    unit = data.get("org_unit")
    return selectors.PersonFilters(
        category=data.get("category") or "",
        status=data.get("status") or "",
        org_unit=unit.pk if unit else None,
        post=data.get("post") or "",
        wide_contact=wide,
        search=data.get("q") or "",
    )


@login_required
def ledger_home(request: HttpRequest) -> HttpResponse:
    """Where the navigation's 人员台账 leads: the one ledger, or a choice of them."""
    scope = scope_of(request)
    has_enterprise_view = scope.superuser or bool(
        scope.roles & (JURISDICTION_ROLES | ENTERPRISE_ROLES)
    )
    if not has_enterprise_view and scope.community_ids:
        return redirect("community_roster")
    enterprises = list(selectors.ledger_enterprises(scope=scope))
    if len(enterprises) == 1 and not scope.roles & JURISDICTION_ROLES:
        return redirect("person_list", enterprise_id=enterprises[0].pk)
    sizes = selectors.large_sizes(enterprises, on=timezone.localdate())
    rows = [
        (
            e,
            e.headcount,  # type: ignore[attr-defined]
            sizes[e.jurisdiction_id].includes(e.headcount),  # type: ignore[attr-defined]
            sizes[e.jurisdiction_id].label,
        )
        for e in enterprises
    ]
    parks = list(parks_of(scope=scope)) if scope.has_role(*PARK_EDITORS) else []
    return render(
        request,
        "people/ledger_home.html",
        {
            "rows": rows,
            "parks": parks,
            "has_roster": bool(scope.community_ids),
            "can_lookup": may_at_all(scope, "assist_lookup"),
        },
    )


@login_required
@require_GET
def person_list(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    form = FilterForm(request.GET or None, enterprise=enterprise)
    people = selectors.person_list(scope=scope, enterprise=enterprise, filters=_filters(form))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_paths(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "e": enterprise,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_edit": can_edit_enterprise(scope, enterprise),
    }
    template = "people/_table.html" if request.htmx else "people/person_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def person_find(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Find people by a whole ID number or phone; POST, so the number stays out of URLs."""
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    form = FindForm(request.POST if request.method == "POST" else None)
    found: list[Person] = []
    if request.method == "POST" and form.is_valid():
        try:
            found = selectors.person_lookup(
                scope=scope,
                enterprise=enterprise,
                number=form.cleaned_data["id_number"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            if len(found) == 1:
                return redirect("person_detail", person_id=found[0].pk)
    status = 422 if form.errors else 200  # a refused lookup is an answer, not a page
    response = render(
        request,
        "people/person_find.html",
        {"e": enterprise, "form": FindForm(), "errors_form": form, "found": _with_paths(found)},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def people_lookup(request: HttpRequest) -> HttpResponse:
    """协查: paste up to LOOKUP_MAX_NUMBERS ID numbers, see who is in your scope (audited)."""
    scope = scope_of(request)
    if not may_at_all(scope, "assist_lookup"):
        raise Http404(NOT_FOUND)
    form = LookupForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.people_lookup_answer(
                scope=scope,
                actor=_user(request),
                text=form.cleaned_data["numbers"],
                today=timezone.localdate(),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
    if result is not None:
        _with_paths(p for line in result.lines for p in line.people)
    response = render(
        request,
        "people/lookup.html",
        {
            "form": LookupForm() if result is not None else form,
            "result": result,
            "max_numbers": settings.LOOKUP_MAX_NUMBERS,
        },
        status=422 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def person_print(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """A print-friendly roster (masked), with the same filters as the ledger."""
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    form = FilterForm(request.GET or None, enterprise=enterprise)
    people = selectors.person_list(scope=scope, enterprise=enterprise, filters=_filters(form))
    return render(
        request,
        "people/person_print.html",
        {"e": enterprise, "people": _with_paths(people), "now": timezone.localtime()},
    )


def _export_response(
    request: HttpRequest,
    scope: Scope,
    enterprise: Enterprise,
    people: QuerySet[Person],
    *,
    reason: str = "",
) -> HttpResponse:
    now = timezone.now()
    body = services.ledger_export(
        scope=scope,
        enterprise=enterprise,
        people=people,
        actor=_user(request),
        reason=reason,
        at=now,
    )
    response = HttpResponse(body, content_type=exporting.XLSX)
    suffix = "完整号码" if reason else "脱敏"
    filename = f"{enterprise.name}-人员台账-{timezone.localdate():%Y%m%d}-{suffix}.xlsx"
    response["Content-Disposition"] = _attachment(filename)
    response["Cache-Control"] = "no-store"
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(filename)}"


@login_required
@require_http_methods(["GET", "POST"])
def person_export(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """GET: the masked workbook. POST with a reason: full numbers, for those who may reveal."""
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    form = FilterForm(request.GET or None, enterprise=enterprise)
    people = selectors.person_list(scope=scope, enterprise=enterprise, filters=_filters(form))
    if request.method == "GET" and "unmasked" not in request.GET:
        return _export_response(request, scope, enterprise, people)
    require(scope, "export", enterprise)
    export_form = ExportForm(request.POST or None)
    if request.method == "POST" and export_form.is_valid():
        try:
            reason = services.export_reason_check(export_form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors_apply(export_form, exc)
        else:
            return _export_response(request, scope, enterprise, people, reason=reason)
    return render(
        request,
        "people/export_unmasked.html",
        {"e": enterprise, "form": export_form, "query": request.GET.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require_edit_enterprise(scope, enterprise)
    form = PersonForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.person_create(
                scope=scope,
                enterprise=enterprise,
                id_number=data.pop("id_number"),
                phone=data.pop("phone"),
                today=timezone.localdate(),
                actor=_user(request),
                **data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"已建档：{person.name}")
            return redirect("person_detail", person_id=person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "e": enterprise, "title": "新增人员"}
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """The personal file (B-2.2); later features add their sections to it."""
    scope = scope_of(request)
    person = _with_paths([_person(scope, person_id)])[0]
    can_edit = selectors.can_edit_person(scope, person)
    return render(
        request,
        "people/person_detail.html",
        {
            "p": person,
            "can_edit": can_edit,
            "can_reveal": selectors.can_reveal_id(scope, person),
            "age": selectors.age_on(person.birth_date, timezone.localdate()),
            "events": visible(scope, person.employment_events.select_related("recorded_by"))[:50],
            "changes": selectors.person_changes(person=person),
            "household": selectors.household(scope=scope, person=person),
            "household_hidden": not selectors.can_see_household(scope, person),
            "household_hidden_text": selectors.HOUSEHOLD_HIDDEN,
            "reveal_form": RevealForm(),
            "status_form": StatusForm(initial={"on": timezone.localdate()}),
            "household_form": HouseholdForm(),
            "sections": sections.sections_for(scope=scope, person=person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = scope_of(request)
    person = _person(scope, person_id)
    require_edit_enterprise(scope, person.enterprise)
    form = PersonForm(request.POST or None, instance=person, enterprise=person.enterprise)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        id_number = data.pop("id_number") or ""
        phone = data.pop("phone") or None
        try:
            services.person_update(
                scope=scope,
                person=_person(scope, person_id),  # a fresh copy: a failure leaves the page intact
                today=timezone.localdate(),
                actor=_user(request),
                id_number=id_number,
                phone=phone,
                **data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("person_detail", person_id=person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "e": person.enterprise, "p": person, "title": f"编辑：{person.name}"},
    )


@login_required
@require_POST
def person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """Show one ID number in full, to a permitted user, with a recorded reason."""
    scope = scope_of(request)
    person = _person(scope, person_id)
    if not selectors.can_reveal_id(scope, person):
        raise PermissionDenied
    form = RevealForm(request.POST)
    value = ""
    if form.is_valid():
        try:
            value = services.person_id_reveal(
                scope=scope,
                person=person,
                actor=_user(request),
                reason=form.cleaned_data["reason"],
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
    response = render(
        request,
        "people/_reveal.html",
        {"p": person, "reveal_form": form, "value": value, "can_reveal": True},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def person_status(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = scope_of(request)
    person = _person(scope, person_id)
    require_edit_enterprise(scope, person.enterprise)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.person_status_change(
                scope=scope,
                person=person,
                today=timezone.localdate(),
                actor=_user(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"在岗状态已改为：{person.get_status_display()}")
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("person_detail", person_id=person.pk)


@login_required
@require_POST
def household_add(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = scope_of(request)
    person = _person(scope, person_id)
    require_edit_enterprise(scope, person.enterprise)
    form = HouseholdForm(request.POST)
    if form.is_valid():
        try:
            services.household_member_add(scope=scope, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            form = HouseholdForm()
    return render(
        request,
        "people/_household.html",
        {
            "p": person,
            "household": selectors.household(scope=scope, person=person),
            "household_form": form,
            "can_edit": True,
        },
    )


@login_required
@require_POST
def household_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    scope = scope_of(request)
    member = get_visible_or_404(
        scope, HouseholdMember.objects.select_related("person__enterprise"), pk=member_id
    )
    person = member.person
    require_edit_enterprise(scope, person.enterprise)
    services.household_member_remove(scope=scope, member=member)
    return render(
        request,
        "people/_household.html",
        {
            "p": person,
            "household": selectors.household(scope=scope, person=person),
            "household_form": HouseholdForm(),
            "can_edit": True,
        },
    )


@login_required
@require_GET
def import_template(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    require_edit_enterprise(scope, enterprise)
    response = HttpResponse(
        exporting.template_workbook(enterprise=enterprise), content_type=exporting.XLSX
    )
    response["Content-Disposition"] = _attachment(f"{enterprise.name}-人员台账导入模板.xlsx")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require_edit_enterprise(scope, enterprise)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Refused by its declared size before a byte of an oversized upload is read.
            data = sheet_upload(upload)
            batch = importing.person_import_start(
                scope=scope,
                enterprise=enterprise,
                actor=_user(request),
                filename=upload.name or "upload",
                data=data,
                today=timezone.localdate(),
            )
        except SheetError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("person_import_detail", import_id=batch.pk)
    recent = PersonImport.objects.filter(enterprise=enterprise).select_related("created_by")[:10]
    return render(
        request,
        "people/import_upload.html",
        {
            "e": enterprise,
            "form": form,
            "recent": recent,
            "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "max_rows": settings.IMPORT_MAX_ROWS,
        },
    )


def _import(request: HttpRequest, import_id: int) -> PersonImport:
    scope = scope_of(request)
    batch = get_visible_or_404(
        scope,
        PersonImport.objects.select_related("enterprise", "created_by").defer(
            "payload", "error_book"
        ),
        pk=import_id,
    )
    return importing.person_import_refresh(batch=batch, now=timezone.now())


@login_required
@require_GET
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The preview: counts, every bad row, and the confirm button when there are none."""
    batch = _import(request, import_id)
    scope = scope_of(request)
    return render(
        request,
        "people/import_detail.html",
        {
            "b": batch,
            "e": batch.enterprise,
            "running": batch.status in IMPORT_RUNNING,
            "can_edit": can_edit_enterprise(scope, batch.enterprise),
            "has_error_book": PersonImport.objects.filter(pk=batch.pk)
            .exclude(error_book=b"")
            .exists(),
            "creates": [c for c in batch.changes if c.get("action") == "create"],
            "updates": [c for c in batch.changes if c.get("action") == "update"],
            "listed": len(batch.changes),
            "truncated": len(batch.changes) < batch.create_count + batch.update_count,
        },
    )


@login_required
@require_GET
def import_error_book(request: HttpRequest, import_id: int) -> HttpResponse:
    """The upload with its bad cells filled red and commented (import editors only)."""
    batch = _import(request, import_id)
    require_edit_enterprise(scope_of(request), batch.enterprise)
    stored = PersonImport.objects.filter(pk=batch.pk).values_list("error_book", flat=True).first()
    if not stored:
        raise Http404(NOT_FOUND)
    body = payload_cipher().decrypt(bytes(stored))
    response = HttpResponse(body, content_type=exporting.XLSX)
    stem = batch.filename.rsplit(".", 1)[0]
    response["Content-Disposition"] = _attachment(f"{stem}-错误标注.xlsx")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """Polled by htmx while a job runs; asks the page to reload once it has finished."""
    batch = _import(request, import_id)
    running = batch.status in IMPORT_RUNNING
    response = render(request, "people/_progress.html", {"b": batch, "running": running})
    if not running and request.htmx:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = _import(request, import_id)
    require_edit_enterprise(scope_of(request), batch.enterprise)
    try:
        batch = importing.person_import_confirm(
            scope=scope_of(request), batch=batch, actor=_user(request), today=timezone.localdate()
        )
    except SheetError as exc:
        messages.error(request, exc.message)
    else:
        if batch.status == ImportStatus.DONE:
            messages.success(
                request, f"已导入：新增 {batch.create_count} 人，更新 {batch.update_count} 人"
            )
        elif batch.status == ImportStatus.FAILED:
            messages.error(request, batch.message)
    return redirect("person_import_detail", import_id=batch.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = _import(request, import_id)
    require_edit_enterprise(scope_of(request), batch.enterprise)
    message = importing.person_import_cancel(scope=scope_of(request), batch=batch)
    messages.info(request, message)
    return redirect("person_import_detail", import_id=batch.pk)


def _roster(request: HttpRequest) -> tuple[Scope, list[Jurisdiction], Any, str, RosterSearchForm]:
    scope = scope_of(request)
    communities = list(selectors.liaison_communities(scope=scope))
    chosen: Jurisdiction | None = None
    wanted = request.GET.get("community", "")
    if wanted:
        chosen = next((c for c in communities if str(c.pk) == wanted), None)
        if chosen is None:
            raise Http404(NOT_FOUND)
    elif communities:
        chosen = communities[0]
    status = request.GET.get("status", EmploymentStatus.ACTIVE)
    if status not in EmploymentStatus.values:
        status = ""
    form = RosterSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    roster = (
        selectors.community_roster(
            scope=scope, community=chosen, status=status, on=timezone.localdate(), search=search
        )
        if chosen
        else None
    )
    if roster is not None:
        _with_paths(p for g in roster.groups for p in g.people)
    return scope, communities, roster, status, form


@login_required
@require_GET
def community_roster(request: HttpRequest) -> HttpResponse:
    """The community liaison's roster of residents, across enterprises (J-2.1)."""
    _scope, communities, roster, status, form = _roster(request)
    query = request.GET.copy()
    query.pop("page", None)
    page, shown = _roster_page(roster, request.GET.get("page"))
    return render(
        request,
        "people/roster.html",
        {
            "communities": communities,
            "roster": roster,
            "status": status,
            "statuses": EmploymentStatus.choices,
            "form": form,
            "query": query.urlencode(),
            "page": page,
            "shown": shown,
            "reveal_form": RevealForm(),
        },
    )


def _roster_page(roster: Any, number: str | None) -> tuple[Any, list[tuple[Any, list[Person]]]]:
    """One page of the roster's residents, still grouped by enterprise: (page, [(group, people
    of the group on this page)]); a group keeps its own count of residents."""
    pairs = [(g, p) for g in roster.groups for p in g.people] if roster is not None else []
    page = Paginator(pairs, ROSTER_PAGE_SIZE).get_page(number)
    shown: list[tuple[Any, list[Person]]] = []
    for group, person in page.object_list:
        if not shown or shown[-1][0] is not group:
            shown.append((group, []))
        shown[-1][1].append(person)
    return page, shown


@login_required
@require_GET
def community_roster_export(request: HttpRequest) -> HttpResponse:
    """The roster as shown (community, status, search), masked; audited."""
    scope, _communities, roster, _status, _form = _roster(request)
    if roster is None:
        raise Http404(NOT_FOUND)
    body = services.roster_export(
        scope=scope,
        community=roster.community,
        roster=roster,
        actor=_user(request),
        at=timezone.now(),
    )
    response = HttpResponse(body, content_type=exporting.XLSX)
    name = f"{roster.community.name}-社区花名册-{timezone.localdate():%Y%m%d}-脱敏.xlsx"
    response["Content-Disposition"] = _attachment(name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def person_phone_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """A resident's phone in full, with a reason (roster liaison, officers); audited."""
    scope = scope_of(request)
    person = _person(scope, person_id)
    if not can(scope, "reveal_phone", person):
        raise PermissionDenied
    form = RevealForm(request.POST)
    value = ""
    if form.is_valid():
        try:
            value = services.person_phone_reveal(
                scope=scope,
                person=person,
                actor=_user(request),
                reason=form.cleaned_data["reason"],
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
    response = render(
        request, "people/_phone_reveal.html", {"p": person, "reveal_form": form, "value": value}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def id_conflicts(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The same ID number in two enterprises of the park, to resolve (park staff only)."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
    can_review = can(scope, "review", park)
    form = ConflictReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.id_conflict_review(
                scope=scope, park=park, actor=_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已记录处理说明")
            return redirect(reverse("id_conflicts", args=[park.pk]))
    return render(
        request,
        "people/id_conflicts.html",
        {
            "park": park,
            "open": selectors.id_conflicts(scope=scope, park=park),
            "reviewed": selectors.id_conflicts(scope=scope, park=park, reviewed=True),
            "can_review": can_review,
        },
    )
