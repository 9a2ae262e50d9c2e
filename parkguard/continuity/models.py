"""Production continuity: closed-loop production (Z-5.0, Z-5.2d, Z-5.3f), key posts with their
rota and backups (Z-5.2d, J-2.5), and water, power and gas faults (L-2.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from parkguard.continuity.choices import FaultState, PostKind, PostRole, Utility
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.models import Person
from parkguard.response.models import Incident


class LoopPlan(models.Model):
    """One period of closed-loop production of an enterprise, from switch-on to switch-off.

    While it runs, the enterprise's gates enforce the dormitory–workshop route for the people
    inside, and everyone outside holds a CLOSED_LOOP hold on their status row (the gate reads
    only that row)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="loop_plans"
    )
    reason = models.CharField("启动原因", max_length=200)
    incident = models.ForeignKey(
        Incident,
        verbose_name="疫情事件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    citation = models.JSONField("依据", default=dict, blank=True)
    # [{"gate_id", "route_areas", "closed_loop"}]: each gate as it was, restored on switch-off.
    gates_before = models.JSONField("启动前的出入口设置", default=list, blank=True, editable=False)
    started_at = models.DateTimeField("启动时间")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField("解除时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField("解除原因", max_length=200, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "闭环生产"
        verbose_name_plural = "闭环生产"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(ended_at__isnull=True), name="loop_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.started_at:%Y-%m-%d}"

    @property
    def active(self) -> bool:
        return self.ended_at is None


class LoopMember(models.Model):
    """A person inside the loop, with the dormitory and workshop of their two-point route."""

    plan = models.ForeignKey(
        LoopPlan, verbose_name="闭环", on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="loop_memberships"
    )
    dormitory = models.CharField("宿舍", max_length=50)
    workshop = models.CharField("车间", max_length=50)
    joined_at = models.DateTimeField("进入闭环时间")
    left_at = models.DateTimeField("离开闭环时间", null=True, blank=True)

    scope_jurisdiction = "plan__enterprise__jurisdiction"
    scope_enterprise = "plan__enterprise"
    scope_org_unit = "person__org_unit"

    class Meta:
        verbose_name = "闭环内人员"
        verbose_name_plural = "闭环内人员"
        ordering = ["plan_id", "dormitory", "workshop", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "person"],
                condition=Q(left_at__isnull=True),
                name="loop_member_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.dormitory}↔{self.workshop}"


class LoopDay(models.Model):
    """One day's meals, lodging and medical needs of the people inside (Z-5.3f)."""

    plan = models.ForeignKey(
        LoopPlan, verbose_name="闭环", on_delete=models.CASCADE, related_name="days"
    )
    on = models.DateField("日期")
    headcount = models.PositiveIntegerField("闭环内人数")
    meals_needed = models.PositiveIntegerField("应供餐数")
    meals_served = models.PositiveIntegerField("实供餐数")
    beds_needed = models.PositiveIntegerField("需住宿人数")
    beds_provided = models.PositiveIntegerField("已安排床位")
    medical_requests = models.PositiveIntegerField("就医需求", default=0)
    medical_met = models.PositiveIntegerField("已解决就医需求", default=0)
    note = models.CharField("说明", max_length=200, blank=True)
    citation = models.JSONField("依据", default=dict, blank=True)
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_jurisdiction = "plan__enterprise__jurisdiction"
    scope_enterprise = "plan__enterprise"

    class Meta:
        verbose_name = "闭环生活保障日报"
        verbose_name_plural = "闭环生活保障日报"
        ordering = ["-on"]
        constraints = [models.UniqueConstraint(fields=["plan", "on"], name="loop_day_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.on}"

    @property
    def short(self) -> bool:
        return (
            self.meals_served < self.meals_needed
            or self.beds_provided < self.beds_needed
            or self.medical_met < self.medical_requests
        )


class KeyPost(models.Model):
    """A key post or key process that must stay staffed (Z-5.2d, J-2.5)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="key_posts"
    )
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=10, choices=PostKind.choices)
    minimum = models.PositiveSmallIntegerField("最低在岗人数")
    created_at = models.DateTimeField("登记时间")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "关键岗位/工序"
        verbose_name_plural = "关键岗位/工序"
        ordering = ["enterprise_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="key_post_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PostStaff(models.Model):
    """A person named to a key post, on duty or as a backup."""

    post = models.ForeignKey(
        KeyPost, verbose_name="岗位", on_delete=models.CASCADE, related_name="staff"
    )
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="key_posts"
    )
    role = models.CharField("身份", max_length=10, choices=PostRole.choices)

    scope_jurisdiction = "post__enterprise__jurisdiction"
    scope_enterprise = "post__enterprise"

    class Meta:
        verbose_name = "岗位人员"
        verbose_name_plural = "岗位人员"
        ordering = ["post_id", "role", "person_id"]
        constraints = [models.UniqueConstraint(fields=["post", "person"], name="post_staff_unique")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.person_id}"


class RotaShift(models.Model):
    """One person rostered on a key post for one shift of one day."""

    post = models.ForeignKey(
        KeyPost, verbose_name="岗位", on_delete=models.CASCADE, related_name="shifts"
    )
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="+"
    )
    on = models.DateField("日期")
    shift = models.CharField("班次", max_length=20)

    scope_jurisdiction = "post__enterprise__jurisdiction"
    scope_enterprise = "post__enterprise"

    class Meta:
        verbose_name = "排班"
        verbose_name_plural = "排班"
        ordering = ["on", "shift", "post_id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "person", "on", "shift"], name="rota_unique")
        ]
        indexes = [models.Index(fields=["post", "on"], name="rota_post_on")]

    def __str__(self) -> str:
        return f"{self.on} {self.shift}"


class Leave(models.Model):
    """Planned leave (轮休, 请假) of a person named to a key post: who is away when."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="+"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=100)
    recorded_at = models.DateTimeField("登记时间")

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"

    class Meta:
        verbose_name = "轮休请假"
        verbose_name_plural = "轮休请假"
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.starts_on}–{self.ends_on}"


class UtilityFault(models.Model):
    """A water, power or gas fault: reported, assigned, repaired, each with its time (L-2.3)."""

    park = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="utility_faults",
    )
    utility = models.CharField("类别", max_length=10, choices=Utility.choices)
    location = models.CharField("位置", max_length=100)
    description = models.CharField("故障情况", max_length=300)
    state = models.CharField(
        "状态", max_length=10, choices=FaultState.choices, default=FaultState.REPORTED
    )
    reported_at = models.DateTimeField("报修时间")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField("应修复时间", null=True, blank=True)
    citation = models.JSONField("依据", default=dict, blank=True)
    assignee = models.CharField("抢修单位/人员", max_length=100, blank=True)
    assigned_at = models.DateTimeField("派修时间", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    repaired_at = models.DateTimeField("修复时间", null=True, blank=True)
    repaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    repair_note = models.CharField("修复说明", max_length=200, blank=True)

    scope_jurisdiction = "park"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "水电气故障"
        verbose_name_plural = "水电气故障"
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["park", "state"], name="fault_park_state")]

    def __str__(self) -> str:
        return f"{self.get_utility_display()} {self.location}"

    def minutes_to_repair(self) -> int | None:
        if self.repaired_at is None:
            return None
        return int((self.repaired_at - self.reported_at).total_seconds() // 60)
