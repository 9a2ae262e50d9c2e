"""Pages of subject rights and retention. The person's own pages (我的信息) are phone first:
who viewed or changed their data and why, their whole record to download, and their
correction requests. Officers answer requests; park admins see overdue ones and run the
end-of-emergency purge with a second approver."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.lib.forms import form_errors_apply
from parkguard.orgs.access import get_visible_or_404, scope_of
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.privacy import selectors, services
from parkguard.privacy.exporting import record_workbook
from parkguard.privacy.forms import AnswerForm, CorrectionForm, DecideForm, PurgeForm
from parkguard.privacy.models import CorrectionRequest, Purge
from parkguard.privacy.retention import KINDS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    people = list(selectors.own_people(scope=scope_of(request)))
    if len(people) == 1:
        return redirect("privacy_person", person_id=people[0].pk)
    return render(request, "privacy/me.html", {"people": people})


@login_required
@require_GET
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = scope_of(request)
    subject = selectors.own_person(scope=scope, person_id=person_id)
    user_ids = frozenset({scope.user_id} if scope.user_id else set())
    context = {
        "person": subject,
        "log": selectors.person_access_log(person=subject, user_ids=user_ids),
        "edits": selectors.person_edits(person=subject),
        "corrections": selectors.own_corrections(person=subject),
        "now": timezone.now(),
    }
    return render(request, "privacy/person.html", context)


@login_required
@require_GET
def person_export(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = scope_of(request)
    subject = selectors.own_person(scope=scope, person_id=person_id)
    now = timezone.now()
    sections = selectors.person_record(scope=scope, person=subject)
    services.own_record_export_audit(
        scope=scope, person=subject, by=cast(User, request.user), at=now
    )
    body = record_workbook(name=subject.name, sections=sections, at=timezone.localtime(now))
    response = HttpResponse(body, content_type=XLSX)
    stamp = f"{timezone.localtime(now):%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="my-record-{stamp}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def correction_new(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = scope_of(request)
    subject = selectors.own_person(scope=scope, person_id=person_id)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_file(
                scope=scope,
                person=subject,
                field=form.cleaned_data["field"],
                text=form.cleaned_data["text"],
                by=cast(User, request.user),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "更正申请已提交，防疫专员会在期限内答复。")
            return redirect("privacy_person", person_id=subject.pk)
    return render(request, "privacy/correction_new.html", {"person": subject, "form": form})


@login_required
@require_GET
def corrections(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, "answer_correction", pk=enterprise_id)
    rows = selectors.corrections_for(scope=scope, enterprise_id=enterprise.pk)
    return render(
        request,
        "privacy/corrections.html",
        {"enterprise": enterprise, "rows": rows, "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def correction(request: HttpRequest, correction_id: int) -> HttpResponse:
    scope = scope_of(request)
    item = get_visible_or_404(
        scope,
        CorrectionRequest.objects.select_related("person", "enterprise"),
        "answer_correction",
        pk=correction_id,
    )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_answer(
                scope=scope,
                request=item,
                state=form.cleaned_data["state"],
                answer=form.cleaned_data["answer"],
                by=cast(User, request.user),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已答复，申请人会收到通知。")
            return redirect("privacy_corrections", enterprise_id=item.enterprise_id)
    return render(
        request, "privacy/correction.html", {"item": item, "form": form, "now": timezone.now()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def park(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    place = get_visible_or_404(scope, Jurisdiction, "purge_data", pk=jurisdiction_id)
    form = PurgeForm(request.POST or None, initial={"kinds": list(KINDS)})
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_purge_request(
                scope=scope,
                park=place,
                kinds=form.cleaned_data["kinds"],
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                by=cast(User, request.user),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "清除申请已提交，须由园区另一位管理员复核后执行。")
            return redirect("privacy_park", jurisdiction_id=place.pk)
    now = timezone.now()
    context = {
        "park": place,
        "form": form,
        "overdue": selectors.corrections_overdue(scope=scope, park=place, at=now),
        "purges": selectors.park_purges(scope=scope, park=place)[:50],
        "kinds": list(KINDS.values()),
        "decide_form": DecideForm(auto_id=False),
        "user_id": request.user.pk,
    }
    return render(request, "privacy/park.html", context)


@login_required
@require_POST
def purge_decide(request: HttpRequest, purge_id: int) -> HttpResponse:
    scope = scope_of(request)
    purge = get_visible_or_404(
        scope, Purge.objects.select_related("jurisdiction"), "purge_data", pk=purge_id
    )
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择批准或驳回")
        return redirect("privacy_park", jurisdiction_id=purge.jurisdiction_id)
    try:
        done = services.emergency_purge_decide(
            scope=scope,
            purge=purge,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
            by=cast(User, request.user),
            at=timezone.now(),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if done.state == "done":
            messages.success(request, f"已清除 {done.total_rows} 条记录，删除回执已生成。")
        else:
            messages.success(request, "已驳回该清除申请。")
    return redirect("privacy_park", jurisdiction_id=purge.jurisdiction_id)
