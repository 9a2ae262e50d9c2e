"""The demo county: deterministic (a fixed seed) and idempotent (natural keys, no duplicates).

Two parks in one county, twelve enterprises of different sizes (one of 900 staff, one
whitelisted), about 3,000 people in every staff category, org units, and one login per role.
ID numbers are synthetic but valid (GB 11643 checksum, real birth date, known region).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from parkguard.notify.choices import Kind, Vendor
from parkguard.notify.models import Message, ParkReminderConfig, Webhook
from parkguard.notify.reminders import DECLARE_BODY, DECLARE_TITLE
from parkguard.notify.sealing import seal, url_hint
from parkguard.notify.services import notify_send
from parkguard.orgs.access import scope_for_user
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
from parkguard.people.logins import LoginBy, employee_logins_create, people_without_login
from parkguard.people.models import EmploymentEvent, Person
from parkguard.people.pinyin import name_initials
from parkguard.people.services import person_identity_fields
from parkguard.rules.models import PackAdoption
from parkguard.rules.registry import registry

# Names, sizes and shares of the demo county live in a data file beside this module.
DATA: dict[str, Any] = yaml.safe_load((Path(__file__).with_name("county.yaml")).read_text("utf-8"))

DEMO_PASSWORD: str = DATA["password"]
DEMO_USERNAMES: list[str] = list(DATA["users"])
SEED: int = DATA["seed"]
TODAY: dt.date = DATA["today"]
ADOPTED_AT = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
DEMO_PARK_PARAMS: dict[str, dict[str, object]] = DATA["park_params"]
# Days of stock issues the demo writes (one usage window), and a demo key area's rounds.
DATA_USAGE_DAYS = 7
DATA_KEY_ROUNDS = 3
# How far ahead the demo carriers declare (inside notice J's 24 hours) and test before that.
DATA_DECLARE_AHEAD_HOURS = 30
DATA_TEST_BEFORE_HOURS = 6


def demo_params(pack_id: str) -> dict[str, object]:
    """The demo park's values for the parameters this pack declares."""
    declared = registry().versions(pack_id)[-1].parameters
    return {k: v for k, v in DEMO_PARK_PARAMS.get(pack_id, {}).items() if k in declared}


SURNAMES: str = DATA["surnames"]
GIVEN: str = DATA["given"]
REGIONS: list[str] = DATA["regions"]
# (park key, name, industry, supervising office code, staff, whitelisted)
ENTERPRISES = [tuple(row) for row in DATA["enterprises"]]
# Each park's own supervising offices (H-3): {park key: {basis, offices: [code, name, duties]}}.
DEMO_OFFICES: dict[str, dict[str, Any]] = DATA["supervision_offices"]
CATEGORY_WEIGHTS = [(StaffCategory(k), w) for k, w in DATA["category_weights"].items()]
WIDE_CONTACT_POSTS: list[str] = DATA["wide_contact_posts"]
POSTS: list[str] = DATA["posts"]
AGENCIES: list[str] = DATA["agencies"]
# Demo staff who come through an agency (what J-1.5c's agency_managed group asks to record).
AGENCY_CATEGORIES = {StaffCategory(c) for c in DATA["agency_categories"]}
SHIFTS: list[str] = DATA["shifts"]


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
    return rng.choice(DATA["phone_prefixes"]) + f"{rng.randrange(10**8):08d}"


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
    for dept, workshops in DATA["units"].items():
        d, _ = OrgUnit.objects.get_or_create(
            enterprise=enterprise,
            parent=None,
            name=dept,
            defaults={"kind": OrgUnitKind.DEPARTMENT, "responsible_name": _name(rng)},
        )
        for ws, team_names in workshops.items():
            w, _ = OrgUnit.objects.get_or_create(
                enterprise=enterprise,
                parent=d,
                name=ws,
                defaults={"kind": OrgUnitKind.WORKSHOP, "responsible_name": _name(rng)},
            )
            for team in team_names:
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
        wide = rng.random() < DATA["wide_contact_share"]
        community = rng.choice(communities)
        grid = community.children.first()
        unit = rng.choice(teams)
        name = _name(rng)
        people.append(
            Person(
                enterprise=enterprise,
                org_unit=unit,
                name=name,
                name_initials=name_initials(name),
                phone=_phone(rng),
                category=category,
                post=rng.choice(WIDE_CONTACT_POSTS) if wide else rng.choice(POSTS),
                wide_contact=wide,
                labour_agency=rng.choice(AGENCIES) if category in AGENCY_CATEGORIES else "",
                dormitory=f"{rng.randrange(1, 6)}号宿舍楼{rng.randrange(101, 520)}"
                if rng.random() < DATA["dormitory_share"]
                else "",
                shift=rng.choice(SHIFTS),
                home_community=community,
                home_grid=grid,
                vaccination_doses=rng.choices(range(4), DATA["vaccination_weights"])[0],
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


# Employee logins the officer has made but not yet handed out (issue 7 §1).
DEMO_PENDING_PREFIX = "YX"
DEMO_PENDING_COUNT = 5


def _demo_pending_logins(*, enterprise: Enterprise, officer: User, team: OrgUnit | None) -> None:
    """A few employees of the first team with logins waiting for activation, so the officer
    has a sheet to print: codes are shown once, so the officer reissues them from the
    pending list (账号 → 待激活 → 重新生成激活码并打印). Idempotent by login name."""
    if team is None or User.objects.filter(username__startswith=DEMO_PENDING_PREFIX).exists():
        return
    scope = scope_for_user(officer)
    people = people_without_login(scope=scope, enterprise=enterprise, unit_id=team.pk)
    employee_logins_create(
        scope=scope,
        actor=officer,
        enterprise=enterprise,
        person_ids=list(people.values_list("pk", flat=True)[:DEMO_PENDING_COUNT]),
        login_by=LoginBy.NUMBER,
        prefix=DEMO_PENDING_PREFIX,
        start=1,
        at=timezone.now(),  # the codes run from the day the demo is loaded
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


def demo_inbox(*, users: dict[str, User], enterprise: Enterprise, park: Jurisdiction) -> None:
    """A morning's messages for the demo logins, the park's reminder clock, and one group robot
    left switched off (the demo must never post to a real group)."""
    ParkReminderConfig.objects.get_or_create(
        jurisdiction=park,
        defaults={
            "declare_remind_at": dt.time(9, 30),
            "digest_at": dt.time(10, 0),
            "updated_at": ADOPTED_AT,
        },
    )
    if not Webhook.objects.filter(enterprise=enterprise).exists():
        url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-0000-not-a-real-key"
        Webhook.objects.create(
            name="防疫工作群（示例，未启用）",
            vendor=Vendor.WECOM,
            enterprise=enterprise,
            owner_park=park,
            url_encrypted=seal(url),
            url_hint=url_hint(url),
            kinds=[Kind.HEALTH_ALERT, Kind.DECLARE_DIGEST],
            enabled=False,
            created_at=ADOPTED_AT,
            updated_at=ADOPTED_AT,
        )
    if Message.objects.filter(user__in=users.values()).exists():
        return
    morning = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    missing = list(
        Person.objects.filter(enterprise=enterprise)
        .order_by("-id")
        .values_list("name", flat=True)[:6]
    )
    sends: list[tuple[list[str], str, str, str, str, int]] = [
        (["employee"], Kind.DECLARE_REMINDER, DECLARE_TITLE, DECLARE_BODY, "", 30),
        (
            ["employee"],
            Kind.TEST_DUE,
            "本周常规核酸检测今日到期",
            "按园区规定的检测频次，您今天需要完成一次核酸检测，请到厂区采样点采样。",
            "",
            60,
        ),
        (
            ["officer", "ent_admin"],
            Kind.DECLARE_DIGEST,
            f"今日未申报人员（{len(missing)} 人）",
            f"截至 10:00，{len(missing)} 人未完成今日健康申报：{'、'.join(missing)}",
            "/people/",
            0,
        ),
        (
            ["officer"],
            Kind.HEALTH_ALERT,
            "体温异常：装配车间 1 人 37.6℃",
            "入口测温复测 37.6℃，已引导至临时隔离观察区，请按“三个第一时间”处置并上报园区。",
            "",
            45,
        ),
        (
            ["park_admin", "cadre", "inspector"],
            Kind.GENERAL,
            "园区通知：本周五开展全员核酸检测",
            "请各企业于周四 18:00 前报送在岗人数和采样时段安排。",
            "",
            120,
        ),
    ]
    for usernames, kind, title, body, link, minutes_ago in sends:
        notify_send(
            users=[users[u] for u in usernames],
            kind=kind,
            title=title,
            body=body,
            link=link,
            at=morning - dt.timedelta(minutes=minutes_ago),
        )
    # Yesterday's notice, already read, so the inbox shows both states.
    notify_send(
        users=[users["employee"]],
        kind=Kind.GENERAL,
        title="厂区入口调整",
        body="东门暂停使用，请从南门刷码测温进入。",
        at=morning - dt.timedelta(days=1),
    )
    Message.objects.filter(user=users["employee"], title="厂区入口调整").update(
        read_at=morning - dt.timedelta(hours=20)
    )


@transaction.atomic
def demo_load(*, if_empty: bool = False) -> DemoResult | None:
    if if_empty and Enterprise.objects.exists():
        return None
    rng = random.Random(SEED)
    county = _node(DATA["county"]["name"], JurisdictionKind.COUNTY, None, DATA["county"]["code"])
    hosts = {"county": county}
    for name in DATA["towns"]:
        hosts[name] = _node(name, JurisdictionKind.TOWN, county)
    for name in DATA["streets"]:
        hosts[name] = _node(name, JurisdictionKind.STREET, county)
    park_a, park_b = (
        _node(DATA["parks"][k]["name"], JurisdictionKind.PARK, hosts[DATA["parks"][k]["parent"]])
        for k in ("A", "B")
    )
    communities = []
    for parent, names in DATA["communities"].items():
        for name in names:
            community = _node(name, JurisdictionKind.COMMUNITY, hosts[parent])
            _node(f"{name}第一网格", JurisdictionKind.GRID, community)
            communities.append(community)
    by_name = {c.name: c for c in communities}

    users = {
        username: _user(username, spec["name"], staff=spec.get("staff", False))
        for username, spec in DATA["users"].items()
    }
    parks = {"A": park_a, "B": park_b}
    offices: dict[tuple[str, str], SupervisionOffice] = {}
    for key, spec in DEMO_OFFICES.items():
        for order, (code, office_name, duties) in enumerate(spec["offices"]):
            offices[(key, code)], _ = SupervisionOffice.objects.get_or_create(
                jurisdiction=parks[key],
                name=office_name,
                defaults={"responsibilities": duties, "basis": spec["basis"], "order": order},
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
                community=by_name[DATA["enterprise_community"][key]],
                park_cadre=users["cadre"] if key == "A" else None,
                community_liaison=users["liaison"] if key == "A" else None,
                purchase_channels=DATA["purchase_channels"],
                sales_channels=DATA["sales_channels"],
            )
        teams = _units(enterprise, rng)
        homes = [by_name[n] for n in DATA["park_communities"][key]]
        _people(enterprise, staff, teams, homes, rng)
        enterprises.append(enterprise)

    adoptions = [(parks[key], pack_id) for key, ids in DATA["adoptions"].items() for pack_id in ids]
    for park, pack_id in adoptions:
        PackAdoption.objects.get_or_create(
            jurisdiction=park,
            pack_id=pack_id,
            defaults={"params": demo_params(pack_id), "adopted_at": ADOPTED_AT},
        )

    a1 = enterprises[0]
    b1 = next(e for e in enterprises if e.jurisdiction_id == park_b.pk)
    first_team = OrgUnit.objects.filter(enterprise=a1, kind=OrgUnitKind.TEAM).order_by("id").first()
    me = Person.objects.filter(enterprise=a1).order_by("id").first()
    grants = [
        ("park_admin", Role.PARK_ADMIN, park_a, None, None, None),
        ("park_admin2", Role.PARK_ADMIN, park_a, None, None, None),
        ("cadre", Role.PARK_CADRE, park_a, None, None, None),
        ("inspector", Role.INSPECTOR, park_a, None, None, None),
        ("liaison", Role.COMMUNITY_LIAISON, communities[0], None, None, None),
        ("ent_admin", Role.ENTERPRISE_ADMIN, None, a1, None, None),
        ("officer", Role.EPIDEMIC_OFFICER, None, a1, None, None),
        ("team_leader", Role.TEAM_LEADER, None, a1, first_team, None),
        ("guard", Role.GATE_GUARD, None, a1, None, None),
        ("employee", Role.EMPLOYEE, None, a1, None, me),
        ("parkb_admin", Role.PARK_ADMIN, park_b, None, None, None),
        ("entb_admin", Role.ENTERPRISE_ADMIN, None, b1, None, None),
        # The county's command: reads every park's daily report and the command board.
        ("county", Role.PARK_CADRE, county, None, None, None),
    ]
    for username, role, jurisdiction, enterprise, unit, person in grants:
        Membership.objects.update_or_create(
            user=users[username],
            role=role,
            jurisdiction=jurisdiction,
            enterprise=enterprise,
            defaults={"org_unit": unit, "person": person},
        )
    demo_inbox(users=users, enterprise=a1, park=park_a)
    demo_health_today(enterprise=a1, also=enterprises[1:], me=me, officer=users["officer"])
    demo_duties(enterprises=enterprises, me=me)
    demo_response(enterprise=a1, officer=users["officer"], second=users["ent_admin"])
    demo_gate_today(
        enterprises=[e for e in enterprises if e.jurisdiction_id == park_a.pk],
        park=park_a,
        guard=users["guard"],
        officer=users["officer"],
    )
    demo_junctions(enterprise=a1, guard=users["guard"], officer=users["officer"])
    demo_park_zones(park=park_a, admin=users["park_admin"])
    from parkguard.demo.testing import demo_testing_day

    demo_testing_day(enterprise=a1, me=me, officer=users["officer"])
    _demo_pending_logins(enterprise=a1, officer=users["officer"], team=first_team)
    demo_pack_draft(park=park_a, by=users["park_admin"])
    from parkguard.demo.mobility import demo_blue_returnee, demo_mobility

    demo_mobility(enterprise=a1, me=me, park=park_a, b1=b1)
    demo_blue_returnee(enterprise=a1, me=me)
    demo_oversight(
        users=users, enterprises=[e for e in enterprises if e.jurisdiction_id == park_a.pk]
    )
    from parkguard.demo.oversight import demo_assessment, demo_oversight_more

    demo_oversight_more(users=users, enterprises=enterprises, data=DATA)
    demo_assessment(park=park_a, now=timezone.now())
    demo_supplies(parks=parks, enterprise=a1, officer=users["officer"])
    b1 = next(e for e in enterprises if e.jurisdiction_id == park_b.pk)
    demo_disinfection_today(enterprise=b1, by=users["parkb_admin"])
    demo_disinfection_today(
        enterprise=a1, by=users["officer"], areas="areas_a", assignee=users["officer"], work=False
    )
    demo_trucks(enterprise=a1, officer=users["officer"], guard=users["guard"], rng=rng)
    from parkguard.demo.continuity import demo_continuity

    demo_continuity(
        loop_enterprise=enterprises[1],
        enterprise=a1,
        officer=users["officer"],
        park_admin=users["park_admin"],
    )
    from parkguard.demo.command import demo_command

    demo_command(
        spec=DATA["command_drill"],
        park=park_a,
        enterprise=a1,
        admin=users["park_admin"],
        cadre=users["cadre"],
    )
    from parkguard.demo.reporting import demo_reports

    demo_reports(
        park_a=park_a, park_b=park_b, admin_a=users["park_admin"], admin_b=users["parkb_admin"]
    )
    from parkguard.demo.privacy import demo_privacy

    demo_privacy(enterprise=a1, me=me, employee=users["employee"], officer=users["officer"])
    total = Person.objects.count()
    return DemoResult(summary=f"{len(enterprises)} 家企业，{total} 名人员，2 个园区")


def demo_response(*, enterprise: Enterprise, officer: User, second: User) -> None:
    """Zones and an open incident in the first enterprise: its areas and isolation area; the
    person with today's fever alert moved to orange by the pack, the incident opened from the
    alert and reported (isolation and linkage tasks still to do); a manual move to orange the
    officer proposed, waiting for the enterprise admin's approval."""
    from django.utils import timezone

    from parkguard.health.models import Alert
    from parkguard.orgs.access import scope_for_user
    from parkguard.response.models import Area
    from parkguard.response.owners import Owner
    from parkguard.response.services import (
        area_bind,
        area_create,
        area_place,
        incident_open,
        incident_report,
        site_plan_upload,
        zone_move_request,
    )

    if Area.objects.filter(enterprise=enterprise).exists():
        return
    now = timezone.now()
    scope = scope_for_user(officer)
    plan_file = Path(__file__).with_name(DATA["response_site_plan"])
    site_plan_upload(
        scope=scope,
        owner=Owner(enterprise=enterprise),
        data=plan_file.read_bytes(),
        filename=plan_file.name,
        by=officer,
        at=now,
    )
    for spec in DATA["response_areas"]:
        area = area_create(
            scope=scope,
            owner=Owner(enterprise=enterprise),
            name=spec["name"],
            block=spec["block"],
            capacity=spec["capacity"],
            zone=spec["zone"],
            is_isolation=spec.get("isolation", False),
            by=officer,
            at=now,
        )
        if spec.get("plan"):
            x, y = spec["plan"]
            area_place(
                scope=scope,
                owner=Owner(enterprise=enterprise),
                area=area,
                x=x,
                y=y,
                by=officer,
                at=now,
            )
        if spec.get("region"):
            owner = Owner(enterprise=enterprise)
            area_bind(
                scope=scope, owner=owner, area=area, region=spec["region"], by=officer, at=now
            )
    alert = (
        Alert.objects.filter(person__enterprise=enterprise, closed_at__isnull=True)
        .select_related("person")
        .order_by("opened_at", "id")
        .first()
    )
    if alert is not None:
        incident = incident_open(
            scope=scope,
            person=alert.person,
            title=alert.reason,
            evidence=alert.kind,
            source=alert.status_source,
            detected_at=alert.opened_at,
            by=officer,
            at=alert.opened_at,
        )
        after = dt.timedelta(minutes=DATA["response_report_after_minutes"])
        incident_report(scope=scope, incident=incident, by=officer, at=alert.opened_at + after)
    people = Person.objects.filter(enterprise=enterprise).order_by("id")
    if alert is not None:
        people = people.exclude(pk=alert.person_id)
    contact = people[2:3].first()
    if contact is not None:
        zone_move_request(
            scope=scope,
            person=contact,
            colour="orange",
            reason="社区通报：与外地确诊病例同乘一班车，列为次密接",
            by=officer,
            at=now,
        )


def demo_park_zones(*, park: Jurisdiction, admin: User) -> None:
    """The park's own zones (L-4.4): its site plan, a main road, a goods transfer station, a
    visitors' buffer (J-1.2.5) and a park isolation point, placed on the plan and joined by
    controlled junctions, so the park admin's zones page and plan show real work."""
    from django.utils import timezone

    from parkguard.orgs.access import scope_for_user
    from parkguard.response.models import Area
    from parkguard.response.owners import Owner
    from parkguard.response.services import (
        area_bind,
        area_create,
        area_place,
        junction_create,
        site_plan_upload,
    )

    if Area.objects.filter(park=park).exists():
        return
    now = timezone.now()
    scope = scope_for_user(admin)
    plan_file = Path(__file__).with_name(DATA["park_site_plan"])
    site_plan_upload(
        scope=scope,
        owner=Owner(park=park),
        data=plan_file.read_bytes(),
        filename=plan_file.name,
        by=admin,
        at=now,
    )
    areas: dict[str, Area] = {}
    for spec in DATA["park_areas"]:
        area = area_create(
            scope=scope,
            owner=Owner(park=park),
            name=spec["name"],
            block=spec["block"],
            capacity=spec["capacity"],
            zone=spec["zone"],
            is_isolation=spec.get("isolation", False),
            by=admin,
            at=now,
        )
        x, y = spec["plan"]
        area_place(scope=scope, owner=Owner(park=park), area=area, x=x, y=y, by=admin, at=now)
        if spec.get("region"):
            owner = Owner(park=park)
            area_bind(scope=scope, owner=owner, area=area, region=spec["region"], by=admin, at=now)
        areas[area.name] = area
    for start, end, kind, controlled in DATA["park_junctions"]:
        junction_create(
            scope=scope,
            owner=Owner(park=park),
            from_area=areas[start],
            to_area=areas[end],
            kind=kind,
            controlled=controlled,
            by=admin,
            at=now,
        )


def demo_junctions(*, enterprise: Enterprise, guard: User, officer: User) -> None:
    """Junctions between the first enterprise's blocks (Z-5.1b), two served by an internal
    door's gate, and passages through those doors before the open incident's detection: the
    index person at the canteen door, colleagues there and at the new staff's dormitory door
    (joined through the open passage on the road), so the officer's tracing proposes junction
    candidates with their basis. Checks go through the gate service, as real answers."""
    from parkguard.gate import tokens
    from parkguard.gate.services import gate_check, gate_create
    from parkguard.orgs.access import Scope, scope_for_user
    from parkguard.response.models import Area, Incident, Junction
    from parkguard.response.owners import Owner
    from parkguard.response.services import junction_create

    if Junction.objects.filter(enterprise=enterprise).exists():
        return
    areas = {a.name: a for a in Area.objects.filter(enterprise=enterprise)}
    if not areas:
        return
    now = timezone.now()
    system = Scope(superuser=True)
    scope = scope_for_user(officer)
    gates = {}
    for start, end, kind, controlled, gate_name in DATA["response_junctions"]:
        gate = None
        if gate_name:
            gate = gate_create(
                scope=system,
                park=enterprise.jurisdiction,
                enterprise=enterprise,
                name=gate_name,
                place="office_entrance",
                at=now,
                by=None,
            )
            gates[gate_name] = gate
        junction_create(
            scope=scope,
            owner=Owner(enterprise=enterprise),
            from_area=areas[start],
            to_area=areas[end],
            kind=kind,
            controlled=controlled,
            gate=gate,
            by=officer,
            at=now,
        )
    incident = Incident.objects.filter(enterprise=enterprise).order_by("detected_at").first()
    if incident is None or "食堂门禁" not in gates or "新员工宿舍门禁" not in gates:
        return
    spec = DATA["response_junction_passages"]
    index_at = incident.detected_at - dt.timedelta(minutes=spec["index_minutes_before"])
    staff = list(
        Person.objects.filter(enterprise=enterprise)
        .exclude(pk=incident.person_id)
        .order_by("id")[60:70]
    )
    guard_scope = scope_for_user(guard)

    def check(gate_name: str, person: Person, at: dt.datetime) -> None:
        gate_check(
            scope=guard_scope,
            gate=gates[gate_name],
            direction="in",
            code=tokens.phone_token(person_id=person.pk, at=at),
            temperature="36.5",
            code_colour="green",
            steps_done=["mask", "disinfect_person", "register"],
            at=at,
            by=guard,
        )

    check("食堂门禁", incident.person, index_at)
    canteen, dorm = spec["canteen_after_minutes"], spec["dormitory_after_minutes"]
    for person, minutes in zip(staff, canteen, strict=False):
        check("食堂门禁", person, index_at + dt.timedelta(minutes=minutes))
    for person, minutes in zip(staff[len(canteen) :], dorm, strict=False):
        check("新员工宿舍门禁", person, index_at + dt.timedelta(minutes=minutes))


def demo_pack_draft(*, park: Jurisdiction, by: User) -> None:
    """A draft pack park A's admin uploaded and proposed: the second admin (`park_admin2`)
    previews it and approves it; until then it is labelled a draft and never in force."""
    from parkguard.orgs.access import scope_for_user
    from parkguard.policy import DEFAULT_PACKS_DIR
    from parkguard.rules.models import UploadedPack
    from parkguard.rules.services import pack_propose, pack_upload

    if UploadedPack.objects.filter(jurisdiction=park).exists():
        return
    spec = DATA["pack_draft"]
    text = (DEFAULT_PACKS_DIR / spec["from"]).read_text(encoding="utf-8")
    for old, new in spec["replace"]:
        text = text.replace(old, new, 1)
    scope = scope_for_user(by)
    at = ADOPTED_AT + dt.timedelta(days=spec["uploaded_days_after_adoption"])
    upload = pack_upload(scope=scope, park=park, file=spec["file"], text=text, by=by, at=at)
    pack_propose(scope=scope, upload=upload, by=by, at=at)


def demo_health_today(
    *, enterprise: Enterprise, also: list[Enterprise], me: Person | None, officer: User
) -> None:
    """Today's health: in the first enterprise, most of its first hundred staff have declared
    (and did on the last days, for the chart), one declared a fever, one is on sick leave,
    guards took gate readings; the `employee` login declared yesterday, not yet today.
    Written through the health services, so alerts, holds and status rows follow. Everyone
    else in every demo enterprise declared as often (bulk rows), so today's measured rate
    carries on the trend of the days before instead of dropping to the first hundred."""
    from django.utils import timezone

    from parkguard.health.models import Declaration
    from parkguard.health.services import declaration_submit, reading_record, sick_leave_open
    from parkguard.orgs.access import Scope
    from parkguard.status.services import status_declaration_record

    now = timezone.now()
    today = timezone.localdate(now)
    if Declaration.objects.filter(person__enterprise=enterprise, on=today).exists():
        return
    system = Scope(superuser=True)  # the builder writes on behalf of each person
    staff = list(Person.objects.filter(enterprise=enterprise).order_by("id")[:100])
    others = [p for p in staff if me is None or p.pk != me.pk]
    rng = random.Random(SEED + today.toordinal())
    # Earlier days, for the declaration-rate chart: bulk rows, status kept by one set-based call.
    past: list[Declaration] = []
    crowd = Person.objects.filter(enterprise__in=[enterprise, *also], status="active").exclude(
        pk__in=[p.pk for p in staff]
    )
    for person in crowd.order_by("id"):
        for back in range(7):
            day = today - dt.timedelta(days=back)
            at = dt.datetime.combine(day, dt.time(7, 40), tzinfo=timezone.get_current_timezone())
            if rng.random() < 0.88 + 0.01 * back:
                past.append(
                    Declaration(
                        person=person,
                        on=day,
                        temperature=rng.choice(["36.3", "36.5", "36.6", "36.8"]),
                        code_colour="green",
                        submitted_at=min(at, now),
                    )
                )
    for back in range(1, 7):
        day = today - dt.timedelta(days=back)
        at = dt.datetime.combine(day, dt.time(7, 40), tzinfo=timezone.get_current_timezone())
        share = 0.86 + 0.015 * back  # most declare every day; a few more forget on the latest days
        for person in staff:
            if (me is not None and person.pk == me.pk) or rng.random() < share:
                past.append(
                    Declaration(
                        person=person,
                        on=day,
                        temperature=rng.choice(["36.3", "36.5", "36.6", "36.8"]),
                        code_colour="green",
                        submitted_at=at,
                    )
                )
    Declaration.objects.bulk_create(past, batch_size=2000, ignore_conflicts=True)
    latest: dict[int, dt.date] = {}
    for d in past:
        latest[d.person_id] = max(latest.get(d.person_id, d.on), d.on)
    status_declaration_record(declared=latest, at=now)

    def declare(person: Person, temperature: str, symptoms: list[str] | None = None) -> None:
        declaration_submit(
            scope=system,
            person=person,
            temperature=temperature,
            symptoms=symptoms or [],
            case_contact=False,
            household_travel=False,
            household_travel_note="",
            code_colour="green",
            at=now,
            by=None,
        )

    fever, sick, *rest = others
    declare(fever, "38.2", ["干咳"])
    sick_leave_open(
        scope=system,
        person=sick,
        reason="发热、咳嗽，已到社区卫生服务中心就诊",
        started_on=today - dt.timedelta(days=1),
        at=now,
        by=officer,
    )
    # Nine in ten have declared by now, as on the days before: the trend holds on today.
    for person in rest[: int(len(rest) * 0.9)]:
        declare(person, rng.choice(["36.2", "36.4", "36.5", "36.6", "36.7"]))
    for person in rest[:30]:
        reading_record(
            scope=system,
            person=person,
            temperature=rng.choice(["36.1", "36.3", "36.4"]),
            source="gate",
            place="1号门",
            at=now,
            by=None,
        )


def demo_duties(*, enterprises: list[Enterprise], me: Person | None) -> None:
    """The routine test duties of every demo enterprise (Z-5.2b, J-1.5b, J-1.5c) on today's
    cycle, from the packs the parks follow: about seven in ten have tested this cycle, a few
    missed the last cycle (overdue), some owe a return paper today and some since yesterday
    (due today / overdue); and fourteen days of daily figures so the dashboards' charts show
    a trend. Idempotent: a second load finds the duties and the figures there."""
    from parkguard.duties.choices import ROUTINE, DutyKind, DutyState
    from parkguard.duties.models import DailyFigure, Duty
    from parkguard.duties.services import (
        DutySpec,
        daily_figures_snapshot,
        duties_refresh,
        duties_replace,
        duties_routine_sync,
        duty_evidence_record,
    )

    now = timezone.now()
    today = timezone.localdate(now)
    if Duty.objects.filter(source=ROUTINE).exists():
        return
    rng = random.Random(SEED + 11)
    duties_routine_sync(at=now, write=True)
    current = list(
        Duty.objects.filter(source=ROUTINE, due_from__lte=now, due_by__gt=now).order_by("id")
    )
    tested: dict[int, dt.datetime] = {}
    missed: list[Duty] = []
    for duty in current:
        if me is not None and duty.person_id == me.pk:
            continue  # the employee login has a test still to do
        if rng.random() < 0.7:
            span = (now - duty.due_from).total_seconds()
            tested[duty.person_id] = duty.due_from + dt.timedelta(seconds=rng.random() * span)
        elif rng.random() < 0.25:
            missed.append(duty)
    # Those who missed the previous cycle too: its duty, now overdue.
    Duty.objects.bulk_create(
        [
            Duty(
                person_id=d.person_id,
                enterprise_id=d.enterprise_id,
                kind=d.kind,
                label=d.label,
                due_from=d.due_from - (d.due_by - d.due_from),
                due_by=d.due_from,
                state=DutyState.DUE,
                source=ROUTINE,
                citation=d.citation,
                created_at=d.due_from - (d.due_by - d.due_from),
            )
            for d in missed
        ],
        batch_size=500,
    )
    duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence=tested, at=now, reference="demo.round:today"
    )
    # Return papers: a few staff of the first enterprise owe one by this evening, a few
    # since yesterday evening (a plan's duties, as the returnee rules will write them).
    evening = dt.datetime.combine(today, dt.time(18), tzinfo=timezone.get_current_timezone())
    if evening <= now:
        # Late in the evening: due at midnight, still on today's list whatever the hour.
        from parkguard.duties.selectors import next_midnight

        evening = next_midnight(now)
    untested = [
        p
        for p in Person.objects.filter(enterprise=enterprises[0]).order_by("id")[100:140]
        if p.pk not in tested
    ]
    for n, person in enumerate(untested[:10]):
        due_by = evening if n < 6 else evening - dt.timedelta(days=1)
        duties_replace(
            person_id=person.pk,
            source=f"demo.return:{person.pk}",
            items=[
                DutySpec(
                    kind=DutyKind.DOCUMENT,
                    due_from=due_by - dt.timedelta(days=1),
                    due_by=due_by,
                    label="提交返岗健康承诺书与行程证明",
                )
            ],
            at=now,
        )
    duties_refresh(at=now)
    # Thirteen earlier days of figures (a trend that improves), then today's, measured.
    headcounts = {
        e.pk: Person.objects.filter(enterprise=e, status="active").count() for e in enterprises
    }
    figures = []
    for back in range(13, 0, -1):
        day = today - dt.timedelta(days=back)
        progress = (13 - back) / 13
        for enterprise in enterprises:
            n = headcounts[enterprise.pk]
            declared = round(n * min(0.99, 0.78 + 0.15 * progress + rng.uniform(-0.03, 0.03)))
            done = round(n * min(0.98, 0.55 + 0.3 * progress + rng.uniform(-0.05, 0.05)))
            figures.append(
                DailyFigure(
                    enterprise=enterprise,
                    on=day,
                    headcount=n,
                    declared=declared,
                    test_due=n,
                    test_done=done,
                    overdue=round(n * max(0.0, 0.12 - 0.09 * progress + rng.uniform(0, 0.02))),
                    positives=1 if enterprise is enterprises[0] and back == 9 else 0,
                    taken_at=dt.datetime.combine(
                        day, dt.time(23, 7), tzinfo=timezone.get_current_timezone()
                    ),
                )
            )
    DailyFigure.objects.bulk_create(figures, batch_size=500, ignore_conflicts=True)
    daily_figures_snapshot(at=now)


def _gate_day_start(
    *, now: dt.datetime, hours_ago: int, span: dt.timedelta, step: dt.timedelta
) -> dt.datetime:
    """When the guard's morning begins: `hours_ago` before now, unless its checks (`span`
    long) would straddle midnight; then they all fall before it, a `step` short of midnight,
    so the log of one date shows the guard's whole day, whatever the hour the demo loads."""
    start = now - dt.timedelta(hours=hours_ago)
    end = start + span
    if timezone.localdate(start) == timezone.localdate(end):
        return start
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(end), dt.time.min))
    return midnight - span - step


def demo_gate_today(
    *, enterprises: list[Enterprise], park: Jurisdiction, guard: User, officer: User
) -> None:
    """The gate's day in park A: gates for its enterprises (and the park's own checkpoint),
    place-code posters, printed passes (one revoked), a truck crew's and a visitor's temporary
    passes, and this morning's checks at the first enterprise's east gate by the `guard`
    login: night-shift staff going out (green), visitors and a truck crew with their
    certificates (green), staff coming in without a negative test within the park's 48 hours
    (red; the demo has no sampling records yet), a yellow code, an expired, a forged and a
    revoked code (red). Written through the gate services, so every row is a real answer."""
    from parkguard.gate import tokens
    from parkguard.gate.models import Gate
    from parkguard.gate.services import (
        gate_check,
        gate_create,
        printed_pass_issue,
        printed_pass_revoke,
        temporary_pass_issue,
    )
    from parkguard.orgs.access import Scope

    if not enterprises or Gate.objects.filter(enterprise=enterprises[0]).exists():
        return
    system = Scope(superuser=True)
    now = timezone.now()
    day: dict[str, int] = DATA["gate_day"]
    step = dt.timedelta(minutes=day["step_minutes"])
    pause = dt.timedelta(minutes=day["pause_minutes"])
    gates: dict[int, list[Gate]] = {}
    for enterprise in enterprises:
        gates[enterprise.pk] = [
            gate_create(
                scope=system,
                park=park,
                enterprise=enterprise,
                name=name,
                place="plant_gate",
                route_areas=areas,
                at=now,
                by=None,
            )
            for name, areas in (("东门（1号门）", ["1号宿舍", "一车间"]), ("北门（货运）", []))
        ]
    gate_create(
        scope=system,
        park=park,
        enterprise=None,
        name="园区北卡口",
        place="plant_gate",
        at=now,
        by=None,
    )
    a1 = enterprises[0]
    east, north = gates[a1.pk]
    staff = list(Person.objects.filter(enterprise=a1).order_by("id")[100:140])
    printed = [printed_pass_issue(scope=system, person=p, at=now, by=officer) for p in staff[:3]]
    start = _gate_day_start(
        now=now,
        hours_ago=day["start_hours_ago"],
        span=len(staff[3:33]) * step + 2 * pause,
        step=step,
    )
    printed_pass_revoke(scope=system, printed=printed[2], at=start, by=officer)  # lost
    truck = temporary_pass_issue(
        scope=system,
        enterprise=a1,
        kind="truck_crew",
        name="赵师傅",
        plate="渝D3K521",
        negative_sampled_at=now - dt.timedelta(hours=day["truck_negative_hours_ago"]),
        valid_from=start,
        valid_until=now + dt.timedelta(hours=day["truck_valid_hours"]),
        source="demo",
        at=start,
        by=officer,
    )
    visitor = temporary_pass_issue(
        scope=system,
        enterprise=a1,
        kind="visitor",
        name="钱女士",
        negative_sampled_at=now - dt.timedelta(hours=day["visitor_negative_hours_ago"]),
        valid_from=start,
        valid_until=now + dt.timedelta(hours=day["visitor_valid_hours"]),
        source="demo",
        at=start,
        by=officer,
    )
    scope = scope_for_user(guard)
    steps = ["mask", "disinfect_person", "register"]
    rng = random.Random(SEED + 13)

    def check(
        gate: Gate, at: dt.datetime, code: str, direction: str, colour: str = "green"
    ) -> None:
        gate_check(
            scope=scope,
            gate=gate,
            direction=direction,
            code=code,
            temperature=rng.choice(["36.2", "36.4", "36.5", "36.6"]),
            code_colour=colour,
            steps_done=steps,
            at=at,
            by=guard,
        )

    moment = start
    for person in staff[3:23]:  # the night shift leaves
        moment += step
        check(east, moment, tokens.phone_token(person_id=person.pk, at=moment), "out")
    for person in staff[23:33]:  # the day shift arrives
        moment += step
        check(east, moment, tokens.phone_token(person_id=person.pk, at=moment), "in")
    moment += pause
    check(north, moment, f"{tokens.TEMPORARY}.{truck.serial}", "in")
    check(east, moment, f"{tokens.TEMPORARY}.{visitor.serial}", "in")
    moment += pause
    check(east, moment, f"{tokens.PRINTED}.{printed[0].serial}", "out")
    check(east, moment, f"{tokens.PRINTED}.{printed[2].serial}", "in")
    person = staff[33]
    check(east, moment, tokens.phone_token(person_id=person.pk, at=moment), "in", "yellow")
    old = moment - dt.timedelta(minutes=day["expired_code_minutes_ago"])
    check(east, moment, tokens.phone_token(person_id=staff[34].pk, at=old), "in")
    genuine = tokens.phone_token(person_id=staff[35].pk, at=moment)
    check(east, moment, genuine[:-1] + ("A" if genuine[-1] != "A" else "B"), "in")  # forged


def _demo_photo(shade: int) -> bytes:
    """A small grey PNG standing in for a phone photo (written here, no image library)."""
    import struct
    import zlib

    width, height = 64, 48
    raw = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def demo_oversight(*, users: dict[str, User], enterprises: list[Enterprise]) -> None:
    """The inspector's week in park A (Z-6, J-2.5): a visit three days ago to the first
    enterprise with three findings (one open, one overdue and escalated, one answered with
    evidence and waiting for review) and a visit planned for today at the second enterprise.
    Written through the oversight services, relative to the clock, once."""
    from django.utils import timezone

    from parkguard.orgs.access import SYSTEM
    from parkguard.oversight.models import Inspection
    from parkguard.oversight.photos import CheckedPhoto
    from parkguard.oversight.services import (
        application_submit,
        finding_add,
        group_create,
        group_member_add,
        inspection_plan,
        inspection_record,
        rectification_reply,
        rectifications_escalate_overdue,
    )

    if Inspection.objects.exists() or not enterprises:
        return
    days = DATA["oversight"]
    now = timezone.now()
    earlier = now - dt.timedelta(days=days["visit_days_ago"])
    today = timezone.localdate(now)
    inspector, officer = users["inspector"], users["officer"]
    first = enterprises[0]
    visit = inspection_plan(
        scope=SYSTEM,
        enterprise=first,
        planned_on=timezone.localdate(earlier),
        inspector=inspector,
        purpose="重点抽查返岗人员、来访人员与出入管理",
        at=earlier,
    )
    results = {
        "jinjiang-xiyuan-2022-81:entry-control": ("problem", "2号门无人值守"),
        "jinjiang-xiyuan-2022-81:visitors": ("problem", "来访登记缺行程信息"),
        "jinjiang-xiyuan-2022-81:cleaning-disinfection": ("problem", "食堂消杀记录不全"),
        "jinjiang-xiyuan-2022-81:travel-filing": ("ok", ""),
        "jinjiang-xiyuan-2022-81:returnees": ("ok", ""),
    }
    inspection_record(
        scope=SYSTEM, inspection=visit, results=results, summary="总体有序，三处需整改", at=earlier
    )
    photo = [CheckedPhoto(content=_demo_photo(150), content_type="image/png")]
    finding_add(
        scope=SYSTEM,
        inspection=visit,
        item_key="jinjiang-xiyuan-2022-81:entry-control",
        description="2号门无人值守，进厂人员未测温、未扫场所码",
        owner_name="行政部 刘主任",
        deadline=today + dt.timedelta(days=days["open_days_left"]),
        photos=photo,
        at=earlier,
        by=inspector,
    )
    finding_add(
        scope=SYSTEM,
        inspection=visit,
        item_key="jinjiang-xiyuan-2022-81:visitors",
        description="来访人员登记表缺少近7天行程和核酸检测信息",
        owner_name="综合办 陈主管",
        deadline=today - dt.timedelta(days=1),
        photos=photo,
        at=earlier,
        by=inspector,
    )
    answered = finding_add(
        scope=SYSTEM,
        inspection=visit,
        item_key="jinjiang-xiyuan-2022-81:cleaning-disinfection",
        description="食堂消杀记录不全，近一周缺3天",
        owner_name="后勤部 王经理",
        deadline=today + dt.timedelta(days=days["answered_days_left"]),
        photos=photo,
        at=earlier,
        by=inspector,
    )
    rectification_reply(
        scope=SYSTEM,
        rectification=answered,
        text="已补齐消杀台账，安排专人每日两次消杀并拍照留存",
        evidence=[CheckedPhoto(content=_demo_photo(200), content_type="image/png")],
        at=now - dt.timedelta(hours=20),
        by=officer,
    )
    rectifications_escalate_overdue(at=now)
    # An event awaiting the park's approval, routed by notice J (J-1.4): applied in time.
    application_submit(
        scope=SYSTEM,
        enterprise=first,
        kind="business_event",
        title="年度新品订货会",
        starts_at=now + dt.timedelta(days=days["event_days_ahead"]),
        headcount=days["event_headcount"],
        participants_origin="out_of_province",
        plan="活动前期：参会人员行程核查、48小时核酸证明；活动期间：测温扫码、分区就座、"
        "全程佩戴口罩；场所：每日消杀通风；应急：设临时隔离点，发现异常立即报告属地。",
        at=now,
        by=officer,
    )
    # The responsibility system (Z-2.1, J-2.3): the park's leading group, the first
    # enterprise's task team.
    for enterprise, kind, name, duties, members in (
        (
            None,
            "leading_group",
            f"{first.jurisdiction.name}疫情防控工作领导小组",
            "统筹园区企业疫情防控；督导组实地督查，建立突出问题整改台账",
            [("园区主任", "组长", "全面负责"), ("分管副主任", "副组长", "督查整改")],
        ),
        (
            first,
            "enterprise_team",
            "企业疫情防控专班",
            "人员排查、健康监测、出入管理、应急处置",
            [("总经理", "组长", "第一责任人"), ("行政部经理", "副组长", "出入管理与物资")],
        ),
    ):
        group = group_create(
            scope=SYSTEM,
            park=first.jurisdiction,
            enterprise=enterprise,
            kind=kind,
            name=name,
            duties=duties,
            at=now,
        )
        for member_name, post, duty in members:
            group_member_add(scope=SYSTEM, group=group, name=member_name, post=post, duty=duty)
    if len(enterprises) > 1:
        inspection_plan(
            scope=SYSTEM,
            enterprise=enterprises[1],
            planned_on=today,
            inspector=inspector,
            purpose="商务活动与关键岗位轮岗抽查",
            at=now,
        )


def demo_supplies(*, parks: dict[str, Jurisdiction], enterprise: Enterprise, officer: User) -> None:
    """Each park's minimum days of cover with its basis, and the first enterprise's stock:
    a week of issues, so masks run below the minimum and the officer has a low-stock alert."""
    from django.utils import timezone

    from parkguard.orgs.access import SYSTEM
    from parkguard.supplies.models import CoverMinimum, SupplyItem
    from parkguard.supplies.services import stock_issue, stock_receive, supply_item_create

    spec = DATA["supplies"]
    now = timezone.now()
    for key, minimum in spec["minimum"].items():
        CoverMinimum.objects.get_or_create(
            jurisdiction=parks[key],
            defaults={"days": minimum["days"], "basis": minimum["basis"], "set_at": now},
        )
    if SupplyItem.objects.filter(enterprise=enterprise).exists():
        return
    units = list(OrgUnit.objects.filter(enterprise=enterprise, parent=None).order_by("id"))
    week = DATA_USAGE_DAYS
    for kind, name, unit, received, per_day, expires_in in spec["items"]:
        item = supply_item_create(
            scope=SYSTEM, enterprise=enterprise, kind=kind, name=name, unit=unit
        )
        start = now - dt.timedelta(days=week)
        stock_receive(
            scope=SYSTEM,
            item=item,
            quantity=received,
            expires_on=timezone.localdate(now) + dt.timedelta(days=expires_in),
            at=start,
            by=officer,
        )
        for back in range(week - 1, -1, -1):
            if per_day:
                stock_issue(
                    scope=SYSTEM,
                    item=item,
                    quantity=per_day,
                    org_unit=units[back % len(units)],
                    note="日常发放",
                    at=now - dt.timedelta(days=back, hours=1),
                    by=officer,
                )


def demo_disinfection_today(
    *,
    enterprise: Enterprise,
    by: User,
    areas: str = "areas",
    assignee: User | None = None,
    work: bool = True,
) -> None:
    """The enterprise's areas (of the places its park's packs schedule), today's checklist
    generated from the pack, and (with `work`) the morning's tasks done. Park B follows notice
    B (six places, before and after work); park A its own notice's daily disinfection."""
    from django.utils import timezone

    from parkguard.orgs.access import SYSTEM
    from parkguard.supplies.models import DisinfectionArea, DisinfectionTask
    from parkguard.supplies.services import (
        disinfection_area_create,
        disinfection_day_generate,
        disinfection_task_complete,
    )

    now = timezone.now()
    today = timezone.localdate(now)
    if not DisinfectionArea.objects.filter(enterprise=enterprise).exists():
        for name, kind, key_area in DATA["disinfection"][areas]:
            disinfection_area_create(
                scope=SYSTEM,
                enterprise=enterprise,
                name=name,
                kind=kind,
                key_area=key_area,
                rounds=DATA_KEY_ROUNDS if key_area else 1,
                assignee=assignee,
                on=today,
            )
    disinfection_day_generate(scope=SYSTEM, enterprise=enterprise, on=today)
    if not work:
        return
    tasks = list(DisinfectionTask.objects.filter(area__enterprise=enterprise, on=today))
    morning = sorted({t.slot for t in tasks})[:1]
    for task in tasks:
        if task.slot in morning and task.done_at is None:
            disinfection_task_complete(
                scope=SYSTEM, enterprise=enterprise, task=task, at=now, by=by, note="含氯消毒液喷洒"
            )


def demo_trucks(*, enterprise: Enterprise, officer: User, guard: User, rng: random.Random) -> None:
    """Trucks of the first enterprise, declared through its link ahead of the pack's deadline:
    one due later today or tomorrow, one inside with its dwell timer running, one gone."""
    from django.utils import timezone

    from parkguard.logistics.models import DwellLimit, TruckDeclaration
    from parkguard.logistics.services import (
        CrewIn,
        declaration_link_create,
        truck_declare_by_link,
        truck_enter,
        truck_exit,
    )
    from parkguard.orgs.access import SYSTEM

    spec = DATA["trucks"]
    DwellLimit.objects.get_or_create(
        jurisdiction=enterprise.jurisdiction,
        defaults={"minutes": spec["dwell"]["minutes"], "basis": spec["dwell"]["basis"]},
    )
    if TruckDeclaration.objects.filter(enterprise=enterprise).exists():
        return
    now = timezone.now()
    for plate, carrier, hours, inside, left in spec["items"]:
        arrival = now + dt.timedelta(hours=hours)
        declared_at = arrival - dt.timedelta(hours=DATA_DECLARE_AHEAD_HOURS)
        _, token = declaration_link_create(
            scope=SYSTEM, enterprise=enterprise, label=carrier, at=declared_at, by=officer
        )
        crew = [
            CrewIn(
                name=name,
                id_number=_id_number(rng),
                phone=phone,
                tested_at=declared_at - dt.timedelta(hours=DATA_TEST_BEFORE_HOURS),
                test_negative=True,
                vaccine_doses=3,
            )
            for name, phone in spec["crew"][: 1 + len(plate) % 2]
        ]
        truck = truck_declare_by_link(
            token=token,
            plate=plate,
            planned_arrival=arrival,
            route=f"{carrier}：高速收费站—园区东门（途中不停留）",
            travel_history="重庆市黔江区、重庆市渝北区",
            crew=crew,
            at=declared_at,
        )
        if inside is None:
            continue
        entered = now - dt.timedelta(minutes=inside + (left or 0))
        truck_enter(
            scope=SYSTEM,
            truck=truck,
            temperatures={m.pk: "36.4" for m in truck.crew.all()},
            codes_checked=True,
            truck_disinfected=True,
            goods_disinfected=True,
            loading_zone=spec["loading_zone"],
            loaders=spec["loaders"],
            at=entered,
            by=guard,
        )
        if left is not None:
            truck_exit(
                scope=SYSTEM,
                enterprise=enterprise,
                plate=plate,
                at=entered + dt.timedelta(minutes=inside),
            )
