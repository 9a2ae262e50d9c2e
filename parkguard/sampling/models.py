"""Tests: sampling rounds, tubes (pooled or single), antigen self-tests with a photo, labs and
their imports. Each result keeps `status.PersonStatus` current in the same transaction
(services.py, importing.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.orgs.models import ApiToken, Enterprise, Jurisdiction, OrgUnit
from parkguard.people.models import Person
from parkguard.sampling.choices import ImportState, Result, RoundGroup, RoundKind, SampleKind


class SamplingRound(models.Model):
    """A testing day of one enterprise: full staff, or a share (Z-5.2b, J-1.5b, Z-3.2).

    The share and the pool size come from the pack in force or are set for the round;
    `citation` says which (pack, clause, requirement) or that the round set them.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="sampling_rounds"
    )
    name = models.CharField("名称", max_length=80)
    on = models.DateField("检测日期")
    kind = models.CharField("类型", max_length=10, choices=RoundKind.choices)
    group = models.CharField("范围", max_length=20, choices=RoundGroup.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name="部门", null=True, blank=True, on_delete=models.SET_NULL
    )
    share = models.DecimalField("抽检比例", max_digits=4, decimal_places=3, null=True, blank=True)
    pool_size = models.PositiveSmallIntegerField("混管上限（人/管）")
    # {"share": {...citation or {"set_by": "round"}}, "pool_size": {...}, "testing": {...}}
    citation = models.JSONField("依据", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "检测轮次"
        verbose_name_plural = "检测轮次"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["enterprise", "on"], name="round_ent_on")]

    def __str__(self) -> str:
        return f"{self.on} {self.name}"


class RoundMember(models.Model):
    """A person planned into a round."""

    round = models.ForeignKey(SamplingRound, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    scope_jurisdiction = "round__enterprise__jurisdiction"
    scope_enterprise = "round__enterprise"

    class Meta:
        verbose_name = "轮次人员"
        verbose_name_plural = "轮次人员"
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="roundmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"


class Lab(models.Model):
    """A testing lab serving a park; its device token posts results, its mapping reads its files."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="labs"
    )
    name = models.CharField("检测机构", max_length=80)
    token = models.OneToOneField(
        ApiToken,
        verbose_name="设备令牌",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lab",
    )
    # {"lab's header": "barcode" | "result" | ...}: the lab's own column names, saved once.
    mapping = models.JSONField("列对应关系", default=dict, blank=True)

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "检测机构"
        verbose_name_plural = "检测机构"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ResultImport(models.Model):
    """One lab file (or API post) of results: all-or-nothing, or a dry run that writes nothing."""

    lab = models.ForeignKey(Lab, verbose_name="检测机构", on_delete=models.CASCADE)
    # The enterprise whose officer imported; null for a lab's park-wide post.
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", null=True, blank=True, on_delete=models.CASCADE
    )
    filename = models.CharField("文件名", max_length=200, blank=True)
    dry_run = models.BooleanField("试导入", default=False)
    state = models.CharField("状态", max_length=10, choices=ImportState.choices)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    written = models.PositiveIntegerField("写入结果数", default=0)
    unchanged = models.PositiveIntegerField("未变（已导入过）", default=0)
    # [{"row", "column", "message"}], first ones only; masked, no clear ID number.
    errors = models.JSONField("错误", default=list, blank=True)
    unmatched = models.JSONField("未匹配", default=list, blank=True)
    # The upload (encrypted with the ID keys), kept only until a background job has read it.
    data = models.BinaryField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Held by whoever runs the import: renewed between batches of rows and when the write
    # begins; an import still queued or running after it ran out lost its worker
    # (`jobs.result_import_recover`).
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    scope_jurisdiction = "lab__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "检测结果导入"
        verbose_name_plural = "检测结果导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lab_id} {self.filename}"


class Sample(models.Model):
    """A tube (pooled or single) or an antigen self-test, with its result.

    A pool's members are `members`; a single tube or an antigen test has one. `barcode` is
    unique where set (tubes are numbered by their maker); an antigen test has none.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="samples"
    )
    round = models.ForeignKey(
        SamplingRound,
        verbose_name="轮次",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="samples",
    )
    kind = models.CharField("类型", max_length=10, choices=SampleKind.choices)
    barcode = models.CharField("条码号", max_length=40, blank=True)
    taken_at = models.DateTimeField("采样时间")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.PENDING)
    result_at = models.DateTimeField("检测时间", null=True, blank=True)
    # Written by the import's one UPDATE for every result: no index (so the update can stay
    # a HOT update on PostgreSQL) and no database constraint (whose per-row check would cost
    # more than the update); Django's delete still sets them NULL.
    lab = models.ForeignKey(
        Lab,
        verbose_name="检测机构",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        db_constraint=False,
    )
    result_import = models.ForeignKey(
        ResultImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The single tube this one re-tests (after a positive pool or an invalid result).
    retest_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retests"
    )
    members = models.ManyToManyField(Person, through="SampleMember", related_name="samples")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_person = "members"

    class Meta:
        verbose_name = "样本"
        verbose_name_plural = "样本"
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["barcode"], condition=~models.Q(barcode=""), name="sample_barcode_unique"
            ),
        ]
        indexes = [models.Index(fields=["round", "kind"], name="sample_round_kind")]

    def __str__(self) -> str:
        return self.barcode or f"{self.get_kind_display()} {self.pk}"

    @property
    def status_source(self) -> str:
        return f"sampling.sample:{self.pk}"


class SampleMember(models.Model):
    """A person in a sample (one per single tube, up to the pool size per pool)."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    scope_jurisdiction = "sample__enterprise__jurisdiction"
    scope_enterprise = "sample__enterprise"
    scope_person = "person"

    class Meta:
        verbose_name = "样本人员"
        verbose_name_plural = "样本人员"
        constraints = [
            models.UniqueConstraint(fields=["sample", "person"], name="samplemember_unique"),
        ]
        indexes = [models.Index(fields=["person", "sample"], name="samplemember_person")]

    def __str__(self) -> str:
        return f"{self.sample_id}:{self.person_id}"


class AntigenPhoto(models.Model):
    """The photo of an antigen self-test, kept in the database (never a public media URL) and
    shown only to the enterprise's officers."""

    sample = models.OneToOneField(Sample, on_delete=models.CASCADE, related_name="photo")
    content = models.BinaryField(editable=False)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()

    scope_enterprise = "sample__enterprise"

    class Meta:
        verbose_name = "抗原照片"
        verbose_name_plural = "抗原照片"

    def __str__(self) -> str:
        return f"{self.sample_id}"
