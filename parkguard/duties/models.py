"""Duties: what each person must do by when, with the clause that asks it (the daily loop:
evidence → duties → status). Services create them from routine schedules and plans, and
evidence (a sample, a report) satisfies them in the same transaction as the evidence."""

from __future__ import annotations

from django.db import models

from parkguard.duties.choices import DutyKind, DutyState
from parkguard.orgs.models import Enterprise
from parkguard.people.models import Person


class Duty(models.Model):
    """One obligation of one person: a kind, a window [`due_from`, `due_by`), a state.

    `enterprise` is denormalised from the person so that the officer's lists and the park's
    coverage read one table with one composite index. Never edited by hand: services write
    it (`duties.services`), and `manage.py duties rebuild --check` recomputes the routine
    ones from the packs in force.
    """

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="duties"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("事项", max_length=20, choices=DutyKind.choices)
    label = models.CharField("说明", max_length=100, blank=True)
    due_from = models.DateTimeField("开始时间")
    due_by = models.DateTimeField("截止时间")
    state = models.CharField(
        "状态", max_length=10, choices=DutyState.choices, default=DutyState.DUE
    )
    satisfied_at = models.DateTimeField("完成时间", null=True, blank=True)
    # What satisfied it, e.g. "sampling.sample:12" (empty when the caller named nothing).
    evidence = models.CharField("完成依据", max_length=80, blank=True)
    # Where the obligation comes from: "routine" or a plan's record, "mobility.return:12".
    source = models.CharField("来源", max_length=80)
    # {"pack_id", "version", "document_number", "requirement", "clause", "rule_id"}
    citation = models.JSONField("依据", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间")
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_org_unit = "person__org_unit"
    scope_community = "person__home_community"
    scope_person = "person"

    class Meta:
        verbose_name = "防疫任务"
        verbose_name_plural = "防疫任务"
        ordering = ["due_by", "id"]
        indexes = [
            # Due today / overdue of one enterprise, in deadline order (the officer's lists).
            models.Index(fields=["enterprise", "state", "due_by"], name="duty_ent_state_due"),
            # Evidence arriving for some people: their open duties of one kind.
            models.Index(fields=["person", "kind", "state"], name="duty_person_kind_state"),
            # A plan replaced: the open duties of one person from one source.
            models.Index(fields=["person", "source"], name="duty_person_source"),
            # Time passing: due → overdue across all enterprises.
            models.Index(fields=["state", "due_by"], name="duty_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_kind_display()} {self.due_by:%Y-%m-%d}"


class DailyFigure(models.Model):
    """One enterprise's figures of one day, for the dashboards' charts (item 10): written by
    the daily snapshot (a huey periodic task and `manage.py duties snapshot`), since the
    overview reads only. The figures are counts; the rates are computed when shown."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    on = models.DateField("日期")
    headcount = models.PositiveIntegerField("在岗人数", default=0)
    declared = models.PositiveIntegerField("已申报人数", default=0)
    # People with a current routine test duty, and those of them whose duty is done.
    test_due = models.PositiveIntegerField("应检人数", default=0)
    test_done = models.PositiveIntegerField("已检人数", default=0)
    overdue = models.PositiveIntegerField("逾期人数", default=0)
    positives = models.PositiveIntegerField("阳性人数", default=0)
    taken_at = models.DateTimeField("统计时间")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "每日防疫数据"
        verbose_name_plural = "每日防疫数据"
        ordering = ["on", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "on"], name="dailyfigure_one_per_day"),
        ]
        indexes = [models.Index(fields=["on", "enterprise"], name="dailyfigure_on_ent")]

    def __str__(self) -> str:
        return f"{self.on} {self.enterprise_id}"
