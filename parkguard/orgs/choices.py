"""Enumerations of the organisation app."""

from __future__ import annotations

from django.db import models


class JurisdictionKind(models.TextChoices):
    COUNTY = "county", "区县"
    TOWN = "town", "镇"
    STREET = "street", "街道"
    PARK = "park", "园区"
    COMMUNITY = "community", "村（社区）"
    GRID = "grid", "网格"


# Kinds an enterprise may belong to directly: a park, or a town/street acting as the park (H).
ENTERPRISE_HOSTS = (JurisdictionKind.PARK, JurisdictionKind.TOWN, JurisdictionKind.STREET)

# Which kind may sit under which; the county is the root.
ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
    JurisdictionKind.COUNTY: (),
    JurisdictionKind.TOWN: (JurisdictionKind.COUNTY,),
    JurisdictionKind.STREET: (JurisdictionKind.COUNTY,),
    JurisdictionKind.PARK: (
        JurisdictionKind.COUNTY,
        JurisdictionKind.TOWN,
        JurisdictionKind.STREET,
    ),
    JurisdictionKind.COMMUNITY: (JurisdictionKind.TOWN, JurisdictionKind.STREET),
    JurisdictionKind.GRID: (JurisdictionKind.COMMUNITY,),
}


class OrgUnitKind(models.TextChoices):
    DEPARTMENT = "department", "部门"
    WORKSHOP = "workshop", "车间"
    TEAM = "team", "班组"


# A unit may only sit under a unit of a coarser kind (department → workshop → team).
UNIT_RANK = {OrgUnitKind.DEPARTMENT: 0, OrgUnitKind.WORKSHOP: 1, OrgUnitKind.TEAM: 2}


class Role(models.TextChoices):
    PARK_ADMIN = "park_admin", "园区管理员"
    PARK_CADRE = "park_cadre", "包企干部"
    INSPECTOR = "inspector", "督查员"
    COMMUNITY_LIAISON = "community_liaison", "社区联络员"
    ENTERPRISE_ADMIN = "enterprise_admin", "企业管理员"
    EPIDEMIC_OFFICER = "epidemic_officer", "防疫专员"
    TEAM_LEADER = "team_leader", "班组长"
    GATE_GUARD = "gate_guard", "门岗"
    EMPLOYEE = "employee", "员工"


# Roles scoped to a jurisdiction, to an enterprise, or to a community.
JURISDICTION_ROLES = frozenset({Role.PARK_ADMIN, Role.PARK_CADRE, Role.INSPECTOR})
ENTERPRISE_ROLES = frozenset(
    {Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_OFFICER, Role.TEAM_LEADER, Role.GATE_GUARD, Role.EMPLOYEE}
)
COMMUNITY_ROLES = frozenset({Role.COMMUNITY_LIAISON})

# Who may edit an enterprise's organisation (its record, org units).
ENTERPRISE_EDITORS = frozenset({Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_OFFICER})
PARK_EDITORS = frozenset({Role.PARK_ADMIN})
