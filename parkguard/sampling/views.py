"""Pages of testing: the officer's rounds, sampling screen (a USB scanner types the barcode
and Enter), results and lab import; the employee's antigen report and results. Phone first."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.lib.forms import form_errors_apply
from parkguard.lib.uploads import UPLOAD_EMPTY, UploadRefused, upload_read
from parkguard.orgs.access import get_visible_or_404, require, scope_of, visible
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.people.models import Person
from parkguard.people.sheets import SheetError, sheet_upload
from parkguard.sampling import jobs, selectors, services
from parkguard.sampling.choices import Column, ImportState, Result, SampleKind
from parkguard.sampling.forms import AntigenForm, ImportForm, ResultForm, RoundForm, TakeForm
from parkguard.sampling.labfile import SYNONYMS
from parkguard.sampling.models import AntigenPhoto, Lab, ResultImport, Sample, SamplingRound

NO_PERSON = "您的账号尚未关联到人员档案，请联系本企业防疫专员。"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _enterprise(
    request: HttpRequest, enterprise_id: int, action: str = "manage_samples"
) -> Enterprise:
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, action, enterprise)
    return enterprise


def _round(request: HttpRequest, round_id: int) -> SamplingRound:
    scope = scope_of(request)
    row = get_visible_or_404(scope, SamplingRound.objects.select_related("enterprise"), pk=round_id)
    require(scope, "manage_samples", row)
    return row


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Rounds of the enterprise, and a form to plan one (Z-5.2b, J-1.5b)."""
    scope = scope_of(request)
    enterprise = _enterprise(request, enterprise_id)
    units = [(u.pk, u.name) for u in OrgUnit.objects.filter(enterprise=enterprise).order_by("name")]
    form = RoundForm(request.POST or None, units=units, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = (
            OrgUnit.objects.filter(pk=data["org_unit"], enterprise=enterprise).first()
            if data["org_unit"]
            else None
        )
        try:
            row = services.round_plan(
                scope=scope,
                enterprise=enterprise,
                name=data["name"],
                on=data["on"],
                kind=data["kind"],
                group=data["group"],
                org_unit=unit,
                share=data["share"] or None,
                pool_size=data["pool_size"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, f"已创建检测轮次：{row.name}")
            return redirect("sampling_round", row.pk)
    rounds = selectors.rounds_of(scope=scope, enterprise=enterprise)[:30]
    return render(
        request, "sampling/rounds.html", {"e": enterprise, "rounds": rounds, "form": form}
    )


@login_required
@require_GET
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    """Pools with their members, single tubes, results, and who is held for retest."""
    row = _round(request, round_id)
    view = selectors.round_view(round=row)
    return render(
        request,
        "sampling/round.html",
        {"e": row.enterprise, "view": view, "r": row, "result_form": ResultForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, round_id: int) -> HttpResponse:
    """The sampling screen: scan the tube (a USB scanner types the code and Enter), tick who
    is in it; the pool-size limit is the round's."""
    scope = scope_of(request)
    row = _round(request, round_id)
    view = selectors.round_view(round=row)
    people = [(p.pk, p.name) for p in view.unsampled]
    held = {h["person"].pk for h in view.on_retest}
    people += [
        (h["person"].pk, f"{h['person'].name}（待复核）")
        for h in view.on_retest
        if h["person"].pk not in {p for p, _ in people}
    ]
    pools = [
        (s.pk, s.barcode)
        for s in view.samples
        if s.kind == SampleKind.POOL and s.result == Result.POSITIVE
    ]
    form = TakeForm(request.POST or None, people=people, pools=pools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        retest = (
            Sample.objects.filter(pk=data["retest_of"], round=row).first()
            if data["retest_of"]
            else None
        )
        if retest is None and data["kind"] == SampleKind.SINGLE and set(data["person_ids"]) & held:
            retest = next(
                (
                    s
                    for s in view.samples
                    if s.kind == SampleKind.POOL and s.result == Result.POSITIVE
                ),
                None,
            )
        try:
            sample = services.sample_take(
                scope=scope,
                round=row,
                barcode=data["barcode"],
                kind=data["kind"],
                person_ids=data["person_ids"],
                retest_of=retest,
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(
                request,
                f"已登记 {sample.get_kind_display()} {sample.barcode}"
                f"（{len(data['person_ids'])} 人）",
            )
            return redirect("sampling_take", row.pk)
    return render(
        request, "sampling/take.html", {"e": row.enterprise, "r": row, "form": form, "view": view}
    )


@login_required
@require_POST
def result(request: HttpRequest, sample_id: int) -> HttpResponse:
    scope = scope_of(request)
    sample = get_visible_or_404(scope, Sample, pk=sample_id)
    require(scope, "manage_samples", sample)
    form = ResultForm(request.POST)
    if form.is_valid():
        try:
            services.sample_result_record(
                scope=scope,
                sample=sample,
                result=form.cleaned_data["result"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as error:
            messages.error(request, "；".join(m for ms in error.message_dict.values() for m in ms))
    if sample.round_id:
        return redirect("sampling_round", sample.round_id)
    return redirect("sampling_round_list", sample.enterprise_id)


@login_required
@require_GET
def photo(request: HttpRequest, antigen_id: int) -> HttpResponse:
    """An antigen photo, to the enterprise's officers only; never cached, never a public URL."""
    scope = scope_of(request)
    item = get_visible_or_404(
        scope, AntigenPhoto.objects.select_related("sample"), sample_id=antigen_id
    )
    require(scope, "manage_samples", item.sample)
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def antigen_list(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = _enterprise(request, enterprise_id)
    tests = (
        visible(scope, Sample)
        .filter(enterprise=enterprise, kind=SampleKind.ANTIGEN)
        .prefetch_related("members")
        .order_by("-taken_at")[:100]
    )
    return render(request, "sampling/antigen_list.html", {"e": enterprise, "tests": tests})


# --- lab import ---------------------------------------------------------------------------
def _mapping_rows(lab: Lab | None) -> list[tuple[str, str]]:
    saved = list((lab.mapping if lab else {}).items())
    return saved + [("", "")] * 3


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Upload a lab file: dry run first, then import; mapping, errors and progress."""
    scope = scope_of(request)
    enterprise = _enterprise(request, enterprise_id, "import_results")
    labs = list(selectors.labs_for(enterprise=enterprise))
    form = ImportForm(
        request.POST or None, request.FILES or None, labs=[(lab.pk, lab.name) for lab in labs]
    )
    if request.method == "POST" and form.is_valid():
        lab = next(lab for lab in labs if lab.pk == form.cleaned_data["lab"])
        upload = form.cleaned_data["file"]
        try:
            data = sheet_upload(upload)
        except SheetError as error:
            form.add_error("file", error.message)
        else:
            batch = jobs.result_file_import(
                scope=scope,
                lab=lab,
                enterprise=enterprise,
                data=data,
                filename=upload.name or "",
                dry_run=form.cleaned_data["dry_run"],
                at=timezone.now(),
                by=_user(request),
            )
            return redirect("sampling_import_detail", batch.pk)
    chosen = labs[0] if labs else None
    return render(
        request,
        "sampling/import.html",
        {
            "e": enterprise,
            "form": form,
            "labs": labs,
            "lab": chosen,
            "mapping": _mapping_rows(chosen),
            "columns": Column.choices,
            "synonyms": sorted(SYNONYMS.items(), key=lambda kv: kv[1]),
            "imports": selectors.imports_of(scope=scope, enterprise=enterprise)[:10],
        },
    )


@login_required
@require_POST
def lab_mapping(request: HttpRequest, enterprise_id: int, lab_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = _enterprise(request, enterprise_id, "import_results")
    lab = selectors.labs_for(enterprise=enterprise).filter(pk=lab_id).first()
    if lab is None:
        raise PermissionDenied
    mapping = dict(zip(request.POST.getlist("header"), request.POST.getlist("field"), strict=False))
    try:
        services.lab_mapping_save(scope=scope, lab=lab, enterprise=enterprise, mapping=mapping)
    except ValidationError as error:
        messages.error(request, "；".join(m for ms in error.message_dict.values() for m in ms))
    else:
        messages.success(request, f"已保存 {lab.name} 的列对应关系")
    return redirect("sampling_import", enterprise.pk)


@login_required
@require_GET
def import_detail(request: HttpRequest, result_import_id: int) -> HttpResponse:
    """The import's report; while it runs, htmx polls the progress fragment."""
    scope = scope_of(request)
    batch = get_visible_or_404(
        scope, ResultImport.objects.select_related("lab", "enterprise"), pk=result_import_id
    )
    if batch.enterprise is None:
        raise PermissionDenied
    require(scope, "import_results", batch.enterprise)
    batch = jobs.result_import_refresh(batch=batch, now=timezone.now())
    running = batch.state in (ImportState.QUEUED, ImportState.RUNNING)
    percent = min(100, batch.rows_done * 100 // batch.rows_total) if batch.rows_total else 0
    context = {"e": batch.enterprise, "b": batch, "running": running, "percent": percent}
    if request.htmx and request.GET.get("part") == "progress":  # type: ignore[attr-defined]
        return render(request, "sampling/_progress.html", context)
    return render(request, "sampling/import_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def labs(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The park's labs: register one (its device token is shown once), see their mappings."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "administer", park)
    clear = None
    error = None
    if request.method == "POST":
        try:
            _, clear = services.lab_create(
                scope=scope, jurisdiction=park, name=request.POST.get("name", ""), by=_user(request)
            )
        except ValidationError as exc:
            error = "；".join(m for ms in exc.message_dict.values() for m in ms)
    rows = Lab.objects.filter(jurisdiction=park).select_related("token")
    return render(
        request, "sampling/labs.html", {"park": park, "labs": rows, "clear": clear, "error": error}
    )


# --- the employee ---------------------------------------------------------------------------
def _me(request: HttpRequest) -> Person | None:
    scope = scope_of(request)
    if not scope.person_ids:
        return None
    return Person.objects.filter(pk__in=scope.person_ids).order_by("pk").first()


@login_required
@require_http_methods(["GET", "POST"])
def antigen(request: HttpRequest) -> HttpResponse:
    """Report my antigen self-test with a photo of the cassette."""
    person = _me(request)
    if person is None:
        return render(request, "sampling/antigen.html", {"no_person": NO_PERSON})
    form = AntigenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            try:
                data = upload_read(upload, max_bytes=services.PHOTO_MAX_BYTES)
            except UploadRefused as refused:
                if refused.message == UPLOAD_EMPTY:
                    raise ValidationError({"photo": services.PHOTO_REQUIRED}) from None
                limit = services.PHOTO_MAX_BYTES // (1024 * 1024)
                raise ValidationError(
                    {"photo": services.PHOTO_TOO_LARGE.format(limit=limit)}
                ) from None
            services.antigen_report(
                scope=scope_of(request),
                person=person,
                result=form.cleaned_data["result"],
                photo=data,
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as error:
            form_errors_apply(form, error)
        else:
            messages.success(request, "已提交抗原检测结果")
            return redirect("sampling_me")
    return render(request, "sampling/antigen.html", {"form": form, "person": person})


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """My latest results (tubes and antigen tests)."""
    person = _me(request)
    if person is None:
        return render(request, "sampling/me.html", {"no_person": NO_PERSON})
    return render(
        request,
        "sampling/me.html",
        {"person": person, "samples": selectors.my_samples(person=person)},
    )
