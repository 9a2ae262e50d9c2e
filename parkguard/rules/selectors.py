"""Reads of the rules app: which packs a park follows, and in which version on a date."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone

from parkguard.lib import hot_sql
from parkguard.orgs.access import Scope, get_visible_or_404, require, visible
from parkguard.orgs.choices import ENTERPRISE_HOSTS
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.policy import (
    Pack,
    PackIssue,
    Plan,
    PlanRequest,
    PolicyInputError,
    Records,
    Registry,
    evaluate_plan,
    explain,
    plan_arrival,
    to_jsonable,
)
from parkguard.policy.loading import MoreFile, load_more
from parkguard.policy.requests import run, run_request
from parkguard.rules.choices import UploadStatus
from parkguard.rules.models import PackAdoption, UploadedPack
from parkguard.rules.registry import park_loaded, park_registry, registry

PACK_NOT_FOUND = "没有这个规则包"


@dataclass(frozen=True)
class Followed:
    adoption: PackAdoption
    pack: Pack | None  # the version in force on the date, or None if none is

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.adoption.params)


_ADOPTION_FIELDS = tuple(f.name for f in PackAdoption._meta.concrete_fields)
_PARK_FIELDS = tuple(f.name for f in Jurisdiction._meta.concrete_fields)


@functools.cache
def _adoptions_sql(vendor: str, ancestors: int) -> tuple[str, str, str]:
    """(joins, where with ORDER BY, the `uploaded` EXISTS) of `adoptions_for`, written once per
    process, vendor and depth of the park's path."""
    quote = connection.ops.quote_name

    def col(model: type[Model], name: str) -> str:
        return quote(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

    park = Jurisdiction._meta
    joins = (
        f"JOIN {quote(park.db_table)} j "
        f"ON j.{quote(str(park.pk.column))} = t.{col(PackAdoption, 'jurisdiction')}"
    )
    uploaded = (
        f"EXISTS (SELECT 1 FROM {quote(UploadedPack._meta.db_table)} u "
        f"WHERE u.{col(UploadedPack, 'jurisdiction')} = t.{col(PackAdoption, 'jurisdiction')} "
        f"AND u.{col(UploadedPack, 'pack_id')} = t.{col(PackAdoption, 'pack_id')} "
        f"AND u.{col(UploadedPack, 'status')} = %s)"
    )
    where = (
        f"t.{col(PackAdoption, 'jurisdiction')} IN ({', '.join(['%s'] * ancestors)}) "
        f"ORDER BY t.{col(PackAdoption, 'pack_id')} ASC, j.{col(Jurisdiction, 'path')} DESC"
    )
    return joins, where, uploaded


def adoptions_for(*, park: Jurisdiction) -> list[PackAdoption]:
    """Packs adopted by the park or by a jurisdiction above it (a town, the county); each
    says (``uploaded``) whether its jurisdiction published versions of the pack itself.

    Ordered by pack, the adoption nearest the park first, with its jurisdiction loaded: the
    ORM's ``PackAdoption.objects.filter(jurisdiction_id__in=…).annotate(uploaded=Exists(…))
    .select_related("jurisdiction").order_by("pack_id", "-jurisdiction__path")`` as one
    pre-written statement (lib/hot_sql.py): every declaration and rule read asks it."""
    ancestors = [int(pk) for pk in park.path.strip("/").split("/") if pk]
    if not ancestors:
        return []
    joins, where, uploaded = _adoptions_sql(connection.vendor, len(ancestors))
    found = []
    for adoption, (jurisdiction,), (published,) in hot_sql.select_all(
        PackAdoption,
        _ADOPTION_FIELDS,
        where,
        [UploadStatus.PUBLISHED, *ancestors],
        joins=joins,
        joined=[(Jurisdiction, "j", _PARK_FIELDS)],
        extra=[uploaded],
    ):
        adoption.jurisdiction = jurisdiction  # type: ignore[assignment]
        adoption.uploaded = bool(published)  # type: ignore[attr-defined]
        found.append(adoption)
    return found


def followed(*, park: Jurisdiction, on: dt.date) -> list[Followed]:
    """One entry per pack id; an adoption nearer the park overrides one above it. Only
    published versions count: a draft is never in force."""
    seen: dict[str, Followed] = {}
    for adoption in adoptions_for(park=park):
        if adoption.pack_id in seen:
            continue
        packs = (
            park_registry(adoption.jurisdiction_id)
            if getattr(adoption, "uploaded", False)
            else registry()
        )
        try:
            pack: Pack | None = packs.in_force(adoption.pack_id, on)
        except PolicyInputError:
            pack = None
        seen[adoption.pack_id] = Followed(adoption=adoption, pack=pack)
    return list(seen.values())


def pack_for(*, pack_id: str, version: int | None, on: dt.date) -> Pack:
    """The version asked for, else the one in force on the date; PolicyInputError if none."""
    if version is not None:
        return registry().get(pack_id, version)
    return registry().in_force(pack_id, on)


def plan_compute(*, request: PlanRequest) -> Plan:
    """The plan for an arriving person under the pack version in force on arrival."""
    pack = pack_for(pack_id=request.pack, version=request.version, on=request.arrived_at.date())
    return plan_arrival(
        pack=pack,
        person=request.person,
        arrived_at=request.arrived_at,
        enterprise=request.enterprise,
        params=request.params,
        choices=request.choices,  # an officer's per-case choices, recorded and cited
    )


def plan_preview(
    *, request: PlanRequest, records: Records | None = None, at: dt.datetime | None = None
) -> dict[str, Any]:
    """A plan (and, given records, its status at `at`) as JSON data with citations."""
    plan = plan_compute(request=request)
    result: dict[str, Any] = {"plan": to_jsonable(plan)}
    if records is not None and at is not None:
        result["status"] = to_jsonable(evaluate_plan(plan=plan, records=records, at=at))
    return result


def engine_run(*, command: str, body: object) -> dict[str, Any]:
    """Any engine function (plan, evaluate, route, schedule, deadlines, gate, zone, diff) on
    this site's packs: JSON request in, JSON result with citations out."""
    return run(command, body, registry())


def engine_run_request(*, command: str, request: Any) -> dict[str, Any]:
    return run_request(command, request, registry())


@dataclass(frozen=True)
class DraftCheck:
    """A pack a park admin wrote, checked: its mistakes, or the draft pack itself."""

    issues: tuple[PackIssue, ...]
    pack: Pack | None

    @property
    def lines(self) -> list[str]:
        return explain(self.pack) if self.pack is not None else []


def pack_draft_check(*, scope: Scope, park: Jurisdiction, file: str, text: str) -> DraftCheck:
    """Validate a pack's text against the park's packs (what it extends); the result is a
    draft for preview only: it is never added to a registry and never in force."""
    require(scope, "upload_pack", park)
    return upload_check(park=park, file=file, text=text, status=UploadStatus.DRAFT)


def parks_for_scope(*, scope: Scope) -> list[Jurisdiction]:
    """The parks whose packs apply to the caller: their own, or their enterprises' parks."""
    ids = set(scope.admin_jurisdiction_ids | scope.jurisdiction_ids)
    ids |= set(visible(scope, Enterprise).values_list("jurisdiction_id", flat=True).distinct())
    return list(Jurisdiction.objects.filter(pk__in=ids, kind__in=ENTERPRISE_HOSTS).order_by("name"))


def park_params(*, scope: Scope, pack_id: str) -> dict[str, Any]:
    """The parameter values set by the first of the caller's parks that follows the pack."""
    on = timezone.localdate()
    for park in parks_for_scope(scope=scope):
        for entry in followed(park=park, on=on):
            if entry.adoption.pack_id == pack_id:
                return entry.params
    return {}


def input_error(exc: PolicyInputError) -> str:
    """The Chinese message of an engine input error, with its detail, without the path."""
    return f"{exc.message}（{exc.detail}）" if exc.detail else exc.message


# --- uploaded packs (issue 10 §3) -----------------------------------------------------------
DRAFT_LABEL = "草稿，不生效"


def upload_check(*, park: Jurisdiction, file: str, text: str, status: str) -> DraftCheck:
    """A pack text checked on top of the site's packs and the park's published uploads:
    its mistakes (file, line, path, Chinese message), or the pack (a draft stays a draft)."""
    base = park_registry(park.pk)
    loaded = load_more(base, [MoreFile(file=file, text=text, status=status)])
    if loaded.invalid:
        return DraftCheck(loaded.invalid, None)
    known = {p.key for p in base.packs()}
    (pack,) = [p for p in loaded.registry.packs() if p.key not in known]
    return DraftCheck((), pack)


def uploads_for(*, scope: Scope, park: Jurisdiction) -> QuerySet[UploadedPack]:
    """The park's uploads (drafts and published), for its admins only."""
    require(scope, "upload_pack", park)
    return (
        visible(scope, UploadedPack, action="upload_pack")
        .filter(jurisdiction=park)
        .select_related("uploaded_by", "proposed_by", "published_by")
        .order_by("pack_id", "-version")
    )


def upload_get(*, scope: Scope, park: Jurisdiction, upload_id: int) -> UploadedPack:
    return get_visible_or_404(scope, uploads_for(scope=scope, park=park), pk=upload_id)


def upload_pack(*, upload: UploadedPack) -> DraftCheck:
    """The upload as a pack: a published one from the park's registry, a draft checked anew."""
    if not upload.is_draft:
        loaded = park_loaded(upload.jurisdiction_id)
        try:
            pack: Pack | None = loaded.registry.get(upload.pack_id, upload.version)
        except PolicyInputError:
            pack = None
        if pack is not None and pack.digest == upload.digest:
            return DraftCheck((), pack)
        # Left out (the same version came from elsewhere, or it no longer loads): its errors.
        return DraftCheck(tuple(i for i in loaded.invalid if i.file == upload.file), None)
    return upload_check(
        park=upload.jurisdiction, file=upload.file, text=upload.text, status=upload.status
    )


def in_force_for(*, park: Jurisdiction, pack_id: str, on: dt.date) -> Pack | None:
    """The published version of the pack in force on the date for the park, if any."""
    try:
        return park_registry(park.pk).in_force(pack_id, on)
    except PolicyInputError:
        return None


def upload_preview(
    *, upload: UploadedPack, pack: Pack, command: str, body: dict[str, Any]
) -> dict[str, Any]:
    """An engine function computed by the upload (a draft computes as itself, never as the
    pack in force), and the same request under the version in force, for comparison."""
    base = park_registry(upload.jurisdiction_id)
    own = Registry([*(p for p in base.packs() if p.key != pack.key), pack])
    result: dict[str, Any] = {
        "pack": pack.key,
        "draft": upload.is_draft,
        "label": DRAFT_LABEL if upload.is_draft else "已发布",
        "result": run(command, {**body, "pack": pack.id, "version": pack.version}, own),
    }
    try:
        compared = run(command, {**body, "pack": pack.id, "version": None}, base)
    except PolicyInputError as exc:
        result["in_force"] = None
        result["in_force_error"] = input_error(exc)
    else:
        result["in_force"] = compared
    return result


@dataclass(frozen=True)
class PlanComparison:
    """A hypothetical arrival planned by the upload, and by the version in force."""

    plan: Plan
    in_force: Plan | None
    in_force_error: str = ""


def upload_plan(*, upload: UploadedPack, pack: Pack, request: PlanRequest) -> PlanComparison:
    """The plan computed by the upload itself (a draft as a draft), beside the plan of the
    published version in force on the arrival date (none for a new pack id)."""
    args = {
        "person": request.person,
        "arrived_at": request.arrived_at,
        "enterprise": request.enterprise,
        "params": request.params,
        "choices": request.choices,
    }
    plan = plan_arrival(pack=pack, **args)  # type: ignore[arg-type]
    try:
        current = park_registry(upload.jurisdiction_id).in_force(pack.id, request.arrived_at.date())
        return PlanComparison(plan, plan_arrival(pack=current, **args))  # type: ignore[arg-type]
    except PolicyInputError as exc:
        return PlanComparison(plan, None, input_error(exc))


def published_uploads(*, park: Jurisdiction) -> dict[str, UploadedPack]:
    """The park's published uploads by ``id@version`` (the adoption page names them)."""
    rows = UploadedPack.objects.filter(jurisdiction=park, status=UploadStatus.PUBLISHED)
    return {row.key: row for row in rows}


def uploads_all(*, park_id: int | None = None) -> QuerySet[UploadedPack]:
    """Every park's uploads, for the operators' command line (no caller scope)."""
    rows = UploadedPack.objects.select_related("jurisdiction").order_by(
        "jurisdiction__name", "pack_id", "version"
    )
    return rows.filter(jurisdiction_id=park_id) if park_id is not None else rows
