"""Enumerations of oversight: inspections, checklist results, the rectification ledger."""

from __future__ import annotations

from django.db import models


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", "已计划"
    DONE = "done", "已检查"


class CheckResult(models.TextChoices):
    OK = "ok", "符合"
    PROBLEM = "problem", "有问题"
    NOT_APPLICABLE = "na", "不涉及"
    UNCHECKED = "", "未检查"


class RectificationStatus(models.TextChoices):
    OPEN = "open", "待整改"
    REPLIED = "replied", "待复核"
    CLOSED = "closed", "已销号"


class EventKind(models.TextChoices):
    """What happened to a rectification item: its history, in the order it happened."""

    OPENED = "opened", "下发整改"
    REPLIED = "replied", "企业回复"
    CLOSED = "closed", "复核销号"
    REOPENED = "reopened", "退回重改"
    ESCALATED = "escalated", "逾期督办"
    REPORTED = "reported", "上报专项工作组"


class PhotoRole(models.TextChoices):
    FINDING = "finding", "问题照片"
    EVIDENCE = "evidence", "整改佐证"


class ApplicationKind(models.TextChoices):
    """What an enterprise applies for; the values are the engine's event kinds."""

    BUSINESS_EVENT = "business_event", "商务活动"
    GATHERING = "gathering", "聚集性活动"
    RESUMPTION = "resumption", "复工复产"


class ParticipantsOrigin(models.TextChoices):
    """The farthest origin of the participants, in the engine's words (J-1.4)."""

    LOCAL = "local", "本地"
    OUT_OF_COUNTY = "out_of_county", "本市其他区县"
    OUT_OF_PREFECTURE = "out_of_prefecture", "省内其他地市"
    OUT_OF_PROVINCE = "out_of_province", "省外"
    ABROAD = "abroad", "境外"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"
    NOT_REQUIRED = "not_required", "无需审批（已登记）"


class GroupKind(models.TextChoices):
    """The bodies of the responsibility system (Z-2.1, J-2.3, H-3)."""

    LEADING_GROUP = "leading_group", "领导小组"
    TASK_TEAM = "task_team", "工作专班"
    ENTERPRISE_TEAM = "enterprise_team", "企业防疫专班"


PARK_GROUP_KINDS = (GroupKind.LEADING_GROUP, GroupKind.TASK_TEAM)


# --- plans, drills, training (Z-4.1, J-2.2) ----------------------------------------------
class PlanKind(models.TextChoices):
    PARK = "park", "一园一策"
    ENTERPRISE = "enterprise", "一企一策"


class PlanStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审批"
    APPROVED = "approved", "已批准"
    RETURNED = "returned", "已退回修改"


class DrillStatus(models.TextChoices):
    PLANNED = "planned", "已计划"
    DONE = "done", "已演练"


class TrainingKind(models.TextChoices):
    TRAINING = "training", "政策培训"
    PUBLICITY = "publicity", "政策宣传"


# --- hotline and requests (B-3, L-3.1) ----------------------------------------------------
class CaseKind(models.TextChoices):
    REPORT = "report", "举报"
    REQUEST = "request", "诉求"
    POLICY = "policy", "政策咨询"


class CaseChannel(models.TextChoices):
    PHONE = "phone", "热线电话"
    VISIT = "visit", "来访"
    ENTERPRISE = "enterprise", "企业在线提交"


class CaseStatus(models.TextChoices):
    OPEN = "open", "待分派"
    ASSIGNED = "assigned", "办理中"
    ANSWERED = "answered", "已答复"
