"""The person ledger (台账): everyone who works in or enters an enterprise."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.people.choices import EmploymentStatus, Gender, StaffCategory
from parkguard.people.identity import phone_mask


class Person(models.Model):
    """One person in one enterprise's ledger; their page is their personal file (B-2.2).

    The ID number is never stored in clear: `id_digest` (keyed HMAC) finds a person,
    `id_encrypted` serves a recorded reveal, `id_masked` is what screens show.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="people"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="部门/车间/班组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    name = models.CharField("姓名", max_length=50)
    id_digest = models.CharField(max_length=64, db_index=True, editable=False)
    id_encrypted = models.TextField(editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    id_tail = models.CharField(max_length=4, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    phone = models.CharField("手机号", max_length=11)
    category = models.CharField("人员类别", max_length=30, choices=StaffCategory.choices)
    post = models.CharField("岗位", max_length=50, blank=True)
    wide_contact = models.BooleanField("社会接触面广的岗位", default=False)
    labour_agency = models.CharField("劳务/外包单位", max_length=100, blank=True)
    dormitory = models.CharField("宿舍", max_length=50, blank=True)
    shift = models.CharField("班次", max_length=30, blank=True)
    home_community = models.ForeignKey(
        Jurisdiction,
        verbose_name="居住社区",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    home_grid = models.ForeignKey(
        Jurisdiction,
        verbose_name="所属网格",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_residents",
    )
    home_address = models.CharField("现住址", max_length=200, blank=True)
    vaccination_doses = models.PositiveSmallIntegerField("疫苗接种剂次", default=0)
    status = models.CharField(
        "在岗状态", max_length=20, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE
    )
    joined_on = models.DateField("入职日期", null=True, blank=True)
    left_on = models.DateField("离职日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_community = "home_community"
    scope_person = "id"
    scope_org_unit = "org_unit"

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员台账"
        ordering = ["enterprise_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "id_digest"], name="person_unique_id_per_enterprise"
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "status", "category"], name="person_ent_status_cat"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return phone_mask(self.phone)


class HouseholdMember(models.Model):
    """Someone living with a staff member (共同生活者); their itinerary is tracked too (J-1.5b)."""

    person = models.ForeignKey(
        Person, verbose_name="员工", on_delete=models.CASCADE, related_name="household"
    )
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("关系", max_length=20)
    phone = models.CharField("手机号", max_length=11, blank=True)

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_community = "person__home_community"
    scope_person = "person"

    class Meta:
        verbose_name = "共同生活者"
        verbose_name_plural = "共同生活者"

    def __str__(self) -> str:
        return self.name


class EmploymentEvent(models.Model):
    """A change of employment status, so rosters stay current as staff join and leave (J-2.1)."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="employment_events"
    )
    status = models.CharField("状态", max_length=20, choices=EmploymentStatus.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_person = "person"

    class Meta:
        verbose_name = "在岗变动"
        verbose_name_plural = "在岗变动"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_status_display()}"
