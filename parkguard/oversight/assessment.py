"""Reads of a park cadre's annual assessment (包企干部年度考核, Z-6: "包企干部工作不力的，相关情况
纳入年度等次考核作重要参考").

Every figure is a count of records the platform holds for the enterprises the cadre is assigned
to (`Enterprise.park_cadre`), in one calendar year; each names the clause it serves and has an
evidence list (`assessment_evidence`) of exactly the rows it counts. The reference grade
(优秀 / 合格 / 不合格) uses only the bounds the pack `zhengyang-2022-20-assessment` declares as park
parameters; a park that follows no such pack gets the figures and no grade.

Who sees whose record is `orgs.access.assessment_cadres`; these functions only read.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Avg, Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from parkguard.orgs.access import Scope, visible
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.oversight.choices import DrillStatus, InspectionStatus, RectificationStatus
from parkguard.oversight.models import (
    Drill,
    HotlineCase,
    Inspection,
    ReadinessSnapshot,
    Rectification,
)
from parkguard.oversight.selectors import Number, figure_for, threshold_for

YEAR_NOT_NUMBER = "年度须是四位数字的年份，如 {example}"
YEAR_OUT_OF_RANGE = "所选年度没有可考核的记录：可选 {first}–{last} 年"
CADRE_UNKNOWN = "未找到该包企干部，或您无权查看其考核情况"

EXCELLENT = "assessment_excellent_on_time_percent"
PASS = "assessment_pass_on_time_percent"
VISITS = "assessment_visits_per_enterprise"

GRADE_EXCELLENT = "优秀"
GRADE_PASS = "合格"
GRADE_FAIL = "不合格"

# Items refused at least this often count as "repeated refusals" where the park follows no
# pack with a report threshold (J-2.4 "多次督促"): more than once.
REPEATED = 2
PERCENT = 100


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: str
    requirement: str
    clause: str


# The figures, in the order shown; the clause each one serves.
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("enterprises", "包联企业", "Z-2.1", "园区对每家企业落实包企干部"),
    FigureSpec("inspections_done", "督查已完成", "Z-6", "工作督导组深入企业，实地督查"),
    FigureSpec("inspections_planned", "督查已计划未完成", "Z-6", "工作督导组深入企业，实地督查"),
    FigureSpec("findings", "发现问题", "Z-6", "建立疫情防控突出问题整改台账"),
    FigureSpec("closed_on_time", "按期销号", "Z-6", "突出问题整改台账：按期整改销号"),
    FigureSpec("closed_late", "逾期后销号", "Z-6", "突出问题整改台账：逾期整改"),
    FigureSpec("still_overdue", "仍逾期未销号", "Z-6", "对企业工作不力的实行通报督办"),
    FigureSpec("escalated", "逾期督办", "Z-6", "对企业工作不力的实行通报督办"),
    FigureSpec(
        "reported", "上报专项工作组", "J-2.4", "经多次督促仍拒不整改的，报专项工作组责令限期整改"
    ),
    FigureSpec("refused", "多次退回", "J-2.4", "经多次督促仍拒不整改"),
    FigureSpec("drills", "企业应急演练", "Z-4.1", "各企业要加强应急处置演练，逐一查漏补缺"),
    FigureSpec("hotline", "涉及包联企业的热线与诉求", "B-3", "设立举报电话，接受监督"),
    FigureSpec("hotline_on_time", "其中按时答复", "B-3", "设立举报电话，接受监督"),
)
SPECS = {f.key: f for f in FIGURES}


@dataclass(frozen=True)
class Figure:
    spec: FigureSpec
    value: int
    link: str


@dataclass(frozen=True)
class Grade:
    """The reference grade and why, each bound with the pack's citation."""

    label: str
    reasons: list[str]
    bounds: list[tuple[str, Number]]  # what each bound is, and its value with the pack's citation


@dataclass(frozen=True)
class CadreRecord:
    cadre: User
    year: int
    enterprises: list[Enterprise]
    figures: list[Figure]
    on_time_percent: int | None
    trend: list[int | None]  # the month's mean readiness score of the cadre's enterprises
    grade: Grade | None
    note: str = ""
    values: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.cadre.get_full_name() or self.cadre.username


@dataclass(frozen=True)
class EvidenceRow:
    on: dt.date | None
    enterprise: str
    text: str
    state: str
    link: str


def years_offered(*, park: Jurisdiction, today: dt.date) -> tuple[int, int]:
    """The first and last year one may ask for: from the park's oldest oversight record (or
    this year) to this year."""
    firsts = [
        Inspection.objects.filter(jurisdiction=park).order_by("planned_on").first(),
        Drill.objects.filter(jurisdiction=park).order_by("planned_on").first(),
    ]
    dates = [x.planned_on for x in firsts if x is not None]
    item = Rectification.objects.filter(jurisdiction=park).order_by("created_at").first()
    if item is not None:
        dates.append(timezone.localdate(item.created_at))
    case = HotlineCase.objects.filter(jurisdiction=park).order_by("received_at").first()
    if case is not None:
        dates.append(timezone.localdate(case.received_at))
    first = min([d.year for d in dates] + [today.year])
    return first, today.year


def year_parse(raw: str | None, *, park: Jurisdiction, today: dt.date) -> int:
    """The year asked for (this year when absent); ValueError with a Chinese message otherwise."""
    first, last = years_offered(park=park, today=today)
    if raw is None or raw == "":
        return last
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) == len(str(today.year))):
        raise ValueError(YEAR_NOT_NUMBER.format(example=today.year))
    year = int(text)
    if not first <= year <= last:
        raise ValueError(YEAR_OUT_OF_RANGE.format(first=first, last=last))
    return year


def _bounds(year: int, today: dt.date) -> tuple[dt.datetime, dt.datetime, dt.date, dt.date]:
    """The year's start and end (aware, local), its first day and the day overdue is read on."""
    zone = timezone.get_current_timezone()
    first = dt.date(year, 1, 1)
    after = dt.date(year + 1, 1, 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(after, dt.time.min, tzinfo=zone)
    return start, end, first, min(today, after)


def _sets(
    *, scope: Scope, park: Jurisdiction, ids: list[int], year: int, today: dt.date
) -> dict[str, QuerySet[Any]]:
    """The rows behind each figure: counted for the record, listed as its evidence."""
    start, end, first, cutoff = _bounds(year, today)
    after = dt.date(year + 1, 1, 1)
    threshold = threshold_for(park=park, on=cutoff - dt.timedelta(days=1))
    refused = threshold.refusals if threshold is not None else REPEATED
    visits = visible(scope, Inspection).filter(
        jurisdiction=park, enterprise_id__in=ids, planned_on__gte=first, planned_on__lt=after
    )
    items = visible(scope, Rectification).filter(
        jurisdiction=park, enterprise_id__in=ids, created_at__gte=start, created_at__lt=end
    )
    closed = items.filter(status=RectificationStatus.CLOSED, closed_at__isnull=False)
    cases = (
        visible(scope, HotlineCase)
        .filter(jurisdiction=park, received_at__gte=start, received_at__lt=end)
        .filter(Q(about_id__in=ids) | Q(enterprise_id__in=ids))
    )
    return {
        "enterprises": visible(scope, Enterprise).filter(pk__in=ids),
        "inspections_done": visits.filter(status=InspectionStatus.DONE),
        "inspections_planned": visits.filter(status=InspectionStatus.PLANNED),
        "findings": items,
        "closed_on_time": closed.filter(closed_at__date__lte=F("deadline")),
        "closed_late": closed.filter(closed_at__date__gt=F("deadline")),
        "still_overdue": items.exclude(status=RectificationStatus.CLOSED).filter(
            deadline__lt=cutoff
        ),
        "escalated": items.filter(escalated_at__isnull=False),
        "reported": items.filter(reported_at__isnull=False),
        "refused": items.filter(refusals__gte=refused),
        "drills": visible(scope, Drill).filter(
            jurisdiction=park,
            enterprise_id__in=ids,
            status=DrillStatus.DONE,
            held_on__gte=first,
            held_on__lt=after,
        ),
        "hotline": cases,
        "hotline_on_time": cases.filter(answered_at__isnull=False).filter(
            Q(due_by__isnull=True) | Q(answered_at__lte=F("due_by"))
        ),
    }


def _firms(scope: Scope, park: Jurisdiction, cadre: User) -> list[Enterprise]:
    return list(
        visible(scope, Enterprise).filter(jurisdiction=park, park_cadre=cadre).order_by("name")
    )


def _trend(ids: list[int], park: Jurisdiction, year: int) -> list[int | None]:
    """Each month's mean of the readiness snapshots (J-2.5) of the enterprises; None: none kept."""
    by_month = dict(
        ReadinessSnapshot.objects.filter(jurisdiction=park, enterprise_id__in=ids, on__year=year)
        .values("on__month")
        .annotate(avg=Avg("percent"))
        .values_list("on__month", "avg")
    )
    months = range(1, len(calendar.month_abbr))
    return [None if by_month.get(m) is None else round(by_month[m]) for m in months]


def _grade(
    *, park: Jurisdiction, on: dt.date, values: dict[str, int], rate: int | None, least: int
) -> Grade | None:
    excellent = figure_for(park=park, on=on, name=EXCELLENT)
    passing = figure_for(park=park, on=on, name=PASS)
    visits = figure_for(park=park, on=on, name=VISITS)
    if excellent is None or passing is None:
        return None
    bounds = [("优秀：按期销号率不低于", excellent), ("合格：按期销号率不低于", passing)]
    if visits is not None:
        bounds.append(("优秀：每家包联企业年度督查不少于", visits))
    shown = "无整改项" if rate is None else f"{rate}%"
    reasons = [f"按期销号率 {shown}"]
    escalated = values["escalated"] + values["reported"]
    if escalated:
        reasons.append(f"逾期督办或上报 {escalated} 项")
    if visits is not None and least < visits.value:
        reasons.append(f"有包联企业年度督查少于 {visits.value} 次")
    if (
        (rate is None or rate >= excellent.value)
        and not escalated
        and (visits is None or least >= visits.value)
    ):
        return Grade(GRADE_EXCELLENT, reasons, bounds)
    if rate is None or rate >= passing.value:
        return Grade(GRADE_PASS, reasons, bounds)
    return Grade(GRADE_FAIL, reasons, bounds)


def evidence_link(*, park: Jurisdiction, cadre: User, year: int, key: str) -> str:
    url = reverse("oversight_assessment_evidence", args=[park.pk, cadre.pk, key])
    return f"{url}?year={year}"


def cadre_record(
    *, scope: Scope, park: Jurisdiction, cadre: User, year: int, today: dt.date
) -> CadreRecord:
    """One cadre's record for the year: the figures with their evidence links, the on-time
    rate, the readiness trend of their enterprises and the reference grade."""
    firms = _firms(scope, park, cadre)
    ids = [f.pk for f in firms]
    sets = _sets(scope=scope, park=park, ids=ids, year=year, today=today)
    values = {key: rows.count() for key, rows in sets.items()}
    figures = [
        Figure(
            spec=spec,
            value=values[spec.key],
            link=evidence_link(park=park, cadre=cadre, year=year, key=spec.key),
        )
        for spec in FIGURES
    ]
    judged = values["closed_on_time"] + values["closed_late"] + values["still_overdue"]
    rate = round(PERCENT * values["closed_on_time"] / judged) if judged else None
    done_by = dict(
        sets["inspections_done"]
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    least = min((done_by.get(pk, 0) for pk in ids), default=0)
    *_, cutoff = _bounds(year, today)
    on = cutoff - dt.timedelta(days=1)
    grade = _grade(park=park, on=on, values=values, rate=rate, least=least) if firms else None
    note = "" if firms else "该干部本年度没有包联企业，不评定等次"
    if firms and grade is None:
        note = "园区未采用包企干部考核的规则包，只列出年度情况，不评定参考等次"
    return CadreRecord(
        cadre=cadre,
        year=year,
        enterprises=firms,
        figures=figures,
        on_time_percent=rate,
        trend=_trend(ids, park, year),
        grade=grade,
        note=note,
        values=values,
    )


def assessment(
    *, scope: Scope, park: Jurisdiction, cadres: QuerySet[User], year: int, today: dt.date
) -> list[CadreRecord]:
    """The records of `cadres` (already narrowed by `orgs.access.assessment_cadres`)."""
    return [cadre_record(scope=scope, park=park, cadre=c, year=year, today=today) for c in cadres]


def assessment_evidence(
    *, scope: Scope, park: Jurisdiction, cadre: User, year: int, key: str, today: dt.date
) -> list[EvidenceRow]:
    """Exactly the rows a figure counts, each with a link to its record."""
    if key not in SPECS:
        raise KeyError(key)
    ids = [f.pk for f in _firms(scope, park, cadre)]
    rows = _sets(scope=scope, park=park, ids=ids, year=year, today=today)[key]
    if key == "enterprises":
        return [
            EvidenceRow(None, e.name, e.legal_representative, "", _url("oversight_enterprise", e))
            for e in rows.order_by("name")
        ]
    if key.startswith("inspections"):
        return [
            EvidenceRow(
                v.planned_on,
                v.enterprise.name,
                v.purpose or "督查",
                v.get_status_display(),
                _url("oversight_inspection", v),
            )
            for v in rows.select_related("enterprise").order_by("planned_on", "pk")
        ]
    if key == "drills":
        return [
            EvidenceRow(
                d.held_on,
                d.enterprise.name if d.enterprise else park.name,
                d.scenario,
                d.get_status_display(),
                _url("oversight_drill", d),
            )
            for d in rows.select_related("enterprise").order_by("held_on", "pk")
        ]
    if key.startswith("hotline"):
        return [
            EvidenceRow(
                timezone.localdate(c.received_at),
                (c.enterprise or c.about).name if (c.enterprise or c.about) else "",
                f"{c.get_kind_display()}：{c.subject}",
                c.get_status_display(),
                _url("oversight_case", c),
            )
            for c in rows.select_related("enterprise", "about").order_by("received_at", "pk")
        ]
    return [
        EvidenceRow(
            timezone.localdate(r.created_at),
            r.enterprise.name,
            r.finding.description,
            _item_state(r),
            _url("oversight_rectification", r),
        )
        for r in rows.select_related("enterprise", "finding").order_by("created_at", "pk")
    ]


def _item_state(r: Rectification) -> str:
    state = f"{r.get_status_display()}（期限 {r.deadline:%Y-%m-%d}"
    if r.closed_at:
        state += f"，{timezone.localdate(r.closed_at):%Y-%m-%d} 销号"
    if r.refusals:
        state += f"，退回 {r.refusals} 次"
    return state + "）"


def _url(name: str, obj: Any) -> str:
    return reverse(name, args=[obj.pk])
