"""Enumerations of the gate."""

from __future__ import annotations

from django.db import models


class Place(models.TextChoices):
    """The pack's names of places with entry checks (Z-5.2e, B-2.2a)."""

    PLANT_GATE = "plant_gate", "厂区（园区）出入口"
    OFFICE_ENTRANCE = "office_entrance", "办公场所入口"


class Direction(models.TextChoices):
    IN = "in", "进"
    OUT = "out", "出"


class Method(models.TextChoices):
    """How the person was identified at the gate."""

    PHONE_PASS = "phone_pass", "手机通行码"
    PRINTED_PASS = "printed_pass", "纸质通行证"
    TEMPORARY_PASS = "temporary_pass", "临时通行证"
    MANUAL = "manual", "人工核验（姓名+证件尾号）"
    PLACE_CODE = "place_code", "扫场所码登记"
    UNREADABLE = "unreadable", "无法识别"


class CodeSource(models.TextChoices):
    """Who saw the health-code colour."""

    GUARD = "guard", "门岗查看"
    DEVICE = "device", "设备读取"
    NONE = "none", "未查验"


class VisitorKind(models.TextChoices):
    VISITOR = "visitor", "来访人员"
    TRUCK_CREW = "truck_crew", "货车司乘"


class Refusal(models.TextChoices):
    """Why a check was refused before (or instead of) the entry decision; each one has its
    Chinese text in `gate.services` and is logged."""

    EXPIRED = "expired", "通行码已过期"
    FORGED = "forged", "通行码无效"
    REPLAYED = "replayed", "通行码重复使用"
    REVOKED = "revoked", "通行证已作废"
    OUTSIDE_WINDOW = "outside_window", "临时通行证不在有效时段"
    PERSON_LEFT = "person_left", "已离职"
    OTHER_ENTERPRISE = "other_enterprise", "非本企业人员"
    BAD_TEMPERATURE = "bad_temperature", "体温读数无效"
    UNREADABLE = "unreadable", "无法识别"
    DECISION = "decision", "查验未通过"
