"""The demo's trips, returns and visitors: a risk-area register for park A, a returnee in home
isolation with duties and tests done, the `employee` login's visitor registered for tomorrow,
observation point and buffer zone for the first enterprise; in park B, a trip out of Chongqing
awaiting the enterprise leader's approval (H-4.3). A second visitor of the `employee` login,
from Guangzhou, arrived this morning with a negative certificate and holds the gate pass the
officer issued from the visitor board (until tomorrow evening); a third, from Chengdu, filled in
this morning for tomorrow and waits for the officer to issue the pass (待签发). This morning's
notice put a street of Guangzhou's Tianhe district at high risk: the register has it, the plans
not yet, so the park admin's impact preview lists the Guangzhou visitor, whose pass the change
would revoke. Written through the mobility services, so plans, duties, holds and inbox
messages follow. Dates run from the day the demo is loaded."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from parkguard.mobility import services, visitors
from parkguard.mobility.models import ObservationPoint, RiskArea, Trip
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person

WUHAN = "420102"  # 湖北省武汉市江岸区
SHANGHAI = "310115"  # 上海市浦东新区
GUANGZHOU = "440106"  # 广东省广州市天河区
CHENGDU = "510107"  # 四川省成都市武侯区
SOURCE = "演示数据：某市新冠肺炎疫情防控指挥部公告"
# Demo dates are offsets from the day the demo is loaded (demo data, not policy).
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def _demo_visitor_with_pass(*, host: Person, now: dt.datetime) -> None:
    """J-1.2.4 with issue 13 §1: registered yesterday, filled in on the phone, pass issued."""
    arrives = now.replace(hour=8, minute=30, second=0, microsecond=0)
    visitor = visitors.visitor_register(
        scope=SYSTEM,
        host=host,
        purpose="商务洽谈",
        origin_code=GUANGZHOU,
        arrives_at=arrives,
        by=None,
        at=now - DAY,
    )
    visitor = visitors.visitor_fill(
        visitor=visitor,
        name="孙先生",
        phone="13900000123",
        stays=[services.StayDeclared(GUANGZHOU, arrives.date() - 5 * DAY, arrives.date())],
        certificates=[(arrives - 20 * HOUR, "negative")],
        at=now - DAY,
    )
    if visitor.earliest_entry is not None:
        visitors.visitor_pass_issue(
            scope=SYSTEM,
            visitor=visitor,
            departs_at=(now + DAY).replace(hour=18, minute=0, second=0, microsecond=0),
            at=now,
            by=None,
        )


def _demo_visitor_awaiting_pass(*, host: Person, now: dt.datetime) -> None:
    """J-1.2.4: registered and filled in this morning for tomorrow; the officer has yet to issue
    the pass (the visitor list says 待签发)."""
    arrives = (now + DAY).replace(hour=14, minute=0, second=0, microsecond=0)
    visitor = visitors.visitor_register(
        scope=SYSTEM,
        host=host,
        purpose="模具交付",
        origin_code=CHENGDU,
        arrives_at=arrives,
        by=None,
        at=now - 2 * HOUR,
    )
    visitors.visitor_fill(
        visitor=visitor,
        name="赵女士",
        phone="13900000456",
        stays=[services.StayDeclared(CHENGDU, arrives.date() - 9 * DAY, arrives.date())],
        certificates=[(now - 3 * HOUR, "negative")],
        at=now - HOUR,
    )


def demo_mobility(
    *, enterprise: Enterprise, me: Person | None, park: Jurisdiction, b1: Enterprise
) -> None:
    if RiskArea.objects.filter(jurisdiction=park).exists():
        return
    now = timezone.localtime(timezone.now())
    today = now.date()
    for code, place, level, back in (
        (WUHAN, "某街道", "high", 12),
        (SHANGHAI, "某社区", "medium", 6),
        (GUANGZHOU, "", "low", 20),
    ):
        services.risk_area_save(
            scope=SYSTEM,
            park=park,
            row=services.RiskAreaIn(code, place, level, today - back * DAY, None, SOURCE),
            by=None,
            at=now,
        )
    ObservationPoint.objects.create(
        enterprise=enterprise, kind="observation", name="东区隔离观察点", capacity=8, created_at=now
    )
    ObservationPoint.objects.create(
        enterprise=enterprise,
        kind="buffer",
        name="北门外来人员过渡缓冲区",
        capacity=12,
        created_at=now,
    )
    staff = list(Person.objects.filter(enterprise=enterprise).order_by("id")[:5])
    returnee = next(p for p in staff if me is None or p.pk != me.pk)
    arrived = (now - 3 * DAY).replace(hour=10, minute=30, second=0, microsecond=0)
    declaration = services.return_declare(
        scope=SYSTEM,
        person=returnee,
        arrived_at=arrived,
        stays=[services.StayDeclared(WUHAN, arrived.date() - 8 * DAY, arrived.date())],
        transport="train",
        certificates=[(arrived - 30 * HOUR, "negative")],
        by=None,
        at=arrived - DAY,
    )
    for day in (0, 2):  # home isolation days 1 and 3: sampled, negative
        sampled = (arrived + day * DAY).replace(hour=15, minute=0)
        services.plan_evidence_record(
            scope=SYSTEM,
            declaration=declaration,
            kind="test",
            obligation="",
            done_at=sampled,
            result="negative",
            by=None,
            at=min(now, sampled + 5 * HOUR),
        )
    if me is not None:
        visitors.visitor_register(
            scope=SYSTEM,
            host=me,
            purpose="设备验收",
            origin_code=SHANGHAI,
            arrives_at=(now + DAY).replace(hour=9, minute=30, second=0),
            by=None,
            at=now,
        )
        _demo_visitor_with_pass(host=me, now=now)
        _demo_visitor_awaiting_pass(host=me, now=now)
    # This morning's notice, registered after the plans above were made: the park admin
    # previews its impact (policy change, risk areas) before the plans follow it.
    services.risk_area_save(
        scope=SYSTEM,
        park=park,
        row=services.RiskAreaIn(GUANGZHOU, "某街道", "high", today, None, SOURCE + "（今日）"),
        by=None,
        at=now,
    )
    traveller = Person.objects.filter(enterprise=b1).order_by("id").first()
    if traveller is not None and not Trip.objects.filter(person=traveller).exists():
        services.trip_file(
            scope=SYSTEM,
            person=traveller,
            purpose="private",
            departs_on=today + 2 * DAY,
            returns_on=today + 6 * DAY,
            stops=[services.StopIn(GUANGZHOU, today + 2 * DAY, today + 5 * DAY)],
            note="探亲",
            by=None,
            at=now,
        )


def demo_blue_returnee(*, enterprise: Enterprise, me: Person | None) -> None:
    """Z-5.1 blue: three returnees of park A's first enterprise under home health monitoring
    (arrived two days ago, yesterday and this morning), moved by the zones job into blue; the
    enterprise's blue area (新员工宿舍, two places) takes the first two, the third waits for a
    place (the zones page: 蓝区区块已满). Park B gets none. Idempotent."""
    from parkguard.mobility.models import IsolationRecord
    from parkguard.response.models import PersonZone, ZoneMove
    from parkguard.response.services import zones_follow_observations

    kind = "home_health_monitoring"
    if IsolationRecord.objects.filter(enterprise=enterprise, kind=kind).exists():
        return
    now = timezone.localtime(timezone.now())
    busy = set(IsolationRecord.objects.values_list("person_id", flat=True))
    busy |= set(PersonZone.objects.values_list("person_id", flat=True))
    busy |= set(ZoneMove.objects.values_list("person_id", flat=True))
    if me is not None:
        busy.add(me.pk)
    people = list(
        Person.objects.filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)
        .exclude(pk__in=busy)
        .order_by("id")[:3]
    )
    for back, person in zip((2, 1, 0), people, strict=False):
        arrived = (now - back * DAY).replace(hour=16, minute=0, second=0)
        if back == 0:  # this morning, or an hour ago if the demo is loaded before 07:00
            arrived = min(now.replace(hour=7, minute=0, second=0), now - HOUR)
        services.isolation_record_open(
            person=person,
            kind=kind,
            label="居家健康监测",
            starts_at=arrived.replace(microsecond=0),
            ends_at=(arrived + 7 * DAY).replace(hour=0, minute=0, microsecond=0),
            citation={"document_number": "演示数据", "clause": "返岗后居家健康监测（演示）"},
        )
        zones_follow_observations(at=now)  # first come, first placed
