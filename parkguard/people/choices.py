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
