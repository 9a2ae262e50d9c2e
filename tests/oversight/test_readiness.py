"""The epidemic-free factory board (J-2.5): criteria from the packs, evidence from records."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.oversight import selectors, services
from tests.factories import TODAY, World
from tests.oversight.conftest import AT


def test_it_scores_each_enterprise_from_the_evidence_held(world: World, inspector: User) -> None:
    """J-2.5: A1 has an officer and a task team, A2 neither; each point shows its evidence."""
    team = services.group_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        kind="enterprise_team",
        name="防疫专班",
        duties="",
        at=AT,
    )
    services.group_member_add(scope=SYSTEM, group=team, name="王五", post="组长", duty="")
    rows = selectors.readiness_board(
        scope=scope_for_user(world.users["park_a_admin"]), park=world.park_a, on=TODAY
    )
    assert rows[0].enterprise == world.a1
    a1 = {p.text: p for p in rows[0].points}
    assert a1["设立企业防疫专班"].met and a1["设立企业防疫专班"].evidence == "防疫专班（1 人）"
    assert a1["设立企业防疫专班"].requirement == "J-2.3"
    assert not a1["接受专项工作组督导检查"].met
    a2 = next(r for r in rows if r.enterprise == world.a2)
    assert a2.met < rows[0].met


def test_it_shows_the_board_to_the_park_only(world: World, inspector: User) -> None:
    url = reverse("oversight_park_readiness", args=[world.park_a.pk])
    client = Client()
    client.force_login(inspector)
    page = client.get(url)
    assert page.status_code == 200 and "晋政西〔2022〕81号" in page.content.decode()
    client.force_login(world.users["a1_officer"])
    assert client.get(url).status_code == 404


def test_every_criterion_of_the_packs_is_scored_from_its_record_with_a_link(
    world: World, inspector: User
) -> None:
    """J-2.5 with Z-4.1, Z-5.1, Z-5.2b, J-1.2.5, B-2.4: A1 has an isolation area, a blue
    buffer area, an approved plan and a drill within the pack's days; A2 has none. The
    buffer zone applies from the park's staff threshold; each point links to its record."""
    import datetime as dt

    from parkguard.oversight.choices import PlanKind
    from parkguard.response.models import Area
    from tests.factories import adopt

    adopt(world.park_a, "zhengyang-2022-20-plans", drill_interval_days=30)
    adopt(world.park_a, "jinjiang-xiyuan-2022-81-readiness", buffer_zone_staff_min=2)
    adopt(world.park_a, "baotou-industry-2020-02-oversight")
    Area.objects.create(
        enterprise=world.a1, name="临时隔离点", block="living", capacity=4, zone="red",
        is_isolation=True, created_at=AT,
    )  # fmt: skip
    Area.objects.create(
        enterprise=world.a1, name="外来人员缓冲区", block="living", capacity=8, zone="blue",
        created_at=AT,
    )  # fmt: skip
    officer, admin = world.users["a1_officer"], world.users["park_a_admin"]
    sections = selectors.plan_sections_for(park=world.park_a, on=TODAY, kind=PlanKind.ENTERPRISE)
    plan = services.plan_submit(
        scope=scope_for_user(officer),
        park=world.park_a,
        enterprise=world.a1,
        title="甲一预案",
        texts={s.key: "内容" for s in sections},
        at=AT,
        by=officer,
    )
    services.plan_decide(
        scope=scope_for_user(admin), plan=plan, approve=True, note="", at=AT, by=admin
    )
    drill = services.drill_schedule(
        scope=SYSTEM, park=world.park_a, enterprise=world.a1, scenario="发热处置演练",
        planned_on=TODAY, guided_by="", at=AT,
    )  # fmt: skip
    services.drill_record(
        scope=SYSTEM, drill=drill, held_on=TODAY, participants=10, summary="顺利", gaps=[], at=AT
    )
    rows = selectors.readiness_board(
        scope=scope_for_user(admin), park=world.park_a, on=TODAY, at=AT
    )
    a1 = {p.text: p for p in next(r for r in rows if r.enterprise == world.a1).points}
    a2 = {p.text: p for p in next(r for r in rows if r.enterprise == world.a2).points}
    isolation = "划定独立的临时隔离管控区域（红区管理）"
    assert a1[isolation].met and "临时隔离点" in a1[isolation].evidence
    assert a1[isolation].link == reverse("response_zones", args=[world.a1.pk])
    assert not a2[isolation].met and a2[isolation].evidence == "未划定隔离区域"
    approved = "“一企一策”疫情防控处置预案经园区批准"
    assert a1[approved].met and a1[approved].link == reverse("oversight_plan", args=[plan.pk])
    assert not a2[approved].met
    drilled = "按期开展应急处置演练"
    assert a1[drilled].met and "须 30 天内" in a1[drilled].evidence
    assert a1[drilled].basis.startswith("正阳园区管委发〔2022〕20号 四、")
    later = selectors.readiness_board(
        scope=scope_for_user(admin), park=world.park_a, on=TODAY + dt.timedelta(days=31)
    )
    stale = next(r for r in later if r.enterprise == world.a1)
    assert not {p.text: p for p in stale.points}[drilled].met
    buffer = "200人以上企业设立外来人员过渡缓冲区"
    assert a1[buffer].applies and a1[buffer].met and "外来人员缓冲区" in a1[buffer].evidence
    assert a2[buffer].evidence.startswith("在册 ")
    observation = "设置相对独立的固定防疫隔离观察点"
    assert a1[observation].met and a1[observation].requirement == "B-2.4"
    coverage = "核酸检测全覆盖，无逾期未检人员"
    assert a1[coverage].link == reverse("duties_enterprise", args=[world.a1.pk])
    supplies = "防护物资储备满足园区规定天数"
    assert a1[supplies].link == reverse("supplies_ledger", args=[world.a1.pk])
    assert rows[0].enterprise == world.a1 and rows[0].percent > rows[-1].percent


def test_the_board_lists_the_whitelist_and_draws_percentages(world: World, inspector: User) -> None:
    world.a2.whitelisted = True
    world.a2.save(update_fields=["whitelisted"])
    client = Client()
    client.force_login(world.users["park_a_admin"])
    page = client.get(reverse("oversight_park_readiness", args=[world.park_a.pk]))
    body = page.content.decode()
    assert 'id="whitelist"' in body and world.a2.name in body.split('id="whitelist"')[1][:400]
    assert '"percent"' in body and "<script>" not in body.replace('<script id="chart-data"', "")
