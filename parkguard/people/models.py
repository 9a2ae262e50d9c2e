"""The person ledger (台账): everyone who works in or enters an enterprise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.people.choices import (
    EmploymentStatus,
    Gender,
    ImportAction,
    ImportStatus,
    StaffCategory,
)
from parkguard.people.fields import PhoneField
from parkguard.people.identity import phone_mask


class Person(models.Model):
    """One person in one enterprise's ledger; their page is their personal file (B-2.2).

    The ID number is never stored in clear: `id_digest` (keyed HMAC) finds a person,
    `id_encrypted` serves a recorded reveal, `id_masked` is what screens show.
    """

    # No index of its own: (enterprise, id_digest) and (enterprise, status, category) lead with it.
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        on_delete=models.PROTECT,
        related_name="people",
        db_index=False,
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
    # Pinyin initials of the name (张三 → zs), written with the name (people.pinyin).
    name_initials = models.CharField("姓名拼音首字母", max_length=50, blank=True, editable=False)
    id_digest = models.CharField(max_length=64, editable=False)
    id_encrypted = models.TextField(editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    # The last six characters: the ledger search by the last 4 or 6 (issue 9 §2).
    id_tail = models.CharField(max_length=6, editable=False)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    phone = PhoneField("手机号")  # encrypted at rest (people.fields)
    category = models.CharField("人员类别", max_length=30, choices=StaffCategory.choices)
    post = models.CharField("岗位", max_length=50, blank=True)
    wide_contact = models.BooleanField("社会接触面广的岗位", default=False)
    labour_agency = models.CharField("劳务/外包单位", max_length=100, blank=True)
    workshop = models.CharField("车间", max_length=50, blank=True)
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
    # No index: nothing looks people up by grid alone (the roster filters by community), and
    # every index is paid for by each row an import inserts. Deleting a grid scans once.
    home_grid = models.ForeignKey(
        Jurisdiction,
        verbose_name="所属网格",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_residents",
        db_index=False,
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
    # Every save through the ORM (pages, API, services) leaves a row: who, when, what.
    # The ciphertext is not copied, so a corrected ID number leaves no old ciphertext
    # behind; pages show only field names (selectors.person_changes), never values.
    # Imports merge with set-based SQL and write no rows here (docs/people.md).
    history = HistoricalRecords(verbose_name="人员档案变更历史", excluded_fields=["id_encrypted"])

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
            # Plain B-trees: no LIKE pattern twins on PostgreSQL (nothing searches these by
            # prefix), since every index is paid for by each row an import inserts.
            models.Index(fields=["id_digest"], name="person_id_digest"),
            # No index on id_tail: the search matches its end (LIKE '%…'), which no B-tree
            # serves; it runs inside one enterprise's rows. Pinyin initials are matched by
            # prefix: on PostgreSQL the pattern operator class lets LIKE 'zs%' use the index.
            models.Index(
                fields=["enterprise", "name_initials"],
                name="person_ent_initials",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
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
    phone = PhoneField("手机号", blank=True)

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_community = "person__home_community"
    scope_person = "person"

    class Meta:
        verbose_name = "共同生活者"
        verbose_name_plural = "共同生活者"

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return phone_mask(self.phone) if self.phone else ""


class EmploymentEvent(models.Model):
    """A change of employment status, so rosters stay current as staff join and leave (J-2.1)."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="employment_events"
    )
    status = models.CharField("状态", max_length=20, choices=EmploymentStatus.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    # No index: only a deleted user's SET NULL looks events up by recorder (one scan then),
    # while an import writes one event per new person.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_person = "person"
    # Whoever may see the person (team leader, community liaison) sees their status history.
    scope_org_unit = "person__org_unit"
    scope_community = "person__home_community"

    class Meta:
        verbose_name = "在岗变动"
        verbose_name_plural = "在岗变动"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_status_display()}"


class PersonImport(models.Model):
    """One uploaded ledger file on its way in: checked, previewed, then confirmed.

    The pending state lives here and in `PersonImportRow`, never in local files or
    memory, so any process may serve the preview and any worker may run the job.
    `payload` holds the upload (encrypted) only until a background job has read it.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="person_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    filename = models.CharField("文件名", max_length=200)
    status = models.CharField(
        "状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    payload = models.BinaryField(default=b"", editable=False)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    create_count = models.PositiveIntegerField("新增", default=0)
    update_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("无变化", default=0)
    # [{"row": 12, "column": "身份证号", "message": "..."}]; never holds a clear ID number.
    errors = models.JSONField("错误", default=list, blank=True)
    # What the preview lists (issue 9 §3): new people and, for updates, each changed field
    # old → new, masked; the first PREVIEW_ROWS changed rows (the counts cover all).
    changes = models.JSONField("变更预览", default=list, blank=True)
    # The upload with its bad cells marked (Fernet, like `payload`); kept until the purge.
    error_book = models.BinaryField(default=b"", editable=False)
    message = models.CharField("说明", max_length=300, blank=True)
    # The lease of whoever works on a running batch (QUEUED, VALIDATING, APPLYING): renewed
    # by each heartbeat; once past, the worker is taken for dead and the batch recovered.
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("校验次数", default=0)
    # Set by a cancel while a job runs; the job stops at its next chunk.
    cancel_requested = models.BooleanField("已请求取消", default=False)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "人员导入"
        verbose_name_plural = "人员导入"
        ordering = ["-id"]
        # The periodic recovery looks for running batches whose lease has run out.
        indexes = [models.Index(fields=["status", "lease_until"], name="personimport_lease")]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.processed_rows / self.total_rows)) if self.total_rows else 0


class PersonImportRow(models.Model):
    """A checked row waiting for confirmation: the staging table of a ledger import.

    Holds the stored forms of the ID number (digest, ciphertext, mask), never the clear
    value. Loaded by COPY on PostgreSQL and executemany on SQLite, merged into `Person`
    by set-based SQL, deleted afterwards. Plain ids instead of foreign keys keep the load lean.
    """

    batch = models.ForeignKey(PersonImport, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField()
    action = models.CharField(max_length=6, choices=ImportAction.choices)
    id_digest = models.CharField(max_length=64)
    id_encrypted = models.TextField()
    id_masked = models.CharField(max_length=18)
    id_tail = models.CharField(max_length=6)
    gender = models.CharField(max_length=6)
    birth_date = models.DateField()
    name = models.CharField(max_length=50)
    name_initials = models.CharField(max_length=50, default="")
    phone = PhoneField()
    category = models.CharField(max_length=30)
    org_unit_id_ref = models.BigIntegerField(null=True)
    post = models.CharField(max_length=50)
    wide_contact = models.BooleanField()
    labour_agency = models.CharField(max_length=100)
    workshop = models.CharField(max_length=50)
    dormitory = models.CharField(max_length=50)
    shift = models.CharField(max_length=30)
    home_community_id_ref = models.BigIntegerField(null=True)
    home_grid_id_ref = models.BigIntegerField(null=True)
    home_address = models.CharField(max_length=200)
    vaccination_doses = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20)
    joined_on = models.DateField(null=True)
    left_on = models.DateField(null=True)

    class Meta:
        verbose_name = "待导入行"
        verbose_name_plural = "待导入行"

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.row_no}"


class IdConflictReview(models.Model):
    """A park's decision on one ID number found in two enterprises' ledgers."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="+"
    )
    id_digest = models.CharField(max_length=64)
    note = models.CharField("处理说明", max_length=200)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("处理时间")

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "身份证号冲突处理"
        verbose_name_plural = "身份证号冲突处理"
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "id_digest"], name="idconflict_unique_per_park"
            ),
        ]

    def __str__(self) -> str:
        return self.note
