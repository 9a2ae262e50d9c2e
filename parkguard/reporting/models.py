"""The daily report up the chain (L-4.3, Z-5.2c, J-2.5): one report per township or park per
day, one row per enterprise, pre-filled from the platform's own records and reviewed by the
person responsible before it is submitted."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.reporting.choices import BoardStatus, ReportState

_USER = settings.AUTH_USER_MODEL

# The figures of a row that the reviewer may correct (with a note); the pre-filled values are
# kept beside them in `DailyReportRow.prefill`, so a correction is always visible.
ROW_FIGURES = (
    "headcount",
    "declared",
    "abnormal",
    "test_due",
    "test_done",
    "positives",
    "open_incidents",
    "new_incidents",
    "trucks_expected",
    "trucks_inside",
    "trucks_left",
    "low_stock_items",
)
ROW_FLAGS = ("production_normal",)


class DailyReport(models.Model):
    """One township's or park's report of one day (L-4.3: 每天下午……报送)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name="报送单位（镇街/园区）",
        on_delete=models.CASCADE,
        related_name="daily_reports",
    )
    on = models.DateField("报告日期")
    state = models.CharField(
        "状态", max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    due_at = models.DateTimeField("报送截止时间", null=True, blank=True)
    # The pack rule that set the deadline (pack id, version, clause), as it stood that day.
    citation = models.JSONField("依据", default=dict, blank=True)
    prepared_at = models.DateTimeField("预填时间")
    prepared_by = models.ForeignKey(
        _USER, verbose_name="预填人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        _USER, verbose_name="签发人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    signer_name = models.CharField("签发人姓名", max_length=50, blank=True)
    late = models.BooleanField("逾期报送", default=False)
    late_reason = models.CharField("逾期原因", max_length=300, blank=True)
    # 零报告: nothing happened anywhere in the unit that day (decided at submission).
    zero = models.BooleanField("零报告", default=False)
    remarks = models.TextField("其他需要报告的情况", blank=True)

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "每日报告"
        verbose_name_plural = "每日报告"
        ordering = ["-on", "jurisdiction_id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "on"], name="daily_report_one_per_day"),
        ]
        indexes = [models.Index(fields=["on", "jurisdiction"], name="daily_report_on_unit")]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.on}"


class DailyReportRow(models.Model):
    """One enterprise's line of a day's report: epidemic situation, supplies, logistics and
    whether production is normal (L-4.3), pre-filled and then reviewed."""

    report = models.ForeignKey(
        DailyReport, verbose_name="报告", on_delete=models.CASCADE, related_name="rows"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    # Epidemic situation (Z-5.2c: a named person summarises staff health each day).
    headcount = models.PositiveIntegerField("在岗人数", default=0)
    declared = models.PositiveIntegerField("已健康申报", default=0)
    abnormal = models.PositiveIntegerField("健康异常", default=0)
    test_due = models.PositiveIntegerField("应检人数", default=0)
    test_done = models.PositiveIntegerField("已检人数", default=0)
    positives = models.PositiveIntegerField("阳性人数", default=0)
    open_incidents = models.PositiveIntegerField("处置中的疫情事件", default=0)
    new_incidents = models.PositiveIntegerField("当日新发事件", default=0)
    # Logistics (J-2.5: keep logistics moving).
    trucks_expected = models.PositiveIntegerField("当日预约货车", default=0)
    trucks_inside = models.PositiveIntegerField("在园货车", default=0)
    trucks_left = models.PositiveIntegerField("当日离园货车", default=0)
    # Supplies.
    low_stock_items = models.PositiveIntegerField("不足的防护物资", default=0)
    # Production.
    status = models.CharField(
        "状态", max_length=12, choices=BoardStatus.choices, default=BoardStatus.NORMAL
    )
    production_normal = models.BooleanField("生产经营正常", default=True)
    # What plug-in sources (lockdowns, closed loops) said, in words: [{"source", "text"}].
    notes = models.JSONField("其他情况", default=list, blank=True)
    prefill = models.JSONField("预填值", default=dict, blank=True)
    correction_note = models.CharField("更正说明", max_length=300, blank=True)
    corrected_by = models.ForeignKey(
        _USER, verbose_name="更正人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    scope_jurisdiction = "report__jurisdiction"

    class Meta:
        verbose_name = "每日报告企业行"
        verbose_name_plural = "每日报告企业行"
        ordering = ["report_id", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["report", "enterprise"], name="daily_row_one_each"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.enterprise_id}"

    @property
    def corrected(self) -> bool:
        return any(self.prefill.get(f) != getattr(self, f) for f in ROW_FIGURES + ROW_FLAGS)

    @property
    def eventful(self) -> bool:
        """Anything to report beyond normal production (the opposite of a zero report)."""
        return bool(
            self.abnormal
            or self.positives
            or self.open_incidents
            or self.new_incidents
            or self.low_stock_items
            or not self.production_normal
            or self.status != BoardStatus.NORMAL
            or self.notes
        )
