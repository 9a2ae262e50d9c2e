"""The demo county: deterministic (a fixed seed) and idempotent (natural keys, no duplicates).

Two parks in one county, twelve enterprises of different sizes (one of 900 staff, one
whitelisted), about 3,000 people in every staff category, org units, and one login per role.
ID numbers are synthetic but valid (GB 11643 checksum, real birth date, known region).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from stdnum.cn import ric, uscc

from parkguard.orgs.choices import JurisdictionKind, OrgUnitKind, Role
from parkguard.orgs.models import (
    Enterprise,
    Jurisdiction,
    Membership,
    OrgUnit,
    SupervisionOffice,
)
from parkguard.orgs.services import jurisdiction_create
from parkguard.people.choices import StaffCategory
from parkguard.people.identity import IdNumber
from parkguard.people.models import EmploymentEvent, Person
from parkguard.people.services import person_identity_fields
from parkguard.rules.models import PackAdoption
from parkguard.rules.registry import registry

DEMO_PASSWORD = "demo-park-2022"
DEMO_USERNAMES = [
    "park_admin",
    "cadre",
    "inspector",
    "liaison",
    "ent_admin",
    "officer",
    "team_leader",
    "guard",
    "employee",
    "parkb_admin",
]
SEED = 20221115
TODAY = dt.date(2022, 11, 15)
ADOPTED_AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)


# What the demo parks set where a notice leaves the number to the locality (their own
# local policy, not a notice's): test certificate hours at the gate, routine test intervals.
DEMO_PARK_PARAMS: dict[str, dict[str, object]] = {
    "zhengyang-2022-20": {
        "entry_test_hours": 48,
        "routine_test_interval_days": 7,
        "public_contact_test_interval_days": 3,
    },
    "jinjiang-xiyuan-2022-81": {"routine_test_interval_days": 7},
}


def demo_params(pack_id: str) -> dict[str, object]:
    """The demo park's values for the parameters this pack declares."""
    declared = registry().versions(pack_id)[-1].parameters
    return {k: v for k, v in DEMO_PARK_PARAMS.get(pack_id, {}).items() if k in declared}


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏建华红梅飞鑫波斌宇"
    "浩凯健俊帆帅旭宁龙林欣颖倩婷雪琳晨阳佳怡子涵思远文博海燕志强春梅晓东国庆建国小红"
    "丹丹"
)
# Region codes (GB/T 2260) near the five notices' localities, tried in turn until valid.
REGIONS = ["450222", "150202", "510107", "420106", "500114", "350582"]

ENTERPRISES = [
    # (park key, name, industry, supervising office (DEMO_OFFICES), staff, whitelisted)
    ("A", "云溪精密机械制造有限公司", "装备制造", "economy", 900, True),
    ("A", "云溪新材料科技股份有限公司", "新材料", "emergency", 460, False),
    ("A", "黔渝电子元件有限公司", "电子信息", "economy", 260, False),
    ("A", "云溪绿源食品有限公司", "农副食品加工", "market", 180, False),
    ("A", "青山纺织服装有限公司", "纺织服装", "economy", 150, False),
    ("A", "恒通物流仓储有限公司", "物流仓储", "economy", 90, False),
    ("A", "云溪建工第三工程项目部", "建筑施工", "construction", 120, False),
    ("A", "安泰化工助剂有限公司", "化工", "emergency", 60, False),
    ("B", "东岭汽车零部件有限公司", "汽车零部件", "economy", 380, True),
    ("B", "东岭包装印务有限公司", "包装印刷", "economy", 140, False),
    ("B", "岭南医疗器械有限公司", "医疗器械", "economy", 180, False),
    ("B", "东岭中央厨房餐饮管理有限公司", "餐饮", "market", 80, False),
]
# Each park's own supervising offices (H-3 is one town's structure, not a rule for all):
# park B takes the offices notice H names; park A has its management committee's sections.
DEMO_OFFICES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "A": (
        "云溪工业园区管委会内设机构职责分工（演示）",
        [
            ("emergency", "安全生产监管科", "矿山、危险化学品企业"),
            ("economy", "经济发展局", "工业及小微企业"),
            ("construction", "建设管理科", "建筑施工企业、施工工地"),
            ("market", "市场监管所", "食品生产企业及企业食堂"),
        ],
    ),
    "B": (
        "红炉府发〔2021〕10号 三、（三）人员分工（H-3）",
        [
            ("emergency", "应急办", "非煤矿山、危化、烟花爆竹企业"),
            ("economy", "经发办", "工贸、微型企业"),
            ("construction", "规环办", "建筑企业、施工工地"),
            ("market", "市监所", "食药品及企业用餐"),
        ],
    ),
}
CATEGORY_WEIGHTS = [
    (StaffCategory.REGULAR, 70),
    (StaffCategory.INTERN, 5),
    (StaffCategory.CLIENT_DISPATCHED, 3),
    (StaffCategory.LABOUR_DISPATCH, 12),
    (StaffCategory.OUTSOURCED, 8),
    (StaffCategory.TEMPORARY, 2),
]
WIDE_CONTACT_POSTS = ["保安", "保洁", "食堂"]
POSTS = ["操作工", "技术员", "质检员", "仓管员", "班组长", "司机", "文员", "工程师"]
AGENCIES = ["渝才劳务派遣有限公司", "众诚人力资源服务有限公司", "安邦物业服务有限公司"]
# Demo staff who come through an agency (what J-1.5c's agency_managed group asks to record).
AGENCY_CATEGORIES = {
    StaffCategory.LABOUR_DISPATCH,
    StaffCategory.OUTSOURCED,
    StaffCategory.CLIENT_DISPATCHED,
}
SHIFTS = ["白班", "夜班", "长白班"]


@dataclass(frozen=True)
class DemoResult:
    summary: str


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _id_number(rng: random.Random) -> str:
    while True:
        birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))
        body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number


def _credit_code(rng: random.Random, region: str) -> str:
    while True:
        body = f"91{region}" + "".join(
            rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9)
        )
        code = body + uscc.calc_check_digit(body)
        if uscc.is_valid(code):
            return code


def _phone(rng: random.Random) -> str:
    return (
        rng.choice(["138", "139", "150", "151", "177", "186", "189"])
        + f"{rng.randrange(10**8):08d}"
    )


def _node(name: str, kind: str, parent: Jurisdiction | None, code: str = "") -> Jurisdiction:
    found = Jurisdiction.objects.filter(name=name, parent=parent).first()
    return found or jurisdiction_create(name=name, kind=kind, parent=parent, code=code)


def _user(username: str, full_name: str, *, staff: bool = False) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.first_name = full_name
    user.is_staff = staff
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _units(enterprise: Enterprise, rng: random.Random) -> list[OrgUnit]:
    """Departments → workshops → teams; returns the teams, where people are placed."""
    teams: list[OrgUnit] = []
    for d_index, dept in enumerate(["生产部", "行政部", "后勤保障部"]):
        d, _ = OrgUnit.objects.get_or_create(
            enterprise=enterprise,
            parent=None,
            name=dept,
            defaults={"kind": OrgUnitKind.DEPARTMENT, "responsible_name": _name(rng)},
        )
        workshops = ["一车间", "二车间"] if d_index == 0 else ["综合组"]
        for ws in workshops:
            w, _ = OrgUnit.objects.get_or_create(
                enterprise=enterprise,
                parent=d,
                name=ws,
                defaults={"kind": OrgUnitKind.WORKSHOP, "responsible_name": _name(rng)},
            )
            for team in ["甲班", "乙班"] if d_index == 0 else ["一班"]:
                t, _ = OrgUnit.objects.get_or_create(
                    enterprise=enterprise,
                    parent=w,
                    name=team,
                    defaults={"kind": OrgUnitKind.TEAM, "responsible_name": _name(rng)},
                )
                teams.append(t)
    return teams


def _people(
    enterprise: Enterprise,
    count: int,
    teams: list[OrgUnit],
    communities: list[Jurisdiction],
    rng: random.Random,
) -> None:
    if enterprise.people.exists():
        return
    categories = [c for c, _ in CATEGORY_WEIGHTS]
    weights = [w for _, w in CATEGORY_WEIGHTS]
    seen: set[str] = set()
    people = []
    for index in range(count):
        number = _id_number(rng)
        while number in seen:
            number = _id_number(rng)
        seen.add(number)
        category = (
            categories[index] if index < len(categories) else rng.choices(categories, weights)[0]
        )
        wide = rng.random() < 0.06
        community = rng.choice(communities)
        grid = community.children.first()
        people.append(
            Person(
                enterprise=enterprise,
                org_unit=rng.choice(teams),
                name=_name(rng),
                phone=_phone(rng),
                category=category,
                post=rng.choice(WIDE_CONTACT_POSTS) if wide else rng.choice(POSTS),
                wide_contact=wide,
                labour_agency=rng.choice(AGENCIES) if category in AGENCY_CATEGORIES else "",
                dormitory=f"{rng.randrange(1, 6)}号宿舍楼{rng.randrange(101, 520)}"
                if rng.random() < 0.4
                else "",
                shift=rng.choice(SHIFTS),
                home_community=community,
                home_grid=grid,
                vaccination_doses=rng.choices([0, 1, 2, 3], [3, 4, 38, 55])[0],
                joined_on=TODAY - dt.timedelta(days=rng.randrange(30, 3000)),
                **person_identity_fields(IdNumber(number)),
            )
        )
    Person.objects.bulk_create(people, batch_size=500)
    EmploymentEvent.objects.bulk_create(
        [
            EmploymentEvent(person=p, status=p.status, on=p.joined_on or TODAY, note="建档")
            for p in Person.objects.filter(enterprise=enterprise)
        ],
        batch_size=500,
    )


def demo_logins() -> list[tuple[str, str]]:
    """The demo accounts present in the database, with their role and place."""
    rows = (
        Membership.objects.filter(user__username__in=DEMO_USERNAMES)
        .select_related("user", "jurisdiction", "enterprise")
        .order_by("id")
    )
    return [
        (m.user.username, f"{m.get_role_display()} · {(m.jurisdiction or m.enterprise)}")
        for m in rows
    ]


@transaction.atomic
def demo_load(*, if_empty: bool = False) -> DemoResult | None:
    if if_empty and Enterprise.objects.exists():
        return None
    rng = random.Random(SEED)
    county = _node("云溪县", JurisdictionKind.COUNTY, None, "500114")
    town = _node("红石镇", JurisdictionKind.TOWN, county)
    street = _node("西城街道", JurisdictionKind.STREET, county)
    park_a = _node("云溪工业园区", JurisdictionKind.PARK, county)
    park_b = _node("东岭产业园", JurisdictionKind.PARK, street)
    communities = []
    for parent, names in [(town, ["红石社区", "青龙村"]), (street, ["西城社区", "东岭社区"])]:
        for name in names:
            community = _node(name, JurisdictionKind.COMMUNITY, parent)
            _node(f"{name}第一网格", JurisdictionKind.GRID, community)
            communities.append(community)

    users = {
        "park_admin": _user("park_admin", "周园区", staff=True),
        "cadre": _user("cadre", "吴包企"),
        "inspector": _user("inspector", "郑督查"),
        "liaison": _user("liaison", "冯社区"),
        "ent_admin": _user("ent_admin", "陈企业"),
        "officer": _user("officer", "林防疫"),
        "team_leader": _user("team_leader", "何班长"),
        "guard": _user("guard", "孙门岗"),
        "employee": _user("employee", "王员工"),
        "parkb_admin": _user("parkb_admin", "罗东岭", staff=True),
    }
    parks = {"A": park_a, "B": park_b}
    offices: dict[tuple[str, str], SupervisionOffice] = {}
    for key, (basis, rows) in DEMO_OFFICES.items():
        for order, (code, office_name, duties) in enumerate(rows):
            offices[(key, code)], _ = SupervisionOffice.objects.get_or_create(
                jurisdiction=parks[key],
                name=office_name,
                defaults={"responsibilities": duties, "basis": basis, "order": order},
            )
    enterprises: list[Enterprise] = []
    for key, name, industry, office, staff, whitelisted in ENTERPRISES:
        enterprise = Enterprise.objects.filter(name=name).first()
        if enterprise is None:
            enterprise = Enterprise.objects.create(
                jurisdiction=parks[key],
                name=name,
                credit_code=_credit_code(rng, "500114"),
                legal_representative=_name(rng),
                industry=industry,
                supervision_office=offices[(key, office)],
                whitelisted=whitelisted,
                address=f"{parks[key].name}{rng.randrange(1, 99)}号",
                contact_phone=_phone(rng),
                community=communities[0 if key == "A" else 2],
                park_cadre=users["cadre"] if key == "A" else None,
                community_liaison=users["liaison"] if key == "A" else None,
                purchase_channels="本地供应商直供；重庆主城物流中转",
                sales_channels="国内经销商；电商平台",
            )
        teams = _units(enterprise, rng)
        _people(enterprise, staff, teams, communities[:2] if key == "A" else communities[2:], rng)
        enterprises.append(enterprise)

    # Park A (in Chongqing) follows its own park's notice, the street office's rules on
    # visitors and events, and the county lockdown plan; park B follows the town and city
    # notices. Parameters the notices leave to the locality get the park's values.
    adoptions = [
        (park_a, "zhengyang-2022-20"),
        (park_a, "jinjiang-xiyuan-2022-81"),
        (park_a, "liucheng-2022-36"),
        (park_b, "honglu-2021-10"),
        (park_b, "baotou-industry-2020-02"),
    ]
    for park, pack_id in adoptions:
        PackAdoption.objects.get_or_create(
            jurisdiction=park,
            pack_id=pack_id,
            defaults={"params": demo_params(pack_id), "adopted_at": ADOPTED_AT},
        )

    a1 = enterprises[0]
    first_team = OrgUnit.objects.filter(enterprise=a1, kind=OrgUnitKind.TEAM).order_by("id").first()
    me = Person.objects.filter(enterprise=a1).order_by("id").first()
    grants = [
        ("park_admin", Role.PARK_ADMIN, park_a, None, None, None),
        ("cadre", Role.PARK_CADRE, park_a, None, None, None),
        ("inspector", Role.INSPECTOR, park_a, None, None, None),
        ("liaison", Role.COMMUNITY_LIAISON, communities[0], None, None, None),
        ("ent_admin", Role.ENTERPRISE_ADMIN, None, a1, None, None),
        ("officer", Role.EPIDEMIC_OFFICER, None, a1, None, None),
        ("team_leader", Role.TEAM_LEADER, None, a1, first_team, None),
        ("guard", Role.GATE_GUARD, None, a1, None, None),
        ("employee", Role.EMPLOYEE, None, a1, None, me),
        ("parkb_admin", Role.PARK_ADMIN, park_b, None, None, None),
    ]
    for username, role, jurisdiction, enterprise, unit, person in grants:
        Membership.objects.update_or_create(
            user=users[username],
            role=role,
            jurisdiction=jurisdiction,
            enterprise=enterprise,
            defaults={"org_unit": unit, "person": person},
        )
    total = Person.objects.count()
    return DemoResult(summary=f"{len(enterprises)} 家企业，{total} 名人员，2 个园区")
