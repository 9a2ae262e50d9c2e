"""Trucks (J-1.3, Z-5.3a, Z-5.3b): declarations made ahead through a signed, expiring link
(the driver needs no account), their crew, the checks at the gate, the loading zone, entry,
exit and dwell; and the enterprise's own register of vehicles and drivers."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.logistics.choices import DeclaredBy, ParcelKind, PassState, TruckState, VehicleKind
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.fields import PhoneField


class DeclarationLink(models.Model):
    """A link the enterprise sends a carrier; the URL carries a signature of `nonce`."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="truck_links"
    )
    nonce = models.CharField(max_length=32, unique=True)
    label = models.CharField("用途", max_length=60, blank=True)
    created_at = models.DateTimeField("生成时间")
    expires_at = models.DateTimeField("失效时间")
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "货车申报链接"
        verbose_name_plural = "货车申报链接"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or self.nonce[:6]


class TruckDeclaration(models.Model):
    """One truck's declaration (J-1.3) and what happens to it at the gate."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="收货企业", on_delete=models.CASCADE, related_name="trucks"
    )
    link = models.ForeignKey(
        DeclarationLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="trucks"
    )
    declared_by = models.CharField("申报方", max_length=12, choices=DeclaredBy.choices)
    plate = models.CharField("车牌号", max_length=12, db_index=True)
    planned_arrival = models.DateTimeField("计划抵达时间")
    route = models.CharField("行驶路线", max_length=300)
    travel_history = models.CharField("近7天旅居史", max_length=300)
    submitted_at = models.DateTimeField("申报时间")
    # The deadline, the crew's test window and their citations, as the packs said on the day.
    rules = models.JSONField("依据", default=dict, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=TruckState.choices, default=TruckState.DECLARED
    )
    codes_checked = models.BooleanField("已查验三码", default=False)
    truck_disinfected = models.BooleanField("车辆已消杀", default=False)
    goods_disinfected = models.BooleanField("货物已消杀", default=False)
    loading_zone = models.CharField("装卸区", max_length=60, blank=True)
    loaders = models.CharField("装卸人员", max_length=200, blank=True)
    entered_at = models.DateTimeField("入园时间", null=True, blank=True)
    left_at = models.DateTimeField("离园时间", null=True, blank=True)
    dwell_alerted_at = models.DateTimeField("超时预警时间", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "货车申报"
        verbose_name_plural = "货车申报"
        ordering = ["planned_arrival", "id"]
        indexes = [models.Index(fields=["enterprise", "state"], name="truck_enterprise_state")]

    def __str__(self) -> str:
        return self.plate


class CrewMember(models.Model):
    """A driver or passenger of a declared truck; the ID number kept as the ledger keeps it."""

    declaration = models.ForeignKey(
        TruckDeclaration, verbose_name="货车", on_delete=models.CASCADE, related_name="crew"
    )
    name = models.CharField("姓名", max_length=50)
    id_digest = models.CharField(max_length=64, db_index=True)
    id_cipher = models.TextField()
    id_masked = models.CharField("身份证号", max_length=18)
    phone = PhoneField("电话")
    tested_at = models.DateTimeField("核酸采样时间", null=True, blank=True)
    test_negative = models.BooleanField("核酸阴性", default=False)
    vaccine_doses = models.PositiveSmallIntegerField("疫苗剂次", default=0)
    temperature = models.DecimalField(
        "入园体温（℃）", max_digits=4, decimal_places=1, null=True, blank=True
    )

    scope_jurisdiction = "declaration__enterprise__jurisdiction"
    scope_enterprise = "declaration__enterprise"

    class Meta:
        verbose_name = "司乘人员"
        verbose_name_plural = "司乘人员"
        ordering = ["declaration_id", "id"]

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """The enterprise's internal register of vehicles (J-1.3 内部车辆管理)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="vehicles"
    )
    plate = models.CharField("车牌号", max_length=12)
    kind = models.CharField("类别", max_length=12, choices=VehicleKind.choices)
    note = models.CharField("说明", max_length=100, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "车辆登记"
        verbose_name_plural = "车辆登记"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "plate"], name="vehicle_unique_plate")
        ]

    def __str__(self) -> str:
        return self.plate


class Driver(models.Model):
    """The enterprise's internal register of drivers (J-1.3 驾驶员管理)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="drivers"
    )
    name = models.CharField("姓名", max_length=50)
    id_digest = models.CharField(max_length=64)
    id_cipher = models.TextField()
    id_masked = models.CharField("身份证号", max_length=18)
    phone = PhoneField("电话")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "驾驶员登记"
        verbose_name_plural = "驾驶员登记"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "id_digest"], name="driver_unique_id")
        ]

    def __str__(self) -> str:
        return self.name


class DwellLimit(models.Model):
    """How long a truck may stay, set by the park with its basis where no pack gives minutes
    ("即停即卸即装即走", Z-5.3a, names none); a pack parameter `truck_dwell_minutes` wins."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="dwell_limit"
    )
    minutes = models.PositiveSmallIntegerField("最长停留（分钟）")
    basis = models.CharField("依据（文件、条款）", max_length=200)

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "货车最长停留时间"
        verbose_name_plural = "货车最长停留时间"

    def __str__(self) -> str:
        return f"{self.minutes}"


class TransportPass(models.Model):
    """A transport pass (运输通行证, Z-5.3c, L-3.5): the enterprise applies, the park approves;
    the printed pass carries a signed QR code that the gate verifies."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="transport_passes"
    )
    plate = models.CharField("车牌号", max_length=12)
    route = models.CharField("通行路线", max_length=300)
    purpose = models.CharField("运输物资", max_length=200)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至")
    state = models.CharField("状态", max_length=10, choices=PassState.choices)
    nonce = models.CharField(max_length=32, unique=True)
    applied_at = models.DateTimeField("申请时间")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "运输通行证"
        verbose_name_plural = "运输通行证"
        ordering = ["-applied_at", "-id"]

    def __str__(self) -> str:
        return self.plate


class Parcel(models.Model):
    """Mail, a parcel or takeaway kept in the enterprise's central store (Z-5.3d): logged on
    arrival, its packaging disinfected, picked up by the addressee with a code from their
    phone, without contact."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="parcels"
    )
    addressee = models.ForeignKey(
        "people.Person", verbose_name="收件人", on_delete=models.CASCADE, related_name="parcels"
    )
    kind = models.CharField("类别", max_length=10, choices=ParcelKind.choices)
    note = models.CharField("说明", max_length=100, blank=True)
    arrived_at = models.DateTimeField("到达时间")
    disinfected_at = models.DateTimeField("外包装消毒时间", null=True, blank=True)
    code = models.CharField("取件码", max_length=12)
    picked_up_at = models.DateTimeField("取件时间", null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_person = "addressee"

    class Meta:
        verbose_name = "快递外卖"
        verbose_name_plural = "快递外卖"
        ordering = ["-arrived_at", "-id"]

    def __str__(self) -> str:
        return self.get_kind_display()
