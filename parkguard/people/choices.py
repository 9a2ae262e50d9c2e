"""Enumerations of the person ledger."""

from __future__ import annotations

from django.db import models


class StaffCategory(models.TextChoices):
    """Z-5.2a: every category of personnel, all with the same requirements."""

    REGULAR = "regular", "正式员工"
    INTERN = "intern", "实习生"
    CLIENT_DISPATCHED = "client_dispatched", "客户派驻人员"
    LABOUR_DISPATCH = "labour_dispatch", "劳务派遣人员"
    OUTSOURCED = "outsourced", "第三方外包人员"
    TEMPORARY = "temporary", "临时进入人员"


# Which categories must name their labour agency (J-1.5c), and which posts have wide social
# contact, are declared by the packs a park follows (staff_groups.agency_managed,
# post_groups.wide_contact): see parkguard.rules.params.staff_rules.


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", "在岗"
    SUSPENDED = "suspended", "停工/休假"
    LEFT = "left", "已离职"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    VALIDATING = "validating", "校验中"
    INVALID = "invalid", "有错误，未写入"
    READY = "ready", "待确认"
    APPLYING = "applying", "写入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败，未写入"
    CANCELLED = "cancelled", "已取消"


# Statuses in which a background job is still working; the progress bar polls while in one.
IMPORT_RUNNING = frozenset({ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.APPLYING})


class ImportAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "更新"
