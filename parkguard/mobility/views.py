"""Pages of mobility: the employee's trips, returns and "我的待办" (phone first), the leader's
approval, the officer's returnee register, the liaison's returnees, the park's risk areas."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.gate.views import _qr_svg
from parkguard.lib.forms import errors_flash, form_errors_apply
from parkguard.mobility import impact, selectors, services, visitors
from parkguard.mobility.choices import TRIP_OPEN
from parkguard.mobility.divisions import division_search
from parkguard.mobility.forms import (
    ChangeForm,
    DecisionForm,
    EvidenceForm,
    IsolationChangeForm,
    PointForm,
    ReleaseForm,
    ReturnForm,
    RiskAreaEditForm,
    RiskAreaForm,
    RiskImportForm,
    TripForm,
    VisitorFillForm,
    VisitorForm,
    VisitorPassForm,
)
from parkguard.mobility.models import Trip, Visitor
from parkguard.mobility.rules import risk_word_label
from parkguard.orgs.access import Scope, can, scope_of
from parkguard.people.sheets import SheetError, sheet_upload

SEARCH_LIMIT = 20


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """我的待办: what I must do and by when, each with its clause; my trips and returns."""
    scope = scope_of(request)
    person = selectors.my_person(scope=scope)
    if person is None:
        return render(request, "mobility/me.html", {"no_person": selectors.NO_PERSON})
    return render(
        request,
        "mobility/me.html",
        {
            "person": person,
            "duties": selectors.duties_of(scope=scope, person=person),
            "trips": selectors.trips_of(scope=scope, person=person)[:10],
            "returns": selectors.returns_of(scope=scope, person=person)[:5],
        },
    )


@login_required
@require_GET
def division_lookup(request: HttpRequest) -> HttpResponse:
    found = division_search(request.GET.get("q", ""), limit=SEARCH_LIMIT)
    return render(request, "mobility/_divisions.html", {"found": found})


@login_required
@require_http_methods(["GET", "POST"])
def trip_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    person = selectors.my_person(scope=scope)
    if person is None:
        return render(request, "mobility/me.html", {"no_person": selectors.NO_PERSON})
    form = TripForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            trip = services.trip_file(
                scope=scope,
                person=person,
                purpose=data["purpose"],
                departs_on=data["departs_on"],
                returns_on=data["returns_on"],
                stops=[services.StopIn(c, f, t) for c, f, t in form.stops()],  # type: ignore[arg-type]
                note=data["note"],
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            if trip.approver:
                messages.success(request, f"已报备，待{trip.approver}审批。")
            else:
                messages.success(request, "出行已报备。")
            return redirect("mobility_me")
    return render(request, "mobility/trip_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def return_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    person = selectors.my_person(scope=scope)
    if person is None:
        return render(request, "mobility/me.html", {"no_person": selectors.NO_PERSON})
    trips = list(selectors.open_trips_of(scope=scope, person=person))
    form = ReturnForm(
        request.POST or None,
        trips=trips,
        trip_initial=selectors.trip_returned_from(
            scope=scope, person=person, arrived_on=timezone.localdate(timezone.now())
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        certs = []
        if data.get("cert_at"):
            certs.append((_aware(data["cert_at"]), data.get("cert_result") or "negative"))
        if "trip" in request.POST:
            # The trip the employee chose (or none); a return before it began is refused.
            trip = next((t for t in trips if t.pk == data.get("trip")), None)
        else:
            # A client that does not say: the latest open trip that had begun by the arrival.
            trip = selectors.trip_returned_from(
                scope=scope,
                person=person,
                arrived_on=timezone.localdate(_aware(data["arrived_at"])),
            )
        try:
            services.return_declare(
                scope=scope,
                person=person,
                arrived_at=_aware(data["arrived_at"]),
                stays=[
                    services.StayDeclared(c, f, t, transit)  # type: ignore[arg-type]
                    for (c, f, t), transit in zip(form.stops(), form.transits(), strict=True)
                ],
                transport=data["transport"],
                certificates=certs,
                trip=trip,
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "返岗申报已提交，请按“我的待办”完成各项要求。")
            return redirect("mobility_me")
    return render(request, "mobility/return_form.html", {"form": form})


def _may_update(scope: Scope, trip: Trip) -> bool:
    return trip.status in TRIP_OPEN and can(scope, "update_trip", trip)


@login_required
@require_GET
def trip_detail(request: HttpRequest, trip_id: int) -> HttpResponse:
    scope = scope_of(request)
    trip = selectors.trip_get(scope=scope, trip_id=trip_id)
    return render(
        request,
        "mobility/trip_detail.html",
        {
            "trip": trip,
            "form": DecisionForm(initial={"revision": len(trip.previous)}),
            "may_decide": can(scope, "approve_trip", trip) and trip.status == "pending",
            "may_update": _may_update(scope, trip),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def trip_edit(request: HttpRequest, trip_id: int) -> HttpResponse:
    """修改行程 (J-1.1): the traveller's form, prefilled with the itinerary as it stands."""
    scope = scope_of(request)
    trip = selectors.trip_for_update(scope=scope, trip_id=trip_id)
    form = TripForm.of_trip(trip, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.trip_update(
                scope=scope,
                trip=trip,
                purpose=data["purpose"],
                departs_on=data["departs_on"],
                returns_on=data["returns_on"],
                stops=[services.StopIn(c, f, t) for c, f, t in form.stops()],  # type: ignore[arg-type]
                note=data["note"],
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            if trip.status == "pending":
                messages.success(request, f"行程已修改，待{trip.approver}审批。")
            else:
                messages.success(request, "行程已修改。")
            return redirect("mobility_trip", trip_id=trip.pk)
    if form.errors:
        trip.refresh_from_db()  # a refused update left the trip as it was: show that
    return render(
        request,
        "mobility/trip_edit.html",
        {"trip": trip, "form": form, "open": trip.status in TRIP_OPEN},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def trip_decide(request: HttpRequest, trip_id: int) -> HttpResponse:
    scope = scope_of(request)
    trip = selectors.trip_get(scope=scope, trip_id=trip_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.trip_decide(
                scope=scope,
                trip=trip,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
                revision=form.cleaned_data["revision"],
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已审批。")
            return redirect("mobility_trip", trip_id=trip.pk)
    # The page shows the itinerary as it now stands: a decision sent again is on that one.
    data = request.POST.copy()
    data["revision"] = str(len(trip.previous))
    form.data = data
    return render(
        request,
        "mobility/trip_detail.html",
        {"trip": trip, "form": form, "may_decide": True},
        status=422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_detail(request: HttpRequest, return_id: int) -> HttpResponse:
    """A return with its plans (pack version, citations); evidence is recorded here."""
    scope = scope_of(request)
    declaration = selectors.return_get(scope=scope, return_id=return_id)
    form = EvidenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_evidence_record(
                scope=scope,
                declaration=declaration,
                kind=data["kind"],
                obligation=data["obligation"],
                done_at=_aware(data["done_at"]),
                result=data["result"],
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已记录。")
            return redirect("mobility_return", return_id=declaration.pk)
    verdict = services.return_verdict(declaration=declaration, at=timezone.now())
    return render(
        request,
        "mobility/return_detail.html",
        {"declaration": declaration, "verdict": verdict, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def returnees(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The enterprise's returnee register (H-4.4 登记造册) and its trips awaiting approval."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_mobility(scope=scope, enterprise_id=enterprise_id)
    return render(
        request,
        "mobility/returnees.html",
        {
            "enterprise": enterprise,
            "returns": selectors.returnee_register(scope=scope, enterprise=enterprise)[:200],
            "trips": selectors.trips_of_enterprise(scope=scope, enterprise=enterprise)[:100],
            "isolations": selectors.isolations_of_enterprise(scope=scope, enterprise=enterprise),
            "no_point": None
            if services.observation_point_of(enterprise.pk)
            else services.NO_OBSERVATION_POINT,
        },
    )


@login_required
@require_GET
def community(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    return render(
        request,
        "mobility/community.html",
        {
            "returns": selectors.community_return_rows(scope=scope),
            "visitors": selectors.community_visitor_rows(scope=scope),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_areas(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_risk_areas(scope=scope, jurisdiction_id=jurisdiction_id)
    single = request.method == "POST" and "division_code" in request.POST
    form = RiskAreaForm(request.POST if single else None)
    upload = RiskImportForm(
        request.POST if request.method == "POST" and not single else None, request.FILES or None
    )
    status = 200
    if single and form.is_valid():
        d = form.cleaned_data
        row = services.RiskAreaIn(
            d["division_code"],
            d["place"],
            d["level"],
            d["effective_from"],
            d["effective_to"],
            d["source"],
        )
        try:
            services.risk_area_save(
                scope=scope, park=park, row=row, by=_user(request), at=timezone.now()
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已登记。")
            return redirect("mobility_risk_areas", jurisdiction_id=park.pk)
    elif upload.is_bound and upload.is_valid():
        file = upload.cleaned_data["file"]
        try:
            try:
                data = sheet_upload(file)
            except SheetError as refused:
                raise ValidationError({"file": [refused.message]}) from None
            count = services.risk_area_import(
                scope=scope,
                park=park,
                data=data,
                filename=file.name,
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(upload, exc)
        else:
            messages.success(request, f"已导入 {count} 条风险区域。")
            return redirect("mobility_risk_areas", jurisdiction_id=park.pk)
    if form.errors or upload.errors:
        status = 422
    return render(
        request,
        "mobility/risk_areas.html",
        {
            "park": park,
            "areas": [
                (area, risk_word_label(area.level))
                for area in selectors.risk_register(scope=scope, park=park)[:500]
            ],
            "words": [risk_word_label(w) for w in selectors.park_risk_words(park=park)],
            "form": form,
            "upload": upload,
            # A change of the register is previewed there before plans follow it.
            "can_preview": can(scope, "adopt", park),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_area_detail(request: HttpRequest, risk_area_id: int) -> HttpResponse:
    """One entry of the register: change it (with a reason) and read its history."""
    scope = scope_of(request)
    area = selectors.risk_area_get(scope=scope, risk_area_id=risk_area_id)
    form = RiskAreaEditForm(
        request.POST if request.method == "POST" else None,
        initial={
            "level": risk_word_label(area.level),
            "place": area.place,
            "effective_from": area.effective_from,
            "effective_to": area.effective_to,
            "source": area.source,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.risk_area_edit(
                scope=scope,
                area=area,
                edit=services.RiskAreaEdit(
                    d["place"], d["level"], d["effective_from"], d["effective_to"], d["source"]
                ),
                reason=d["reason"],
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已修改。")
            return redirect("mobility_risk_areas", jurisdiction_id=area.jurisdiction_id)
        area.refresh_from_db()
    return render(
        request,
        "mobility/risk_area.html",
        {
            "area": area,
            "park": area.jurisdiction,
            "level": risk_word_label(area.level),
            "words": [
                risk_word_label(w) for w in selectors.park_risk_words(park=area.jurisdiction)
            ],
            "form": form,
            "history": selectors.risk_area_history(area=area),
            "can_preview": can(scope, "adopt", area.jurisdiction),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def isolation_change(request: HttpRequest, isolation_id: int) -> HttpResponse:
    scope = scope_of(request)
    record = selectors.isolation_get(scope=scope, isolation_id=isolation_id)
    form = IsolationChangeForm(request.POST)
    if form.is_valid():
        try:
            services.isolation_change(
                scope=scope,
                record=record,
                ends_at=_aware(form.cleaned_data["ends_at"]),
                reason=form.cleaned_data["reason"],
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已变更结束时间。")
            return redirect("mobility_returnees", enterprise_id=record.enterprise_id)
    return render(request, "mobility/isolation.html", {"record": record, "form": form}, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def isolation_detail(request: HttpRequest, isolation_id: int) -> HttpResponse:
    """An isolation record: its dates and changes; change its end or release it."""
    scope = scope_of(request)
    record = selectors.isolation_get(scope=scope, isolation_id=isolation_id)
    release = ReleaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and release.is_valid():
        try:
            services.isolation_release(
                scope=scope,
                record=record,
                note=release.cleaned_data["note"],
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(release, exc)
        else:
            messages.success(request, "已解除。")
            return redirect("mobility_returnees", enterprise_id=record.enterprise_id)
    return render(
        request,
        "mobility/isolation.html",
        {"record": record, "form": IsolationChangeForm(), "release": release},
        status=422 if release.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def points(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The enterprise's observation points (B-2.4) and buffer zones (J-1.2.5)."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_mobility(scope=scope, enterprise_id=enterprise_id)
    form = PointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_point_save(
                scope=scope,
                enterprise=enterprise,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                capacity=form.cleaned_data["capacity"],
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已设立。")
            return redirect("mobility_points", enterprise_id=enterprise.pk)
    return render(
        request,
        "mobility/points.html",
        {
            "enterprise": enterprise,
            "points": selectors.points_of(scope=scope, enterprise=enterprise),
            "form": form,
        },
        status=422 if form.errors else 200,
    )


# --- visitors (J-1.2) -----------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def visitor_new(request: HttpRequest) -> HttpResponse:
    """An employee registers their own visitor before arrival (the host is themself)."""
    scope = scope_of(request)
    person = selectors.my_person(scope=scope)
    if person is None:
        return render(request, "mobility/me.html", {"no_person": selectors.NO_PERSON})
    form = VisitorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            visitor = visitors.visitor_register(
                scope=scope,
                host=person,
                purpose=d["purpose"],
                origin_code=d["origin_code"].strip(),
                arrives_at=_aware(d["arrives_at"]),
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            return redirect("mobility_visitor", visitor_id=visitor.pk)
    return render(
        request, "mobility/visitor_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_visitors(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The officer's visitor board: registered, filled, category, plan, buffer zone."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_mobility(scope=scope, enterprise_id=enterprise_id)
    hosts = selectors.host_choices(scope=scope, enterprise=enterprise)
    form = VisitorForm(request.POST if request.method == "POST" else None, hosts=hosts)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        host = selectors.my_host(scope=scope, enterprise=enterprise, person_id=d.get("host"))
        try:
            visitor = visitors.visitor_register(
                scope=scope,
                host=host,
                purpose=d["purpose"],
                origin_code=d["origin_code"].strip(),
                arrives_at=_aware(d["arrives_at"]),
                by=_user(request),
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            return redirect("mobility_visitor", visitor_id=visitor.pk)
    return render(
        request,
        "mobility/visitors.html",
        {
            "enterprise": enterprise,
            "visitors": selectors.visitors_of_enterprise(scope=scope, enterprise=enterprise)[:200],
            "form": form,
        },
        status=422 if form.errors else 200,
    )


def _visitor_detail(
    request: HttpRequest, visitor: Visitor, form: VisitorPassForm | None = None
) -> HttpResponse:
    scope = scope_of(request)
    link = ""
    # The link is shown to send before the visitor fills in, and again with a live pass (a
    # fresh signature: the visitor reopens their page to show the pass's QR code).
    live = visitors.visitor_pass(visitor)
    if can(scope, "manage_visitors", visitor.host) and (
        visitor.state == "registered" or live is not None
    ):
        link = request.build_absolute_uri(
            reverse("visitor_fill", kwargs={"token": visitors.visitor_link(visitor)})
        )
    may_issue = visitor.state == "filled" and can(scope, "issue_visitor_pass", visitor)
    return render(
        request,
        "mobility/visitor_detail.html",
        {
            "visitor": visitor,
            "link": link,
            "view": visitors.visitor_view(visitor),
            "pass": live,
            "pass_form": (form or VisitorPassForm()) if may_issue else None,
            "may_cancel": visitor.state != "cancelled"
            and can(scope, "manage_visitors", visitor.host),
        },
        status=422 if form is not None and form.errors else 200,
    )


@login_required
@require_GET
def visitor_detail(request: HttpRequest, visitor_id: int) -> HttpResponse:
    scope = scope_of(request)
    return _visitor_detail(request, selectors.visitor_get(scope=scope, visitor_id=visitor_id))


@login_required
@require_POST
def visitor_pass_issue(request: HttpRequest, visitor_id: int) -> HttpResponse:
    """The officer issues (or re-issues) the visitor's gate pass from the visitor board."""
    scope = scope_of(request)
    visitor = selectors.visitor_get(scope=scope, visitor_id=visitor_id)
    form = VisitorPassForm(request.POST)
    if form.is_valid():
        departs = form.cleaned_data["departs_at"]
        try:
            visitors.visitor_pass_issue(
                scope=scope,
                visitor=visitor,
                departs_at=_aware(departs) if departs else None,
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已签发来访人员通行证")
            return redirect("mobility_visitor", visitor_id=visitor.pk)
    visitor.refresh_from_db()
    return _visitor_detail(request, visitor, form)


@login_required
@require_POST
def visitor_cancel(request: HttpRequest, visitor_id: int) -> HttpResponse:
    """The host or an officer cancels the visit; its gate pass is revoked."""
    scope = scope_of(request)
    visitor = selectors.visitor_get(scope=scope, visitor_id=visitor_id)
    try:
        visitors.visitor_cancel(scope=scope, visitor=visitor, at=timezone.now(), by=_user(request))
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已取消来访，通行证已作废")
    return redirect("mobility_visitor", visitor_id=visitor.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def visitor_fill(request: HttpRequest, token: str) -> HttpResponse:
    """The visitor's own phone page (no login): a forged, expired or voided link sees nothing."""
    try:
        visitor = visitors.visitor_from_token(token=token, at=timezone.now())
    except visitors.LinkBusy:
        return render(
            request, "mobility/visitor_fill.html", {"error": visitors.LINK_BUSY}, status=429
        )
    if visitor is None:
        return render(
            request, "mobility/visitor_fill.html", {"error": visitors.LINK_INVALID}, status=404
        )
    form = VisitorFillForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        certs = (
            [(_aware(d["cert_at"]), d.get("cert_result") or "negative")] if d.get("cert_at") else []
        )
        try:
            visitors.visitor_fill(
                visitor=visitor,
                name=d["name"],
                phone=d["phone"],
                stays=[
                    services.StayDeclared(c, f, t, transit)  # type: ignore[arg-type]
                    for (c, f, t), transit in zip(form.stops(), form.transits(), strict=True)
                ],
                certificates=certs,
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
    view = visitors.visitor_view(visitor) if visitor.state == "filled" else None
    return render(
        request,
        "mobility/visitor_fill.html",
        {
            "visitor": visitor,
            "form": form,
            "view": view,
            "qr": _qr_svg(view["pass"]["code"]) if view and view["pass"] else "",
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def park_visitors(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """Visitors the park's enterprises filed with it (J-1.2.3)."""
    scope = scope_of(request)
    park = selectors.park_for_visitors(scope=scope, jurisdiction_id=jurisdiction_id)
    return render(
        request,
        "mobility/park_visitors.html",
        {
            "park": park,
            "visitors": selectors.park_visitor_rows(scope=scope, park=park),
        },
    )


# --- when policy changes ----------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def policy_impact(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """Preview the impact of a change on open plans (a table and a chart), then confirm."""
    scope = scope_of(request)
    park = selectors.park_for_impact(scope=scope, jurisdiction_id=jurisdiction_id)
    if request.method == "GET" and set(request.GET) == {"for"}:
        # Opened from a page of one kind of change (the risk-area register): that kind is
        # chosen, nothing previewed yet.
        form = ChangeForm(initial={"kind": request.GET["for"]})
    else:
        form = ChangeForm(request.POST if request.method == "POST" else request.GET or None)
    found = None
    status = 200
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        change = impact.Change(
            kind=d["kind"],
            pack_id=d["pack_id"] or "",
            version=d["version"],
            params=d["params"] if isinstance(d["params"], dict) else {},
            description=d["description"],
        )
        try:
            if request.method == "POST" and "confirm" in request.POST:
                record = impact.impact_confirm(
                    scope=scope, park=park, change=change, by=_user(request), at=timezone.now()
                )
                done = f"已确认：{record.summary.get('people', 0)} 人的计划已更新"
                if record.summary.get("visitors"):
                    done += f"，来访人员 {record.summary['visitors']} 位"
                messages.success(request, f"{done}。")
                return redirect("mobility_policy_impact", jurisdiction_id=park.pk)
            found = impact.impact_preview(scope=scope, park=park, change=change, at=timezone.now())
        except ValidationError as exc:
            form_errors_apply(form, exc)
            status = 422
    elif form.is_bound:
        status = 422
    return render(
        request,
        "mobility/impact.html",
        {
            "park": park,
            "form": form,
            "impact": found,
            "summary": found.summary() if found else None,
            "changes": selectors.policy_changes(scope=scope, park=park)[:20],
        },
        status=status,
    )
