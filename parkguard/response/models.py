"""Areas and zones of an enterprise, people in zones with history, incidents with the three
first times, and contacts found by tracing (Z-5.1, Z-5.1b, Z-5.2f, Z-4.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.gate.models import Gate
from parkguard.mobility.models import IsolationRecord
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.models import Person
from parkguard.response.choices import (
    BlockType,
    ContactDegree,
    ContactState,
    IncidentState,
    JunctionDirection,
    JunctionKind,
    MoveState,
    TimelineKind,
    ZoneColour,
)

_USER = settings.AUTH_USER_MODEL


# Areas, junctions and site plans belong to exactly one owner: an enterprise, or a park for
# the park's own zones (public roads, park hand-over and isolation points, buffer zones shared
# by enterprises, L-4.4). `response.owners` reads the owner; the check constraint keeps one.
def _one_owner(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(enterprise__isnull=False, park__isnull=True)
        | models.Q(enterprise__isnull=True, park__isnull=False),
        name=name,
    )


class Area(models.Model):
    """A block of an enterprise (Z-5.1b), or a zone of the park itself (L-4.4), with its
    capacity and zone colour (Z-5.1). An isolation area is managed as red."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="areas",
    )
    park = models.ForeignKey(
        Jurisdiction,
        verbose_name="园区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="park_areas",
    )
    name = models.CharField("名称", max_length=80)
    block = models.CharField("区块类型", max_length=20, choices=BlockType.choices)
    capacity = models.PositiveIntegerField("容量（人）")
    zone = models.CharField(
        "分区", max_length=10, choices=ZoneColour.choices, default=ZoneColour.GREEN
    )
    is_isolation = models.BooleanField("临时隔离管控区域", default=False)
    created_at = models.DateTimeField("创建时间")
    # Where the area sits on the enterprise's site plan, in percent of its width and height.
    plan_x = models.FloatField("平面图横坐标（%）", null=True, blank=True)
    plan_y = models.FloatField("平面图纵坐标（%）", null=True, blank=True)
    # The named element of the site plan (an id of a path, rect, polygon or group the
    # sanitiser keeps) the area is drawn as, a region of the ECharts map; blank: a point.
    plan_region = models.CharField("平面图区域", max_length=100, blank=True, default="")

    # An enterprise's area through its enterprise's park, a park's own through the park.
    scope_jurisdiction = ("enterprise__jurisdiction", "park")
    scope_enterprise = "enterprise"
    # The officers of the park's enterprises may read the park's own zones (view_park_zones).
    scope_hosting_park = "park"

    class Meta:
        verbose_name = "区块"
        verbose_name_plural = "区块"
        ordering = ["enterprise_id", "block", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="area_unique_name"),
            models.UniqueConstraint(fields=["park", "name"], name="area_unique_park_name"),
            _one_owner("area_one_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class Junction(models.Model):
    """Where two blocks of one owner (an enterprise, or the park) meet (Z-5.1b, L-4.4): a
    buffer, a passage, a one-way passage or a controlled door, drawn on the site plan as a
    line between the two areas, and followed by contact tracing (through its gate; areas an
    uncontrolled one joins)."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="junctions",
    )
    park = models.ForeignKey(
        Jurisdiction,
        verbose_name="园区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="park_junctions",
    )
    from_area = models.ForeignKey(
        Area, verbose_name="起点区块", on_delete=models.CASCADE, related_name="junctions_out"
    )
    to_area = models.ForeignKey(
        Area, verbose_name="终点区块", on_delete=models.CASCADE, related_name="junctions_in"
    )
    kind = models.CharField("接合部类型", max_length=20, choices=JunctionKind.choices)
    controlled = models.BooleanField("有人值守或门禁管控", default=False)
    # One way (from `from_area` to `to_area` only) or both; a one-way passage is always one
    # way. Tracing reads the index person's side of a one-way junction from it.
    direction = models.CharField(
        "通行方向", max_length=10, choices=JunctionDirection.choices, default=JunctionDirection.BOTH
    )
    note = models.CharField("说明", max_length=200, blank=True)
    # The gate or place code that serves the junction (same enterprise): its access log says
    # who passed the junction when, and so who was at the edge of both areas (tracing, Z-5.1b).
    gate = models.ForeignKey(
        Gate,
        verbose_name="出入口或场所码",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间")

    scope_jurisdiction = ("enterprise__jurisdiction", "park")
    scope_enterprise = "enterprise"
    scope_hosting_park = "park"

    class Meta:
        verbose_name = "区块接合部"
        verbose_name_plural = "区块接合部"
        ordering = ["enterprise_id", "from_area_id", "to_area_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_area", "to_area", "kind"], name="junction_unique_pair_kind"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_area=models.F("to_area")), name="junction_two_areas"
            ),
            _one_owner("junction_one_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.from_area_id}–{self.to_area_id}"


class SitePlan(models.Model):
    """An enterprise's or a park's site plan: an uploaded SVG, stored only after sanitising
    (`response.svg.svg_sanitise`), on which the owner's areas are placed."""

    enterprise = models.OneToOneField(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="site_plan",
    )
    park = models.OneToOneField(
        Jurisdiction,
        verbose_name="园区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="park_site_plan",
    )
    svg = models.TextField("平面图（已清理的 SVG）")
    filename = models.CharField("文件名", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        _USER,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间")

    scope_jurisdiction = ("enterprise__jurisdiction", "park")
    scope_enterprise = "enterprise"
    scope_hosting_park = "park"

    class Meta:
        verbose_name = "厂区平面图"
        verbose_name_plural = "厂区平面图"
        constraints = [_one_owner("siteplan_one_owner")]

    def __str__(self) -> str:
        return self.filename or "平面图"


class ZoneMove(models.Model):
    """One move of a person into a zone: by evidence (applied at once, with the pack's
    citation) or by hand (pending until a second person approves it)."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="zone_moves"
    )
    colour = models.CharField("分区", max_length=10, choices=ZoneColour.choices)
    area = models.ForeignKey(
        Area, verbose_name="区块", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.CharField("证据", max_length=20, blank=True)
    reason = models.CharField("理由", max_length=300)
    citation = models.JSONField("依据", default=dict, blank=True)
    source = models.CharField("来源", max_length=80, blank=True)
    state = models.CharField("状态", max_length=10, choices=MoveState.choices)
    requested_by = models.ForeignKey(
        _USER,
        verbose_name="提出人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField("提出时间")
    approved_by = models.ForeignKey(
        _USER,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("生效/驳回时间", null=True, blank=True)

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_org_unit = "person__org_unit"

    class Meta:
        verbose_name = "分区变动"
        verbose_name_plural = "分区变动"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["person", "state"], name="zonemove_person_state")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.get_colour_display()}"


class PersonZone(models.Model):
    """A person's current zone: the newest applied move (green if none)."""

    person = models.OneToOneField(
        Person,
        verbose_name="人员",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="zone",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    colour = models.CharField("分区", max_length=10, choices=ZoneColour.choices)
    area = models.ForeignKey(
        Area, verbose_name="区块", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    move = models.ForeignKey(
        ZoneMove, verbose_name="变动", on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateTimeField("起始时间")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_org_unit = "person__org_unit"

    class Meta:
        verbose_name = "人员分区"
        verbose_name_plural = "人员分区"
        indexes = [models.Index(fields=["enterprise", "colour"], name="personzone_ent_colour")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_colour_display()}"


class Incident(models.Model):
    """An incident (Z-4.2): opened from an alert or by hand, with the three first times."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="incidents"
    )
    person = models.ForeignKey(
        Person, verbose_name="指示人员", on_delete=models.PROTECT, related_name="incidents"
    )
    title = models.CharField("事件", max_length=120)
    source = models.CharField("来源", max_length=80, blank=True)  # "health.alert:12"
    state = models.CharField(
        "状态", max_length=10, choices=IncidentState.choices, default=IncidentState.OPEN
    )
    detected_at = models.DateTimeField("发现时间")
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    isolated_at = models.DateTimeField("隔离时间", null=True, blank=True)
    transfer_requested_at = models.DateTimeField("报请转运时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    citation = models.JSONField("依据", default=dict, blank=True)
    opened_by = models.ForeignKey(
        _USER,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "疫情事件"
        verbose_name_plural = "疫情事件"
        ordering = ["-detected_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def minutes_to_report(self) -> int | None:
        return _minutes(self.detected_at, self.reported_at)

    @property
    def minutes_to_isolation(self) -> int | None:
        return _minutes(self.detected_at, self.isolated_at)


def _minutes(start: object, end: object) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)  # type: ignore[operator]


class TimelineEntry(models.Model):
    incident = models.ForeignKey(
        Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="timeline"
    )
    kind = models.CharField("类型", max_length=20, choices=TimelineKind.choices)
    at = models.DateTimeField("时间")
    text = models.CharField("内容", max_length=300)
    by = models.ForeignKey(
        _USER,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_jurisdiction = "incident__enterprise__jurisdiction"
    scope_enterprise = "incident__enterprise"
    # Minutes from detection, set by `selectors.timeline_of` (not stored).
    minutes: int = 0

    class Meta:
        verbose_name = "事件时间线"
        verbose_name_plural = "事件时间线"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text


class LinkageTask(models.Model):
    """One linkage task of the third first time, with its owner and the pack's due time."""

    incident = models.ForeignKey(
        Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="tasks"
    )
    label = models.CharField("任务", max_length=120)
    owner = models.ForeignKey(
        _USER,
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_at = models.DateTimeField("时限")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    citation = models.JSONField("依据", default=dict, blank=True)

    scope_jurisdiction = "incident__enterprise__jurisdiction"
    scope_enterprise = "incident__enterprise"

    class Meta:
        verbose_name = "联动任务"
        verbose_name_plural = "联动任务"
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.label


class Contact(models.Model):
    """A candidate contact of an incident's index person, found by tracing; staff confirm."""

    incident = models.ForeignKey(
        Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="contacts"
    )
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="+"
    )
    basis = models.CharField("依据", max_length=200)
    degree = models.CharField(
        "判定", max_length=10, choices=ContactDegree.choices, default=ContactDegree.CLOSE
    )
    state = models.CharField(
        "状态", max_length=10, choices=ContactState.choices, default=ContactState.PROPOSED
    )
    found_at = models.DateTimeField("发现时间")
    reviewed_by = models.ForeignKey(
        _USER,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("核实时间", null=True, blank=True)
    # The isolation plan a confirmed contact is put under (the pack's days), kept in mobility.
    isolation = models.ForeignKey(
        IsolationRecord,
        verbose_name="隔离安排",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_jurisdiction = "incident__enterprise__jurisdiction"
    scope_enterprise = "incident__enterprise"

    class Meta:
        verbose_name = "密接候选"
        verbose_name_plural = "密接候选"
        ordering = ["state", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="contact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.person_id}"
