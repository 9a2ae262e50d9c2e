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


# Categories that come through a labour agency, which shares their closed-loop care (J-1.5c).
AGENCY_CATEGORIES = frozenset(
    {StaffCategory.LABOUR_DISPATCH, StaffCategory.OUTSOURCED, StaffCategory.CLIENT_DISPATCHED}
)


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", "在岗"
    SUSPENDED = "suspended", "停工/休假"
    LEFT = "left", "已离职"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


# Posts with wide social contact (J-1.5c); a post containing one of these words is flagged
# when an import row leaves the flag empty.
WIDE_CONTACT_POST_WORDS = ("保安", "门卫", "保洁", "清洁", "食堂", "厨", "餐饮", "宿管")


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
