"""Risk areas, trips with their itinerary, return declarations and the plans computed for them.

A plan is the engine's output stored as data (with the pack version and citations): the
person's obligations, phases and earliest plant entry. Old plans are kept when policy changes
(`PlanState.SUPERSEDED`), so what a person was told, and why, stays on record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from parkguard.gate.models import TemporaryPass
from parkguard.mobility.choices import (
    ChangeKind,
    EvidenceKind,
    IsolationKind,
    PlanState,
    PointKind,
    TestResult,
    Transport,
    TripPurpose,
    TripStatus,
    VisitorState,
)
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.fields import PhoneField
from parkguard.people.models import Person

CODE_LENGTH = 12


class RiskArea(models.Model):
    """One entry of a park's risk-area register, in the vocabulary of the packs it follows."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="risk_areas"
    )
    division_code = models.CharField("行政区划代码", max_length=CODE_LENGTH)
    division_name = models.CharField("行政区划", max_length=100)
    place = models.CharField("街道/社区", max_length=100, blank=True)
    level = models.CharField("风险等级", max_length=20)
    effective_from = models.DateField("起始日期")
    effective_to = models.DateField("截止日期", null=True, blank=True)
    source = models.CharField("来源", max_length=200)
    created_at = models.DateTimeField("登记时间")
    history = HistoricalRecords(verbose_name="风险区域变更历史")

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "风险区域"
        verbose_name_plural = "风险区域"
        ordering = ["-effective_from", "division_code", "id"]
        indexes = [models.Index(fields=["jurisdiction", "division_code"], name="riskarea_park_div")]

    def __str__(self) -> str:
        return f"{self.division_name}{self.place} {self.level}"


class Trip(models.Model):
    """A trip filed before leaving (J-1.1 备案), approved by an enterprise leader where a pack
    requires it (H-4.3 离渝事先审批)."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="trips"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField("事由", max_length=10, choices=TripPurpose.choices)
    departs_on = models.DateField("出发日期")
    returns_on = models.DateField("预计返回日期")
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=TripStatus.choices)
    approver = models.CharField("审批人（按规则包）", max_length=50, blank=True)
    # The engine's route: approvals, prohibitions, filings, each with its citation.
    route = models.JSONField("审批路线与依据", default=dict, blank=True)
    filed_at = models.DateTimeField("备案时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    # Each itinerary this trip had before an update (J-1.1), oldest first, with the status and
    # decision it had then and who changed it when: {"purpose", "departs_on", "returns_on",
    # "stops": [{"division_code", "division_name", "first_day", "last_day"}], "note",
    # "status", "approver", "decided_by", "decided_at", "decision_note", "changed_at",
    # "changed_by"}. Only appended to (`services.trip_update`).
    previous = models.JSONField("修改前的行程", default=list, blank=True)
    history = HistoricalRecords(verbose_name="行程变更历史")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_org_unit = "person__org_unit"
    scope_community = "person__home_community"
    scope_person = "person"

    class Meta:
        verbose_name = "出行报备"
        verbose_name_plural = "出行报备"
        ordering = ["-departs_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"], name="trip_ent_status")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.departs_on}"

    @property
    def revisions(self) -> list[dict[str, Any]]:
        """`previous`, newest first, with dates and times parsed for the page."""
        out = []
        for entry in reversed(self.previous):
            row = dict(entry)
            for key in ("departs_on", "returns_on"):
                row[key] = dt.date.fromisoformat(row[key])
            for key in ("decided_at", "changed_at"):
                row[key] = dt.datetime.fromisoformat(row[key]) if row.get(key) else None
            row["stops"] = [
                {
                    **s,
                    "first_day": dt.date.fromisoformat(s["first_day"]),
                    "last_day": dt.date.fromisoformat(s["last_day"]),
                }
                for s in row["stops"]
            ]
            row["purpose_label"] = TripPurpose(row["purpose"]).label
            row["status_label"] = TripStatus(row["status"]).label
            out.append(row)
        return out


class TripStop(models.Model):
    """One destination of a trip's itinerary, in order."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField("顺序")
    division_code = models.CharField("行政区划代码", max_length=CODE_LENGTH)
    division_name = models.CharField("目的地", max_length=100)
    first_day = models.DateField("到达日期")
    last_day = models.DateField("离开日期")
    history = HistoricalRecords(verbose_name="行程目的地变更历史")

    scope_jurisdiction = "trip__enterprise__jurisdiction"
    scope_enterprise = "trip__enterprise"
    scope_org_unit = "trip__person__org_unit"
    scope_community = "trip__person__home_community"
    scope_person = "trip__person"

    class Meta:
        verbose_name = "行程目的地"
        verbose_name_plural = "行程目的地"
        ordering = ["trip_id", "order"]

    def __str__(self) -> str:
        return self.division_name


class ReturnDeclaration(models.Model):
    """A returnee's declaration: arrival, places stayed with dates, transport, certificates."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="returns"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    trip = models.ForeignKey(
        Trip, verbose_name="出行报备", null=True, blank=True, on_delete=models.SET_NULL
    )
    arrived_at = models.DateTimeField("抵达时间")
    transport = models.CharField("交通方式", max_length=10, choices=Transport.choices)
    # [{"division_code", "division_name", "first_day", "last_day", "transit"}] in order.
    stays = models.JSONField("旅居史", default=list)
    # [{"sampled_at", "result"}]: negative certificates held on arrival.
    certificates = models.JSONField("核酸证明", default=list, blank=True)
    declared_at = models.DateTimeField("申报时间")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The plan allows entry (or was released); the hold is cleared.
    closed_at = models.DateTimeField("解除时间", null=True, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_org_unit = "person__org_unit"
    scope_community = "person__home_community"
    scope_person = "person"

    class Meta:
        verbose_name = "返岗申报"
        verbose_name_plural = "返岗申报（返岗人员登记册）"
        ordering = ["-arrived_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "closed_at"], name="return_ent_open")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.arrived_at:%Y-%m-%d}"


class ReturnPlan(models.Model):
    """The engine's plan for a return under one pack version, as data with its citations."""

    declaration = models.ForeignKey(
        ReturnDeclaration, verbose_name="返岗申报", on_delete=models.CASCADE, related_name="plans"
    )
    pack_id = models.CharField("规则包", max_length=100)
    version = models.PositiveIntegerField("版本")
    document_number = models.CharField("文号", max_length=200)
    plan = models.JSONField("计划")
    # {"<pack>:<obligation key>": [title, due_at]}: what the impact preview compares, small
    # enough to read for every open plan at once.
    index = models.JSONField("义务索引", default=dict, blank=True)
    earliest_entry = models.DateTimeField("最早进厂时间", null=True, blank=True)
    blocks_entry = models.BooleanField("计划限制进厂", default=False)
    state = models.CharField("状态", max_length=12, choices=PlanState.choices)
    computed_at = models.DateTimeField("计算时间")
    reason = models.CharField("计算原因", max_length=200, blank=True)

    scope_jurisdiction = "declaration__enterprise__jurisdiction"
    scope_enterprise = "declaration__enterprise"
    scope_org_unit = "declaration__person__org_unit"
    scope_community = "declaration__person__home_community"
    scope_person = "declaration__person"

    class Meta:
        verbose_name = "返岗计划"
        verbose_name_plural = "返岗计划"
        ordering = ["declaration_id", "-computed_at", "id"]
        indexes = [models.Index(fields=["state", "pack_id"], name="returnplan_state_pack")]

    def __str__(self) -> str:
        return f"{self.pack_id} v{self.version}"


class PlanEvidence(models.Model):
    """What was done for a plan: a report made, a test taken (with its result), a document."""

    declaration = models.ForeignKey(
        ReturnDeclaration, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField("类型", max_length=10, choices=EvidenceKind.choices)
    obligation = models.CharField("义务编号", max_length=200, blank=True)
    at = models.DateTimeField("时间")
    result = models.CharField(
        "结果", max_length=10, choices=TestResult.choices, blank=True, default=""
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间")

    scope_jurisdiction = "declaration__enterprise__jurisdiction"
    scope_enterprise = "declaration__enterprise"
    scope_org_unit = "declaration__person__org_unit"
    scope_person = "declaration__person"

    class Meta:
        verbose_name = "计划完成记录"
        verbose_name_plural = "计划完成记录"
        ordering = ["declaration_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class ObservationPoint(models.Model):
    """An enterprise's isolation observation point (B-2.4) or visitors' buffer zone (J-1.2.5)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类型", max_length=12, choices=PointKind.choices)
    name = models.CharField("名称", max_length=100)
    capacity = models.PositiveIntegerField("容量（人）")
    created_at = models.DateTimeField("设立时间")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "隔离观察点/缓冲区"
        verbose_name_plural = "隔离观察点/缓冲区"
        ordering = ["enterprise_id", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class IsolationRecord(models.Model):
    """One isolation or observation phase a person is under: its dates, every change of its
    end (extension, shortening within the pack's bounds, with a reason; old ends kept) and
    its release."""

    declaration = models.ForeignKey(
        ReturnDeclaration,
        verbose_name="返岗申报",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="isolations",
    )
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="isolations"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类型", max_length=30, choices=IsolationKind.choices)
    label = models.CharField("名称", max_length=50)
    point = models.ForeignKey(
        ObservationPoint, verbose_name="观察点", null=True, blank=True, on_delete=models.SET_NULL
    )
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    planned_end = models.DateTimeField("按规则包的结束")
    # The earliest end the pack allows (a per-case choice's minimum), None: the planned end.
    earliest_end = models.DateTimeField("最早可结束", null=True, blank=True)
    blocks_entry = models.BooleanField("期间不得进厂", default=True)
    # [{"ends_at", "reason", "by", "at"}]: each end this record had before, oldest first.
    previous = models.JSONField("变更记录", default=list, blank=True)
    citation = models.JSONField("依据", default=dict, blank=True)
    released_at = models.DateTimeField("解除时间", null=True, blank=True)
    release_note = models.CharField("解除说明", max_length=200, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_org_unit = "person__org_unit"
    scope_community = "person__home_community"
    scope_person = "person"

    class Meta:
        verbose_name = "隔离观察记录"
        verbose_name_plural = "隔离观察记录"
        ordering = ["-starts_at", "id"]
        indexes = [models.Index(fields=["enterprise", "released_at"], name="isolation_ent_open")]

    def __str__(self) -> str:
        return f"{self.label} {self.starts_at:%Y-%m-%d}"

    @property
    def changes(self) -> list[dict[str, Any]]:
        """`previous` with its times as aware datetimes: stored as UTC ISO text, they are
        shown through the `date` filter in the site's time zone like every other time."""
        out = []
        for change in self.previous:
            row = dict(change)
            for key in ("ends_at", "at"):
                if row.get(key):
                    row[key] = dt.datetime.fromisoformat(row[key])
            out.append(row)
        return out


class Visitor(models.Model):
    """A visitor registered by a host before arrival (J-1.2.1–J-1.2.5). The visitor fills in
    their own details through a signed, expiring link; the engine's plans are stored here."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    host = models.ForeignKey(
        Person, verbose_name="接待人", on_delete=models.PROTECT, related_name="visitors"
    )
    purpose = models.CharField("来访事由", max_length=100)
    origin_code = models.CharField("出发地", max_length=CODE_LENGTH)
    origin_name = models.CharField("出发地名称", max_length=100)
    arrives_at = models.DateTimeField("预计抵达时间")
    state = models.CharField("状态", max_length=12, choices=VisitorState.choices)
    # Filled in by the visitor on their phone.
    name = models.CharField("姓名", max_length=50, blank=True)
    phone = PhoneField("手机号", blank=True)
    stays = models.JSONField("旅居史", default=list, blank=True)
    certificates = models.JSONField("核酸证明", default=list, blank=True)
    filled_at = models.DateTimeField("填写时间", null=True, blank=True)
    # The engine's decision: category (rule titles), plans with pack versions and citations.
    category = models.CharField("类别", max_length=200, blank=True)
    plans = models.JSONField("计划", default=list, blank=True)
    earliest_entry = models.DateTimeField("最早进厂时间", null=True, blank=True)
    # J-1.2.3: the enterprise files the visitor with the community and the park.
    filed = models.BooleanField("已向社区、园区报备", default=False)
    # J-1.2.5: a buffer zone for enterprises of the pack's size (or frequent movement).
    buffer_needed = models.BooleanField("须进入过渡缓冲区", default=False)
    buffer = models.ForeignKey(
        ObservationPoint, verbose_name="缓冲区", null=True, blank=True, on_delete=models.SET_NULL
    )
    # The gate pass the officer issued (J-1.2, issue 13 §1): from the earliest entry the plan
    # allows until the departure the officer entered; a re-issue or a cancel revokes it.
    temporary_pass = models.ForeignKey(
        TemporaryPass,
        verbose_name="临时通行证",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    # Plans replaced when policy changed (issue 12 §6), oldest first: each with when, why,
    # and the category and earliest entry it gave. Never edited, only appended to.
    superseded_plans = models.JSONField("被取代的计划", default=list, blank=True)
    # A new nonce voids every link sent before; uses are counted per window (rate limit).
    link_nonce = models.CharField(max_length=32)
    link_uses = models.PositiveIntegerField(default=0)
    link_window_start = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    # The community of the enterprise sees the visitors filed with it (J-1.2.3).
    scope_community = "enterprise__community"
    scope_person = "host"

    class Meta:
        verbose_name = "来访人员"
        verbose_name_plural = "来访人员"
        ordering = ["-arrives_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "arrives_at"], name="visitor_ent_arrival")]

    def __str__(self) -> str:
        return f"{self.origin_name} {self.arrives_at:%Y-%m-%d}"


class PolicyChange(models.Model):
    """A confirmed change of policy and what it did to the open plans (old plans are kept)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("变化", max_length=12, choices=ChangeKind.choices)
    pack_id = models.CharField("规则包", max_length=100, blank=True)
    version = models.PositiveIntegerField("版本", null=True, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    description = models.CharField("说明", max_length=200)
    # {"plans", "people", "appear", "move", "disappear", "entry_changed"}
    summary = models.JSONField("影响", default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("确认时间")

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "政策变化"
        verbose_name_plural = "政策变化"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.description
