"""Daily health: declarations, temperature readings, alerts, sick leave, the signed daily
summary and vaccination records. Each write keeps `status.PersonStatus` current in the same
transaction (services.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.health.choices import AlertKind, CodeColour, ReadingSource, VaccineKind
from parkguard.orgs.models import ApiToken, Enterprise
from parkguard.people.models import Person


class _PersonScoped(models.Model):
    """Health rows of a person: seen by the enterprise's officers, the park, the person's team
    leader and the person themself; never by a device token or a community liaison."""

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_org_unit = "person__org_unit"
    scope_person = "person"

    class Meta:
        abstract = True


class Declaration(_PersonScoped):
    """One person's daily health declaration (Z-5.2c, J-1.5b); one per person per day."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="declarations"
    )
    on = models.DateField("申报日期")
    temperature = models.DecimalField("体温（℃）", max_digits=4, decimal_places=1)
    # The symptoms ticked, each one of the list the pack in force named that day.
    symptoms = models.JSONField("症状", default=list, blank=True)
    case_contact = models.BooleanField("接触过确诊/疑似病例", default=False)
    household_travel = models.BooleanField("共同生活者近期有外出行程", default=False)
    household_travel_note = models.CharField("共同生活者行程说明", max_length=200, blank=True)
    code_colour = models.CharField("健康码颜色", max_length=10, choices=CodeColour.choices)
    # The symptom list and fever threshold the answers were judged against, with citations.
    rules = models.JSONField("依据", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "健康申报"
        verbose_name_plural = "健康申报"
        ordering = ["-on", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "on"], name="declaration_one_per_day"),
        ]
        indexes = [models.Index(fields=["on", "person"], name="declaration_on_person")]

    def __str__(self) -> str:
        return f"{self.on} {self.person_id}"


class TemperatureReading(_PersonScoped):
    """A temperature taken at a gate, an office entrance or by hand (B-2.2b)."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="temperature_readings"
    )
    temperature = models.DecimalField("体温（℃）", max_digits=4, decimal_places=1)
    taken_at = models.DateTimeField("测温时间")
    on = models.DateField("日期")  # the local date of taken_at, for the checks per day
    source = models.CharField("测温点", max_length=10, choices=ReadingSource.choices)
    place = models.CharField("位置", max_length=50, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="测温人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device = models.ForeignKey(
        ApiToken,
        verbose_name="测温设备",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "体温记录"
        verbose_name_plural = "体温记录"
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["on", "person"], name="reading_on_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.temperature}"

    @property
    def taker(self) -> str:
        if self.device_id is not None and self.device is not None:
            return f"设备：{self.device.name}"
        if self.taken_by is not None:
            return self.taken_by.get_full_name() or self.taken_by.username
        return "—"


class Alert(_PersonScoped):
    """A symptom declared or a temperature at or over the pack's threshold (Z-4.2, H-4.2,
    B-2.3); it holds the person's status until an officer closes it."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="health_alerts"
    )
    kind = models.CharField("类型", max_length=10, choices=AlertKind.choices)
    reason = models.CharField("原因", max_length=300)
    temperature = models.DecimalField(
        "体温（℃）", max_digits=4, decimal_places=1, null=True, blank=True
    )
    symptoms = models.JSONField("症状", default=list, blank=True)
    # {"pack_id", "version", "document_number", "requirement", "clause", "rule_id"}
    citation = models.JSONField("依据", default=dict)
    action = models.CharField("处置要求", max_length=200, blank=True)
    source = models.CharField("来源", max_length=80)  # "health.declaration:12"
    opened_at = models.DateTimeField("发现时间")
    closed_at = models.DateTimeField("解除时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="解除人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closing_note = models.CharField("处置说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "健康预警"
        verbose_name_plural = "健康预警"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["person", "closed_at"], name="alert_person_open")]

    def __str__(self) -> str:
        return self.reason

    @property
    def status_source(self) -> str:
        return f"health.alert:{self.pk}"


class SickLeave(_PersonScoped):
    """Sick-leave record (B-2.3): who is off, why, since when; cleared to return by an officer."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="sick_leaves"
    )
    reason = models.CharField("病因/症状", max_length=200)
    started_on = models.DateField("开始日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")
    returned_on = models.DateField("返岗日期", null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="准予返岗人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cleared_at = models.DateTimeField("准予返岗时间", null=True, blank=True)
    clearance_note = models.CharField("返岗说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "病假"
        verbose_name_plural = "病假记录"
        ordering = ["-started_on", "-id"]
        constraints = [
            # At most one open leave per person.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(returned_on__isnull=True),
                name="sickleave_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.started_on}"

    @property
    def status_source(self) -> str:
        return f"health.sick_leave:{self.pk}"


class DailySummary(models.Model):
    """The day's staff-health summary, signed off by a named person (Z-5.2c).

    `figures` is the snapshot at signing, so the printed page stays what was signed.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="health_summaries"
    )
    on = models.DateField("日期")
    figures = models.JSONField("汇总数据", default=dict)
    signer_name = models.CharField("汇总人", max_length=50)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField("签字时间")
    note = models.CharField("备注", max_length=300, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "员工健康日汇总"
        verbose_name_plural = "员工健康日汇总"
        ordering = ["-on"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "on"], name="summary_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.on}"


class Vaccination(_PersonScoped):
    """One vaccine dose (J-1.5b); `Person.vaccination_doses` follows the records."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="vaccinations"
    )
    dose = models.PositiveSmallIntegerField("剂次")
    given_on = models.DateField("接种日期")
    kind = models.CharField("疫苗类型", max_length=20, choices=VaccineKind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "疫苗接种"
        verbose_name_plural = "疫苗接种记录"
        ordering = ["person_id", "dose"]
        constraints = [
            models.UniqueConstraint(fields=["person", "dose"], name="vaccination_one_per_dose"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} 第{self.dose}剂"
