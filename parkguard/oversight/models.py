"""Inspections, their findings and the rectification ledger (Z-6, J-2.4, J-2.5, H-5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.oversight.choices import (
    ApplicationKind,
    ApplicationStatus,
    CaseChannel,
    CaseKind,
    CaseStatus,
    DrillStatus,
    EventKind,
    GroupKind,
    InspectionStatus,
    ParticipantsOrigin,
    PhotoRole,
    PlanKind,
    PlanStatus,
    RectificationStatus,
    TrainingKind,
)


class ChecklistItem(models.Model):
    """A park's own inspection item, checked alongside those of the packs it follows (Z-6)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="checklist_items"
    )
    kind = models.CharField("类别", max_length=30)
    text = models.CharField("检查内容", max_length=200)
    basis = models.CharField("依据", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间")

    scope_jurisdiction = "jurisdiction_id"

    class Meta:
        verbose_name = "园区自设检查项"
        verbose_name_plural = "园区自设检查项"
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.text


class Inspection(models.Model):
    """A visit to one enterprise by a park inspector: planned, then checked item by item.

    `checklist` is the list as it stood when the visit was recorded: each item's key, kind,
    text, citation, result and note, so a later pack version does not rewrite history.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.PROTECT, related_name="inspections"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督查员",
        null=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    planned_on = models.DateField("计划日期")
    purpose = models.CharField("督查重点", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    visited_at = models.DateTimeField("检查时间", null=True, blank=True)
    checklist = models.JSONField("检查清单及结果", default=list, blank=True)
    summary = models.TextField("检查情况", blank=True)
    created_at = models.DateTimeField("创建时间")

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "督查"
        verbose_name_plural = "督查"
        ordering = ["-planned_on", "-pk"]
        indexes = [models.Index(fields=["jurisdiction", "planned_on"], name="inspection_park_day")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.planned_on}"


class Finding(models.Model):
    """A problem found on a visit, or a gap a drill revealed that the park puts on the
    ledger; it becomes one rectification item at once."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name="督查",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    drill = models.ForeignKey(
        "Drill",
        verbose_name="演练",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
    )
    item_key = models.CharField("检查项", max_length=120, blank=True)
    item_text = models.CharField("检查内容", max_length=200, blank=True)
    citation = models.JSONField("依据", default=dict, blank=True)
    description = models.TextField("问题描述")
    created_at = models.DateTimeField("记录时间")

    scope_jurisdiction = "rectification__jurisdiction"
    scope_enterprise = "rectification__enterprise"

    class Meta:
        verbose_name = "督查发现问题"
        verbose_name_plural = "督查发现问题"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:40]


class Rectification(models.Model):
    """One line of the rectification ledger (突出问题整改台账, Z-6): owner, deadline, state.

    `refusals` counts the replies the inspector sent back; at the park's threshold the
    enterprise may be reported upward (J-2.4), with the task force's deadline.
    """

    finding = models.OneToOneField(
        Finding, verbose_name="问题", on_delete=models.CASCADE, related_name="rectification"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.PROTECT, related_name="rectifications"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="rectifications"
    )
    owner_name = models.CharField("整改责任人", max_length=50)
    deadline = models.DateField("整改期限")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    refusals = models.PositiveSmallIntegerField("退回次数", default=0)
    escalated_at = models.DateTimeField("逾期督办时间", null=True, blank=True)
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)
    report_deadline = models.DateField("限期整改期限", null=True, blank=True)
    report_citation = models.JSONField("上报依据", default=dict, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    created_at = models.DateTimeField("下发时间")

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "整改项"
        verbose_name_plural = "整改台账"
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["jurisdiction", "status", "deadline"], name="rectification_due"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.finding}"


class RectificationEvent(models.Model):
    """One step of an item's history: opened, replied, closed, reopened, escalated, reported."""

    rectification = models.ForeignKey(
        Rectification, verbose_name="整改项", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("事项", max_length=10, choices=EventKind.choices)
    text = models.TextField("说明", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间")

    scope_jurisdiction = "rectification__jurisdiction"
    scope_enterprise = "rectification__enterprise"

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Photo(models.Model):
    """A photo of a finding or of the evidence of a reply, kept in the database (no local
    files as state); its type is read from its first bytes, never from the upload's name."""

    rectification = models.ForeignKey(
        Rectification, verbose_name="整改项", on_delete=models.CASCADE, related_name="photos"
    )
    event = models.ForeignKey(
        RectificationEvent,
        verbose_name="整改记录",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    role = models.CharField("用途", max_length=10, choices=PhotoRole.choices)
    content_type = models.CharField("类型", max_length=20)
    size = models.PositiveIntegerField("大小（字节）")
    content = models.BinaryField("内容")
    uploaded_at = models.DateTimeField("上传时间")

    scope_jurisdiction = "rectification__jurisdiction"
    scope_enterprise = "rectification__enterprise"

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"


class Application(models.Model):
    """An enterprise's application for a business event, a gathering or a return to work
    (J-1.4, H-4.3b, B-2.1), with the route the engine computed from the packs in force:
    the approver, the apply-by deadline, the plan it needs and every citation (`route`)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField("类型", max_length=20, choices=ApplicationKind.choices)
    title = models.CharField("名称", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    headcount = models.PositiveIntegerField("人数")
    participants_origin = models.CharField(
        "参与人员最远来源", max_length=20, choices=ParticipantsOrigin.choices
    )
    plan = models.TextField("防控方案（含应急预案）", blank=True)
    status = models.CharField(
        "状态",
        max_length=15,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    route = models.JSONField("审批路线及依据", default=dict)
    applied_at = models.DateTimeField("申请时间")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "活动与复工申请"
        verbose_name_plural = "活动与复工申请"
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ResponsibilityGroup(models.Model):
    """A leading group or task team of the park, or an enterprise's epidemic task team, with
    its duties (Z-2.1, J-2.3, H-3). A park's group has no enterprise."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="groups"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="groups",
    )
    kind = models.CharField("类型", max_length=20, choices=GroupKind.choices)
    name = models.CharField("名称", max_length=100)
    duties = models.TextField("职责", blank=True)
    created_at = models.DateTimeField("创建时间")

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "责任机构"
        verbose_name_plural = "责任机构"
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A member of a group and what they answer for (组长、副组长、成员 ...)."""

    group = models.ForeignKey(
        ResponsibilityGroup, verbose_name="机构", on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50)
    duty = models.CharField("分工", max_length=200, blank=True)

    scope_jurisdiction = "group__jurisdiction"
    scope_enterprise = "group__enterprise"

    class Meta:
        verbose_name = "机构成员"
        verbose_name_plural = "机构成员"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """One version of the park's plan (一园一策) or an enterprise's plan (一企一策, Z-4.1).

    `sections` holds each required section as the packs in force named it on submission
    (key, title, citation) with the plan's text; a new submission is a new version, the
    old ones stay as they were. The park approves or returns it with comments.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.PROTECT, related_name="plans"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    kind = models.CharField("类型", max_length=10, choices=PlanKind.choices)
    version = models.PositiveIntegerField("版本")
    title = models.CharField("名称", max_length=100)
    sections = models.JSONField("章节", default=list)
    status = models.CharField(
        "状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField("提交时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField("审批意见", blank=True)

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "防控处置预案"
        verbose_name_plural = "防控处置预案"
        ordering = ["-version", "-pk"]
        indexes = [models.Index(fields=["enterprise", "status"], name="plan_enterprise_status")]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.version} 版）"


class Drill(models.Model):
    """An emergency drill of an enterprise, or of the park (no enterprise): scheduled, then
    recorded with who guided it and the gaps it found (Z-4.1, J-2.2)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.PROTECT, related_name="drills"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drills",
    )
    scenario = models.CharField("演练内容", max_length=200)
    planned_on = models.DateField("计划日期")
    guided_by = models.CharField("指导单位", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=DrillStatus.choices, default=DrillStatus.PLANNED
    )
    held_on = models.DateField("演练日期", null=True, blank=True)
    participants = models.PositiveIntegerField("参演人数", null=True, blank=True)
    summary = models.TextField("演练情况", blank=True)
    created_at = models.DateTimeField("创建时间")
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "应急演练"
        verbose_name_plural = "应急演练"
        ordering = ["-planned_on", "-pk"]

    def __str__(self) -> str:
        return self.scenario


class DrillGap(models.Model):
    """A gap a drill found (查漏): fixed by the enterprise with a note (补缺), or put on the
    rectification ledger by the park."""

    drill = models.ForeignKey(
        Drill, verbose_name="演练", on_delete=models.CASCADE, related_name="gaps"
    )
    description = models.CharField("发现的问题", max_length=200)
    fixed_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    fix_note = models.CharField("整改情况", max_length=200, blank=True)
    rectification = models.OneToOneField(
        Rectification,
        verbose_name="整改项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drill_gap",
    )

    scope_jurisdiction = "drill__jurisdiction"
    scope_enterprise = "drill__enterprise"

    class Meta:
        verbose_name = "演练发现问题"
        verbose_name_plural = "演练发现问题"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description


class Training(models.Model):
    """A training session or a publicity action on the rules (J-2.2), by the park, the
    community or an enterprise."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.PROTECT, related_name="trainings"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainings",
    )
    kind = models.CharField("类型", max_length=10, choices=TrainingKind.choices)
    topic = models.CharField("主题", max_length=200)
    held_on = models.DateField("日期")
    organiser = models.CharField("组织单位", max_length=100)
    audience = models.CharField("对象", max_length=100, blank=True)
    attendees = models.PositiveIntegerField("人数", null=True, blank=True)
    recorded_at = models.DateTimeField("记录时间")

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "培训与宣传"
        verbose_name_plural = "培训与宣传"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.topic


class HotlineCase(models.Model):
    """A call to the park's hotline (举报、诉求、政策咨询; B-3, L-3.1) or an enterprise's own
    request: recorded, assigned, answered, with the deadline the packs in force give.

    `enterprise` is the enterprise that asked (its officers follow their own requests);
    `about` is an enterprise a report names: it is never a scope path, so the enterprise
    reported never sees the report or who made it.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.PROTECT, related_name="hotline_cases"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="提出诉求的企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_requests",
    )
    about = models.ForeignKey(
        Enterprise,
        verbose_name="所涉企业",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField("类型", max_length=10, choices=CaseKind.choices)
    channel = models.CharField("渠道", max_length=10, choices=CaseChannel.choices)
    caller_name = models.CharField("来电人", max_length=50, blank=True)
    caller_phone = models.CharField("联系电话", max_length=20, blank=True)
    subject = models.CharField("事由", max_length=100)
    text = models.TextField("内容")
    received_at = models.DateTimeField("受理时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_by = models.DateTimeField("答复时限", null=True, blank=True)
    due_citation = models.JSONField("时限依据", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_cases",
    )
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "热线与诉求"
        verbose_name_plural = "热线与诉求"
        ordering = ["status", "due_by", "pk"]
        indexes = [
            models.Index(fields=["jurisdiction", "status", "due_by"], name="hotline_due"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def caller_phone_masked(self) -> str:
        from parkguard.people.identity import phone_mask

        return phone_mask(self.caller_phone) if self.caller_phone else ""


class ReadinessSnapshot(models.Model):
    """An enterprise's epidemic-free factory score (J-2.5) as the platform computed it on one
    day, kept so a year can show its trend (the score itself is always computed from the
    evidence of the moment; this is the record of what it was)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="readiness"
    )
    on = models.DateField("日期")
    met = models.PositiveSmallIntegerField("达标项数")
    total = models.PositiveSmallIntegerField("适用项数")
    percent = models.PositiveSmallIntegerField("达标率（%）")
    taken_at = models.DateTimeField("记录时间")

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "无疫工厂评分记录"
        verbose_name_plural = "无疫工厂评分记录"
        ordering = ["enterprise_id", "on"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "on"], name="readiness_snapshot_day"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.on} {self.percent}%"
