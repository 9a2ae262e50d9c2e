"""Jurisdictions, enterprises, org units and the memberships that give users their roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from parkguard.orgs.choices import JurisdictionKind, OrgUnitKind, Role


class Jurisdiction(models.Model):
    """A node of the administrative tree: county → town/street → park, community → grid.

    A town or street may host enterprises itself, acting as their park (notice H).
    `path` holds the ids from the root, so "everything under X" is one prefix query.
    """

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=JurisdictionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField("行政区划代码", max_length=12, blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True)

    scope_jurisdiction = "id"
    scope_community = "id"
    scope_token_readable = True
    # Actions granted with `hosting` (reading the park's own zones) reach the park that hosts
    # the caller's enterprise; plain reads do not (`orgs.access`).
    scope_hosting_park = "id"

    class Meta:
        verbose_name = "辖区"
        verbose_name_plural = "辖区"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="jurisdiction_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SupervisionOffice(models.Model):
    """An office that supervises a kind of enterprise, as one park or town configures it (H-3).

    Notice H names one town's structure (应急办 for mines and hazardous chemicals, 经发办
    for industry, ...); every park keeps its own list here, set by its park admin, with the
    document it comes from in `basis`. An enterprise names the office that supervises it.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name="所属园区/镇街",
        on_delete=models.PROTECT,
        related_name="supervision_offices",
    )
    name = models.CharField("办所名称", max_length=50)
    responsibilities = models.CharField("负责的企业类别", max_length=200, blank=True)
    basis = models.CharField("依据（文件及条款）", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    scope_jurisdiction = "jurisdiction_id"

    class Meta:
        verbose_name = "主管办所"
        verbose_name_plural = "主管办所"
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="supervision_office_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """An enterprise in a park; its legal representative is the first responsible person (Z-2.1)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name="所属园区/镇街",
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    name = models.CharField("企业名称", max_length=120, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_representative = models.CharField("法定代表人（第一责任人）", max_length=50)
    industry = models.CharField("行业", max_length=50)
    supervision_office = models.ForeignKey(
        "SupervisionOffice",
        verbose_name="主管办所",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    whitelisted = models.BooleanField("白名单企业", default=False)
    park_cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="包企干部",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre_of",
    )
    community = models.ForeignKey(
        Jurisdiction,
        verbose_name="所在社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_enterprises",
    )
    community_liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="社区联络员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_of",
    )
    purchase_channels = models.TextField("原材料采购渠道", blank=True)
    sales_channels = models.TextField("产品销售渠道", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords(verbose_name="企业变更历史")

    # Scoping paths used by orgs.access (see there).
    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "id"
    scope_enterprise_level = "member"
    scope_community = "community"
    scope_token_readable = True

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A department, workshop or team, with its responsible person (Z-2.1, B-1.2)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单元",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField("类型", max_length=20, choices=OrgUnitKind.choices)
    name = models.CharField("名称", max_length=60)
    responsible_name = models.CharField("负责人", max_length=50, blank=True)
    responsible_phone = models.CharField("负责人电话", max_length=20, blank=True)
    history = HistoricalRecords(verbose_name="组织单元变更历史")

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_enterprise_level = "member"
    scope_token_readable = True

    class Meta:
        verbose_name = "组织单元"
        verbose_name_plural = "组织单元"
        ordering = ["enterprise_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "parent", "name"], name="orgunit_unique_sibling_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role at one place: a jurisdiction, an enterprise or a community."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name="辖区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="负责单元",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人档案",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )

    scope_jurisdiction = "jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "角色成员"
        verbose_name_plural = "角色成员"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction", "enterprise"], name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A per-device token for gate devices and lab systems, scoped to an enterprise or a park.

    Only a SHA-256 digest of the token is stored; the token is shown once at creation.
    """

    name = models.CharField("设备名称", max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=12)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", null=True, blank=True, on_delete=models.CASCADE
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", null=True, blank=True, on_delete=models.CASCADE
    )
    # The park that oversees the token (its own, or its enterprise's), so park admins see it.
    owner_park = models.ForeignKey(
        Jurisdiction, verbose_name="所属园区", null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    scope_jurisdiction = "owner_park"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "设备令牌"
        verbose_name_plural = "设备令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginThrottle(models.Model):
    """Failed logins per username; enough failures lock the account for a while."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True)
    locked_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.username


class AccountActivation(models.Model):
    """A one-time activation code: the first login (or a reset) sets the password with it.

    Only a keyed digest of the code is stored; the clear code is shown once, on the sheet
    the officer prints. A code is used once, expires, and a newer code replaces it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.CASCADE,
        related_name="activations",
    )
    digest = models.CharField(max_length=64)
    # Where the account was made, so the pending list and its scope need no join to roles.
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", null=True, blank=True, on_delete=models.CASCADE
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="辖区", null=True, blank=True, on_delete=models.CASCADE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("生成时间")
    expires_at = models.DateTimeField("过期时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    # Set when a reset issues a newer code or the account is deactivated.
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "激活码"
        verbose_name_plural = "激活码"
        indexes = [models.Index(fields=["user", "used_at", "voided_at"], name="activation_open")]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A login's session, so its owner can list and end them ("退出所有设备").

    Written at login next to Django's own session row; ending one deletes both. The address
    is kept shortened (the network, not the host) and the browser label short: enough for
    the owner to recognise a session, not a movement record.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.CASCADE,
        related_name="login_sessions",
    )
    session_key = models.CharField("会话标识", max_length=40, unique=True)
    created_at = models.DateTimeField("登录时间")
    address = models.CharField("登录网络", max_length=50, blank=True)
    browser = models.CharField("浏览器", max_length=120, blank=True)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
