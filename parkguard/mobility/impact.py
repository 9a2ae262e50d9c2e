"""When policy changes: the impact on open plans, previewed, then confirmed.

A change is a new pack version, other park parameters, or the risk-area register as it is
now. The preview recomputes every open plan of the park under the changed policy and compares
it with the stored one, obligation by obligation (by its key): which duties appear, move or
disappear, and whose earliest plant entry changes. Loading is set-based: a fixed number of
queries whatever the number of plans (`PREVIEW_QUERIES` in the benchmark). Confirming stores
the new plans (old ones become "superseded", never deleted), replaces the duties, refreshes
the holds, records the change and notifies the people affected.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet

from parkguard.audit.services import audit_record
from parkguard.duties.choices import DutyKind
from parkguard.duties.services import DutySpec, EvidenceHeld, duties_replace_many
from parkguard.lib.bulk_rows import bulk_insert, bulk_set
from parkguard.mobility import rules
from parkguard.mobility.choices import ChangeKind, PlanState, PointKind, TestResult
from parkguard.mobility.models import (
    IsolationRecord,
    ObservationPoint,
    PlanEvidence,
    PolicyChange,
    ReturnDeclaration,
    ReturnPlan,
)
from parkguard.mobility.services import (
    HOLD_KIND,
    _entries,
    _phase_minimum,
    duty_specs_of,
    evidence_kinds_in,
    isolations_new,
    plan_records_of,
    plan_row_new,
    return_source,
    utc_iso,
    verdict_of,
)
from parkguard.mobility.visitors import VisitorImpact, visitors_impact, visitors_recompute
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import Jurisdiction, Membership
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.policy import EnterpriseFacts, Plan, PolicyInputError, to_jsonable
from parkguard.rules.models import PackAdoption
from parkguard.status.models import StatusHold
from parkguard.status.services import CHUNK, status_refresh

PACK_NOT_ADOPTED = "本园区未采用该规则包"
VERSION_UNKNOWN = "没有这个版本"
DESCRIPTION_REQUIRED = "请填写变化说明（如文件名称、文号）"
PARAMS_INVALID = "参数取值不符合规则包的要求：{message}"
# Rows fetched from the preview's stream at a time.
STREAM_ROWS = 2000


@dataclass(frozen=True)
class Change:
    kind: str
    pack_id: str = ""
    version: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass
class PersonImpact:
    declaration_id: int
    person_id: int
    name: str
    appear: list[str] = field(default_factory=list)
    move: list[tuple[str, str, str]] = field(default_factory=list)
    disappear: list[str] = field(default_factory=list)
    entry_before: str | None = None
    entry_after: str | None = None

    @property
    def entry_changed(self) -> bool:
        return self.entry_before != self.entry_after

    @property
    def changed(self) -> bool:
        return bool(self.appear or self.move or self.disappear or self.entry_changed)


@dataclass
class Impact:
    plans: int = 0
    rows: list[PersonImpact] = field(default_factory=list)
    # declaration id → the new plans (for confirming)
    computed: dict[int, list[rules.PackPlan]] = field(default_factory=dict)
    # Open visits whose plan changes (J-1.2): planned again like the returns.
    visitors: list[VisitorImpact] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "plans": self.plans,
            "people": len({r.person_id for r in self.rows}),
            "appear": sum(len(r.appear) for r in self.rows),
            "move": sum(len(r.move) for r in self.rows),
            "disappear": sum(len(r.disappear) for r in self.rows),
            "entry_changed": sum(1 for r in self.rows if r.entry_changed),
            "visitors": len(self.visitors),
            "visitor_entry_changed": sum(1 for v in self.visitors if v.entry_changed),
            "visitor_passes_revoked": sum(1 for v in self.visitors if v.pass_revoked),
        }


def _policy(park: Jurisdiction, change: Change) -> rules.ParkPolicy:
    adoptions = rules.adoptions_for(park=park)
    adopted = {a.pack_id for a in adoptions}
    errors: dict[str, list[str]] = {}
    if change.kind not in ChangeKind.values:
        errors["kind"] = [DESCRIPTION_REQUIRED]
    if change.kind in {ChangeKind.VERSION, ChangeKind.PARAMS} and change.pack_id not in adopted:
        errors["pack_id"] = [PACK_NOT_ADOPTED]
    versions: dict[str, int] = {}
    params: dict[str, dict[str, Any]] = {}
    if change.kind == ChangeKind.VERSION and not errors:
        try:
            rules.registry().get(change.pack_id, change.version or 0)
        except PolicyInputError:
            errors["version"] = [VERSION_UNKNOWN]
        versions[change.pack_id] = change.version or 0
    if change.kind == ChangeKind.PARAMS and not errors:
        params[change.pack_id] = dict(change.params)
    if errors:
        raise ValidationError(errors)
    try:
        return rules.park_policy(park, versions=versions, params=params, adoptions=adoptions)
    except ValueError as exc:  # the park has no division code: a message, not a 500
        raise ValidationError({"__all__": [str(exc)]}) from exc


def _due_map(plans: list[tuple[dict[str, Any], str | None]]) -> dict[str, list[str | None]]:
    """The stored plans' indexes as one (key → [title, due], as each index stores them)."""
    return {key: [title, due] for index, _ in plans for key, (title, due) in index.items()}


def _entry(values: list[str | None], blocking: bool) -> str | None:
    known = [v for v in values if v]
    return max(known) if known and blocking else None


_iso = utc_iso


def impact_preview(
    *,
    scope: Scope,
    park: Jurisdiction,
    change: Change,
    at: dt.datetime,
    progress: Callable[[int, int], None] | None = None,
    keep: bool = False,
) -> Impact:
    """Every open plan of the park recomputed under the change, compared with what is stored.

    The new plans are kept (`Impact.computed`) only with `keep`, for the confirm: a preview
    shows the differences, and tens of thousands of plans held in memory would cost more
    in the garbage collector's passes over them than their computing saves.
    """
    require(scope, "adopt", park)
    policy = _policy(park, change)
    entries = _entries(park)
    headcounts = dict(
        Person.objects.filter(enterprise__jurisdiction=park, status=EmploymentStatus.ACTIVE)
        .values("enterprise_id")
        .annotate(n=Count("id"))
        .values_list("enterprise_id", "n")
    )
    points = set(
        ObservationPoint.objects.filter(
            enterprise__jurisdiction=park, kind=PointKind.OBSERVATION
        ).values_list("enterprise_id", flat=True)
    )
    # The UTC text of each moment met in this preview, computed once each (entry times and
    # deadlines repeat across plans: a day's midnight, the same hour after arrival).
    spelled: dict[dt.datetime, str | None] = {}
    # Returns with no plan at all (nothing applied when declared) may gain one: those that
    # arrived within the look-back window are recomputed too. The set is chosen by subqueries,
    # not a list of ids (a list as long as the plans would be one parameter per plan, and past
    # SQLite's limit on parameters).
    since = at - dt.timedelta(days=settings.MOBILITY_RECOMPUTE_DAYS)
    open_plans = ReturnPlan.objects.filter(declaration=OuterRef("pk"), state=PlanState.OPEN)
    any_plan = ReturnPlan.objects.filter(declaration=OuterRef("pk"))
    declarations = ReturnDeclaration.objects.filter(enterprise__jurisdiction=park).filter(
        Q(Exists(open_plans)) | (Q(arrived_at__gte=since) & ~Exists(any_plan))
    )
    # The total is counted for a progress report only (a statement more, over the same set).
    total = declarations.count() if progress is not None else 0
    # One stream: each return with its open plans (a LEFT JOIN, one row per open plan, one row
    # with no plan for a return that has none), in key order. Only what the engine and the
    # comparison read, and nothing held beyond the return in hand: the stored plans are not
    # loaded for the whole park first (tens of thousands of indexes kept alive would cost the
    # garbage collector's passes over them more than their reading).
    rows = (
        declarations.annotate(
            open_plan=FilteredRelation("plans", condition=Q(plans__state=PlanState.OPEN))
        )
        .values_list(
            "pk",
            "person_id",
            "person__name",
            "person__category",
            "enterprise_id",
            "stays",
            "certificates",
            "arrived_at",
            "open_plan__index",
            "open_plan__earliest_entry",
            # Whether the joined row is a plan (an open plan's index is never NULL).
            "open_plan__pk",
        )
        .order_by("pk", "open_plan__pk")
    )
    companies: dict[int, EnterpriseFacts] = {}
    impact = Impact()
    # Decoded once per preview: a day's text, a moment as read from the database (its
    # datetime, and its UTC text for the comparison). A park's returns share a few weeks of
    # days and hours, so each is parsed once rather than once per stay or plan.
    days: dict[str, dt.date] = {}
    moments: dict[Any, dt.datetime] = {}
    texts: dict[Any, str | None] = {}
    for n, (pk, joined) in enumerate(_returns(rows), start=1):
        _, person_id, name, category, enterprise_id, stays, certs, arrived = joined[0][:8]
        before = [(_json(r[8]), _text(r[9], texts, spelled)) for r in joined if r[10] is not None]
        company = companies.get(enterprise_id)
        if company is None:
            company = companies[enterprise_id] = EnterpriseFacts(
                headcount=headcounts.get(enterprise_id, 0),
                has_observation_point=enterprise_id in points,
            )
        try:
            found = rules.plans_under(
                policy,
                category=category,
                stays=[
                    rules.StayIn(
                        s["division_code"],
                        s["division_name"],
                        _day(s["first_day"], days),
                        _day(s["last_day"], days),
                        bool(s.get("transit")),
                    )
                    for s in _json(stays)
                ],
                certificates=[
                    (dt.datetime.fromisoformat(c["sampled_at"]), c["result"]) for c in _json(certs)
                ],
                arrived_at=_moment(arrived, moments),
                entries=entries,
                enterprise=company,
            )
        except PolicyInputError as exc:
            raise ValidationError(
                {"params": [PARAMS_INVALID.format(message=exc.message)]}
            ) from None
        impact.plans += len(before)
        row = _compare(pk, person_id, name, before, [f.plan for f in found], spelled)
        if row is not None:
            impact.rows.append(row)
            if keep:
                impact.computed[pk] = found
        if progress is not None:
            progress(n, total)
    try:
        impact.visitors = visitors_impact(
            park=park, policy=policy, entries=entries, headcounts=headcounts, at=at
        )
    except PolicyInputError as exc:  # parameters a visit's plan cannot take, as for returns
        raise ValidationError({"params": [PARAMS_INVALID.format(message=exc.message)]}) from None
    return impact


def _returns(rows: QuerySet[Any, Any]) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """The stream's rows grouped by return (they come in key order), as the driver gives them:
    no model instances and none of Django's per-value converters (the JSON is decoded and the
    moments parsed by the caller, each distinct moment once). The cursor is Django's chunked
    one (server-side on PostgreSQL), so the park's rows are never all in memory."""
    sql, params = rows.query.sql_with_params()
    connection = connections[rows.db]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        pk: int | None = None
        joined: list[tuple[Any, ...]] = []
        while batch := cursor.fetchmany(STREAM_ROWS):
            for row in batch:
                if row[0] != pk:
                    if joined:
                        yield pk, joined  # type: ignore[misc]
                    pk, joined = row[0], [row]
                else:
                    joined.append(row)
        if joined:
            yield pk, joined  # type: ignore[misc]


def _json(value: Any) -> Any:
    """A JSON column as the driver gives it: text (decoded here), or already decoded."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _day(text: str, days: dict[str, dt.date]) -> dt.date:
    day = days.get(text)
    if day is None:
        day = days[text] = dt.date.fromisoformat(text)
    return day


def _moment(value: Any, moments: dict[Any, dt.datetime]) -> dt.datetime:
    """A moment as the driver gives it: an aware datetime (PostgreSQL), or UTC text without
    an offset (SQLite, as Django writes it), parsed once per distinct value."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    moment = moments.get(value)
    if moment is None:
        parsed = dt.datetime.fromisoformat(value)
        moment = moments[value] = (
            parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
        )
    return moment


def _text(
    value: Any, texts: dict[Any, str | None], spelled: dict[dt.datetime, str | None]
) -> str | None:
    """The UTC text of a stored moment (as the driver gives it), once per distinct value."""
    if value is None:
        return None
    text = texts.get(value)
    if text is None:
        text = texts[value] = _spell(_moment(value, {}), spelled)
    return text


def _spell(moment: dt.datetime | None, spelled: dict[dt.datetime, str | None]) -> str | None:
    """`utc_iso` of a moment, remembered in `spelled` (one preview's moments)."""
    if moment is None:
        return None
    text = spelled.get(moment)
    if text is None:
        text = spelled[moment] = _iso(moment)
    return text


def _compare(
    pk: int,
    person_id: int,
    name: str,
    before: list[tuple[dict[str, Any], str | None]],
    after: list[Plan],
    spelled: dict[dt.datetime, str | None],
) -> PersonImpact | None:
    """The differences between the stored plans (`before`: each plan's index and earliest
    entry as UTC text) and the recomputed ones, or None when there are none. `spelled` keeps
    the UTC text of each moment met in this preview (deadlines repeat across plans: a day's
    midnight, the same hour after arrival), computed once each.

    The recomputed obligations are keyed and spelled as the stored index is (key → [title,
    due]), so that an unchanged return, the common case, is told by one comparison of the two
    mappings; only a changed one is compared obligation by obligation."""
    was: dict[str, Any] = before[0][0] if len(before) == 1 else _due_map(before)
    now: dict[str, list[str | None]] = {}
    for p in after:
        prefix = p.pack_id + ":"
        for o in p.obligations:
            moment = o.due_at
            now[prefix + o.key] = [
                o.title,
                None if moment is None else (spelled.get(moment) or _spell(moment, spelled)),
            ]
    entry_before = _entry([entry for _, entry in before], bool(before))
    entry_after = _entry([_spell(p.earliest_entry, spelled) for p in after], bool(after))
    if now == was and entry_before == entry_after:
        return None
    appear: list[str] = []
    move: list[tuple[str, str, str]] = []
    for key, (title, due) in now.items():
        old: list[str | None] | None = was.get(key)
        if old is None:
            appear.append(title or "")
        elif old[1] != due:
            move.append((title or "", old[1] or "", due or ""))
    disappear = [str(title) for key, (title, _) in was.items() if key not in now]
    if not (appear or move or disappear) and entry_before == entry_after:
        return None
    return PersonImpact(pk, person_id, name, appear, move, disappear, entry_before, entry_after)


@transaction.atomic
def impact_confirm(
    *, scope: Scope, park: Jurisdiction, change: Change, by: User | None, at: dt.datetime
) -> PolicyChange:
    """Apply the change: new plans for the affected returns (old ones kept as superseded),
    their duties, isolation records and holds, the change on record, the people told.

    Set-based like the preview: the affected returns are written a chunk of `CHUNK` at a time,
    each chunk in a fixed number of statements (`_confirm_chunk`), never one per plan.
    """
    require(scope, "adopt", park)
    if not change.description.strip():
        raise ValidationError({"description": [DESCRIPTION_REQUIRED]})
    impact = impact_preview(scope=scope, park=park, change=change, at=at, keep=True)
    if change.kind == ChangeKind.PARAMS:
        PackAdoption.objects.filter(jurisdiction=park, pack_id=change.pack_id).update(
            params=dict(change.params)
        )
    reason = change.description.strip()[:200]
    minimums: dict[tuple[str, int, str, str], int | None] = {}

    def minimum(pack_id: str, version: int, rule_id: str, kind: str) -> int | None:
        key = (pack_id, version, rule_id, kind)
        if key not in minimums:
            minimums[key] = _phase_minimum(pack_id, version, rule_id, kind)
        return minimums[key]

    ids = sorted(impact.computed)
    for start in range(0, len(ids), CHUNK):
        _confirm_chunk(ids[start : start + CHUNK], impact.computed, reason, at, minimum)
    visitors_recompute(changed=impact.visitors, reason=reason, at=at, by=by)
    users: set[int] = set()
    people = sorted({r.person_id for r in impact.rows})
    for start in range(0, len(people), CHUNK):
        users.update(
            Membership.objects.filter(person_id__in=people[start : start + CHUNK]).values_list(
                "user_id", flat=True
            )
        )
    notify_send(
        user_ids=sorted(users),
        kind=Kind.GENERAL,
        title="防控要求调整，您的待办已更新",
        body=f"{reason}。请查看“我的待办”中的新要求和截止时间。",
        link="/mobility/me/",
        at=at,
    )
    record = PolicyChange.objects.create(
        jurisdiction=park,
        kind=change.kind,
        pack_id=change.pack_id,
        version=change.version,
        params=to_jsonable(dict(change.params)),
        description=reason,
        summary=impact.summary(),
        by=by,
        at=at,
    )
    audit_record(
        actor=by,
        action="mobility.policy_change",
        at=at,
        jurisdiction_id=park.pk,
        detail={"change": record.pk, **impact.summary()},
    )
    return record


def _confirm_chunk(
    ids: list[int],
    computed: Mapping[int, list[rules.PackPlan]],
    reason: str,
    at: dt.datetime,
    minimum: Callable[[str, int, str, str], int | None],
) -> None:
    """New plans for these returns, in a fixed number of statements whatever their number:
    the old open plans superseded, the new ones inserted, the isolation records following
    (unchanged ones take the new ends, ones no longer needed released, new phases opened),
    the duties replaced, the declarations opened or closed and the plan holds moved."""
    facts = {
        pk: (person_id, enterprise_id, stays, certs, declared_at, arrived_at)
        for pk, person_id, enterprise_id, stays, certs, declared_at, arrived_at in (
            ReturnDeclaration.objects.filter(pk__in=ids).values_list(
                "pk",
                "person_id",
                "enterprise_id",
                "stays",
                "certificates",
                "declared_at",
                "arrived_at",
            )
        )
    }
    evidence: dict[int, list[PlanEvidence]] = defaultdict(list)
    for ev in PlanEvidence.objects.filter(declaration_id__in=ids):
        evidence[ev.declaration_id].append(ev)
    # Evidence naming an obligation counts by the obligation's kind in any of the return's
    # plans, the superseded ones too: read only for the returns that have such evidence.
    named = sorted({pk for pk, evs in evidence.items() if any(e.obligation for e in evs)})
    old_plans: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if named:
        for declaration_id, plan in ReturnPlan.objects.filter(declaration_id__in=named).values_list(
            "declaration_id", "plan"
        ):
            old_plans[declaration_id].append(plan)

    ReturnPlan.objects.filter(declaration_id__in=ids, state=PlanState.OPEN).update(
        state=PlanState.SUPERSEDED
    )
    rows = [plan_row_new(pk, f, at, reason) for pk in ids for f in computed[pk]]
    bulk_insert(ReturnPlan, rows)
    new_plans: dict[int, list[tuple[ReturnPlan, Plan]]] = defaultdict(list)
    for row, plan in zip(rows, (f.plan for pk in ids for f in computed[pk]), strict=True):
        new_plans[row.declaration_id].append((row, plan))

    # Isolation records: unchanged ones follow the new phases' ends; changed ones keep theirs.
    records: dict[int, list[IsolationRecord]] = defaultdict(list)
    for record in IsolationRecord.objects.filter(declaration_id__in=ids):
        assert record.declaration_id is not None
        records[record.declaration_id].append(record)
    moved: list[IsolationRecord] = []
    opened: list[IsolationRecord] = []
    for pk in ids:
        ends = {
            p.kind: p.end_at for f in computed[pk] for p in f.plan.phases if p.end_at is not None
        }
        for record in records[pk]:
            if record.released_at is not None or record.previous:
                continue
            if record.kind not in ends:  # the new plans need no such phase any more
                record.released_at = at
                record.release_note = reason
            else:
                record.ends_at = record.planned_end = ends[record.kind]
            moved.append(record)
        person_id, enterprise_id = facts[pk][0], facts[pk][1]
        fresh = isolations_new(
            declaration_id=pk,
            person_id=person_id,
            enterprise_id=enterprise_id,
            plans=[(r.pack_id, r.version, r.plan) for r, _ in new_plans[pk]],
            held={r.kind for r in records[pk] if r.released_at is None},
            minimum=minimum,
        )
        opened += fresh
        records[pk] += fresh
    bulk_set(IsolationRecord, moved, ["ends_at", "planned_end", "released_at", "release_note"])
    bulk_insert(IsolationRecord, opened)

    # Duties: the new plans' obligations, already met by what the return holds.
    items: dict[tuple[int, str], list[DutySpec]] = {}
    held: dict[tuple[int, str], list[EvidenceHeld]] = {}
    for pk in ids:
        person_id, _, stays, certs, declared_at, arrived_at = facts[pk]
        source = return_source(pk)
        plans = [r.plan for r, _ in new_plans[pk]]
        items[(person_id, source)] = duty_specs_of(
            stays=stays, declared_at=declared_at, arrived_at=arrived_at, plans=plans
        )
        done = [
            EvidenceHeld(DutyKind.NUCLEIC_ACID, dt.datetime.fromisoformat(c["sampled_at"]), source)
            for c in certs
            if c["result"] == TestResult.NEGATIVE
        ]
        for ev in evidence.get(pk, ()):
            done += [
                EvidenceHeld(kind, ev.at, f"mobility.evidence:{ev.pk}")
                for kind in evidence_kinds_in(ev, [*old_plans.get(pk, []), *plans])
            ]
        held[(person_id, source)] = done
    duties_replace_many(items=items, evidence=held, at=at)

    # The gate: each return's verdict under its new plans, then the holds and the closing.
    allowed: list[int] = []
    waiting: list[int] = []
    holds_wanted: dict[str, tuple[int, str, dict[str, Any]]] = {}
    for pk in ids:
        person_id, _, _, certs, _, _ = facts[pk]
        blocking = sorted(
            (r for r in records[pk] if r.blocks_entry),
            key=lambda r: (-r.starts_at.timestamp(), r.pk),
        )
        verdict = verdict_of(
            plans=new_plans[pk],
            records=plan_records_of(certs, evidence.get(pk, ())),
            isolations=blocking,
            at=at,
        )
        if verdict.allowed:
            allowed.append(pk)
        else:
            waiting.append(pk)
            holds_wanted[return_source(pk)] = (
                person_id,
                verdict.reasons[0][:300],
                dict(verdict.citation),
            )
    ReturnDeclaration.objects.filter(pk__in=allowed).update(closed_at=at)
    ReturnDeclaration.objects.filter(pk__in=waiting).update(closed_at=None)
    sources = [return_source(pk) for pk in ids]
    clear: list[int] = []
    kept: set[str] = set()
    open_holds: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for hold_pk, source, hold_reason in StatusHold.objects.filter(
        kind=HOLD_KIND, source__in=sources, cleared_at__isnull=True
    ).values_list("pk", "source", "reason"):
        open_holds[source].append((hold_pk, hold_reason))
    for source in sources:
        found = open_holds.get(source, [])
        wanted = holds_wanted.get(source)
        if wanted is None or any(r != wanted[1] for _, r in found):
            # Entry allowed, or the reason changed (an extension, a test done): say the new one.
            clear += [hold_pk for hold_pk, _ in found]
        elif found:
            kept.add(source)
    StatusHold.objects.filter(pk__in=clear).update(cleared_at=at, cleared_by=None)
    bulk_insert(
        StatusHold,
        [
            StatusHold(
                person_id=person_id,
                kind=HOLD_KIND,
                reason=hold_reason,
                citation=citation,
                source=source,
                opened_at=at,
            )
            for source, (person_id, hold_reason, citation) in holds_wanted.items()
            if source not in kept
        ],
    )
    status_refresh(person_ids=[facts[pk][0] for pk in ids], at=at)
