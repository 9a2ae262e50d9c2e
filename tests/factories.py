"""Small builders for tests: valid identity numbers and a two-park world of named personas."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from stdnum.cn import ric, uscc

from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import JurisdictionKind, OrgUnitKind, Role
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership, OrgUnit
from parkguard.orgs.services import enterprise_create, jurisdiction_create, org_unit_save
from parkguard.people.choices import StaffCategory
from parkguard.people.models import Person
from parkguard.people.services import person_create
from parkguard.rules.models import PackAdoption

TODAY = dt.date(2022, 11, 15)
PASSWORD = "test-pass-2022"
_serial = itertools.count(1)


def valid_id(serial: int | None = None, *, region: str = "450222", born: str = "19900101") -> str:
    """A valid 18-digit ID number, distinct per serial (0 to 999: the sequence code's digits)."""
    n = next(_serial) if serial is None else serial
    if serial is not None and not 0 <= serial < 1000:
        raise ValueError(f"serial {serial} does not fit the ID's three sequence digits")
    body = f"{region}{born}{n % 1000:03d}"
    number = body + ric.calc_check_digit(body + "0")
    assert ric.is_valid(number), number
    return number


def valid_credit_code(serial: int) -> str:
    body = f"91500114MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def make_user(username: str, *, staff: bool = False) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username, is_staff=staff
    )
    return user


# Notice J: its pack declares the large size, wide-contact posts and agency staff.
J_PACK = "jinjiang-xiyuan-2022-81"


def adopt(park: Jurisdiction, pack_id: str = J_PACK, **params: object) -> PackAdoption:
    """The park follows a bundled pack (with these parameter values)."""
    return PackAdoption.objects.create(
        jurisdiction=park,
        pack_id=pack_id,
        params=params,
        adopted_at=dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC),
    )


def make_person(enterprise: Enterprise, name: str, serial: int, **fields: object) -> Person:
    defaults: dict[str, Any] = {"category": StaffCategory.REGULAR}
    defaults.update(fields)
    return person_create(
        scope=SYSTEM,
        enterprise=enterprise,
        id_number=valid_id(serial),
        phone=f"138{serial:08d}",
        today=TODAY,
        name=name,
        **defaults,
    )


@dataclass
class World:
    """Park A (enterprises A1, A2) and park B (enterprise B1), each with staff and a login.

    A1 is the usual victim of outsider tests: its names begin with 甲一 so a leak shows.
    """

    county: Jurisdiction
    park_a: Jurisdiction
    park_b: Jurisdiction
    community_a: Jurisdiction
    community_b: Jurisdiction
    a1: Enterprise
    a2: Enterprise
    b1: Enterprise
    a1_unit: OrgUnit
    a1_person: Person
    a1_employee_person: Person
    a2_person: Person
    b1_person: Person
    users: dict[str, User]

    def markers(self) -> list[str]:
        """Strings that only someone allowed to see A1 may ever receive."""
        return [
            self.a1.name,
            self.a1.credit_code,
            self.a1_unit.name,
            *(
                value
                for person in (self.a1_person, self.a1_employee_person)
                for value in (person.name, person.id_masked, person.phone)
            ),
        ]


def build_world() -> World:
    county = jurisdiction_create(name="测试县", kind=JurisdictionKind.COUNTY)
    street = jurisdiction_create(name="测试街道", kind=JurisdictionKind.STREET, parent=county)
    park_a = jurisdiction_create(name="甲园区", kind=JurisdictionKind.PARK, parent=county)
    park_b = jurisdiction_create(name="乙园区", kind=JurisdictionKind.PARK, parent=county)
    community_a = jurisdiction_create(name="甲社区", kind=JurisdictionKind.COMMUNITY, parent=street)
    community_b = jurisdiction_create(name="乙社区", kind=JurisdictionKind.COMMUNITY, parent=street)

    def enterprise(name: str, park: Jurisdiction, serial: int) -> Enterprise:
        return enterprise_create(
            scope=SYSTEM,
            name=name,
            credit_code=valid_credit_code(serial),
            jurisdiction=park,
            legal_representative="法人",
            industry="制造",
        )

    a1 = enterprise("甲一精工有限公司", park_a, 1)
    a2 = enterprise("甲二食品有限公司", park_a, 2)
    b1 = enterprise("乙一化工有限公司", park_b, 3)
    dept = org_unit_save(
        scope=SYSTEM, enterprise=a1, parent=None, kind=OrgUnitKind.DEPARTMENT, name="甲一生产部"
    )
    a1_person = make_person(a1, "甲一张三", 101, org_unit=dept, home_community=community_a)
    a1_employee_person = make_person(a1, "甲一李四", 102, home_community=community_b)
    a2_person = make_person(a2, "甲二王五", 201, home_community=community_b)
    b1_person = make_person(b1, "乙一赵六", 301, home_community=community_b)

    users = {
        name: make_user(name, staff=name.endswith("admin"))
        for name in [
            "park_a_admin",
            "a1_officer",
            "a2_officer",
            "park_b_admin",
            "a1_employee",
            "liaison_a",
            "a1_leader",
            "a1_guard",
        ]
    }
    Membership.objects.create(user=users["park_a_admin"], role=Role.PARK_ADMIN, jurisdiction=park_a)
    Membership.objects.create(user=users["park_b_admin"], role=Role.PARK_ADMIN, jurisdiction=park_b)
    Membership.objects.create(user=users["a1_officer"], role=Role.EPIDEMIC_OFFICER, enterprise=a1)
    Membership.objects.create(user=users["a2_officer"], role=Role.EPIDEMIC_OFFICER, enterprise=a2)
    Membership.objects.create(
        user=users["a1_employee"], role=Role.EMPLOYEE, enterprise=a1, person=a1_employee_person
    )
    Membership.objects.create(
        user=users["liaison_a"], role=Role.COMMUNITY_LIAISON, jurisdiction=community_a
    )
    Membership.objects.create(
        user=users["a1_leader"], role=Role.TEAM_LEADER, enterprise=a1, org_unit=dept
    )
    Membership.objects.create(user=users["a1_guard"], role=Role.GATE_GUARD, enterprise=a1)
    return World(
        county=county,
        park_a=park_a,
        park_b=park_b,
        community_a=community_a,
        community_b=community_b,
        a1=a1,
        a2=a2,
        b1=b1,
        a1_unit=dept,
        a1_person=a1_person,
        a1_employee_person=a1_employee_person,
        a2_person=a2_person,
        b1_person=b1_person,
        users=users,
    )
