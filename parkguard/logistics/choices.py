"""Enumerations of trucks and logistics."""

from __future__ import annotations

from django.db import models


class DeclaredBy(models.TextChoices):
    CARRIER = "carrier", "承运方"
    ENTERPRISE = "enterprise", "收货企业"


class TruckState(models.TextChoices):
    DECLARED = "declared", "已申报"
    INSIDE = "inside", "在园装卸"
    LEFT = "left", "已离开"


class VehicleKind(models.TextChoices):
    OWN = "own", "本企业车辆"
    CONTRACTED = "contracted", "长期合作车辆"


class PassState(models.TextChoices):
    APPLIED = "applied", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"
    REVOKED = "revoked", "已吊销"


class ParcelKind(models.TextChoices):
    MAIL = "mail", "邮件"
    PARCEL = "parcel", "快递"
    TAKEAWAY = "takeaway", "外卖"
