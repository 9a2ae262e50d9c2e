"""Reads of the rules app: which packs a park follows, and in which version on a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from parkguard.orgs.access import Scope, require, visible
from parkguard.orgs.choices import ENTERPRISE_HOSTS
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.policy import (
    Pack,
    PackError,
    PackIssue,
    Plan,
    PlanRequest,
    PolicyInputError,
    Records,
    evaluate_plan,
    explain,
    load_pack_text,
    plan_arrival,
    to_jsonable,
)
from parkguard.policy.requests import run, run_request
from parkguard.rules.models import PackAdoption
from parkguard.rules.registry import registry

PACK_NOT_FOUND = "没有这个规则包"


@dataclass(frozen=True)
class Followed:
    adoption: PackAdoption
    pack: Pack | None  # the version in force on the date, or None if none is

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.adoption.params)


def adoptions_for(*, park: Jurisdiction) -> list[PackAdoption]:
    """Packs adopted by the park or by a jurisdiction above it (a town, the county)."""
    ancestors = [int(pk) for pk in park.path.strip("/").split("/") if pk]
    return list(
        PackAdoption.objects.filter(jurisdiction_id__in=ancestors)
        .select_related("jurisdiction")
        .order_by("pack_id", "-jurisdiction__path")
    )


def followed(*, park: Jurisdiction, on: dt.date) -> list[Followed]:
    """One entry per pack id; an adoption nearer the park overrides one above it."""
    seen: dict[str, Followed] = {}
    for adoption in adoptions_for(park=park):
        if adoption.pack_id in seen:
            continue
        try:
            pack: Pack | None = registry().in_force(adoption.pack_id, on)
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
    """Validate a pack's text against this site's packs (what it extends); the result is a
    draft for preview only: it is never added to the registry and never in force."""
    require(scope, "upload_pack", park)
    try:
        pack = load_pack_text(text, file=file, parents=registry())
    except PackError as exc:
        return DraftCheck(exc.issues, None)
    return DraftCheck((), pack)


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
