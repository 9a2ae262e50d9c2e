"""Enumerations of the sampling app."""

from __future__ import annotations

from django.db import models


class RoundKind(models.TextChoices):
    """A full-staff testing day, or a sample share of the staff (Z-5.2b, J-1.5b)."""

    FULL = "full", "全员检测"
    SHARE = "share", "抽检"


class RoundGroup(models.TextChoices):
    """Who a round covers."""

    ALL = "all", "全体在岗人员"
    UNIT = "unit", "指定部门/车间"
    WIDE_CONTACT = "wide_contact", "社会接触面广的岗位"


class SampleKind(models.TextChoices):
    POOL = "pool", "混管"
    SINGLE = "single", "单管"
    ANTIGEN = "antigen", "抗原自测"


class Result(models.TextChoices):
    """A result; invalid means the person is sampled again (a new tube)."""

    PENDING = "pending", "待出结果"
    NEGATIVE = "negative", "阴性"
    POSITIVE = "positive", "阳性"
    INVALID = "invalid", "无效（需重采）"


class ImportState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    DONE = "done", "已导入"
    CHECKED = "checked", "试导入完成（未写入）"
    INVALID = "invalid", "有错误（未写入）"
    FAILED = "failed", "失败"


# Fields a lab file's columns can map to (the column mapping's targets).
class Column(models.TextChoices):
    BARCODE = "barcode", "条码号"
    RESULT = "result", "检测结果"
    SAMPLED_AT = "sampled_at", "采样时间"
    TESTED_AT = "tested_at", "检测时间"
    NAME = "name", "姓名"
    ID_NUMBER = "id_number", "身份证号"
    IGNORE = "ignore", "（不导入）"
