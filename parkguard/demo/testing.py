"""The demo park's testing day: yesterday's full-staff round of the first enterprise, sampled
in 10-in-1 pools, the lab's file already imported (one pool positive, its members on hold for a
single-tube retest, their retest tubes taken this morning and awaiting the lab), a lab with a
saved column mapping, and the `employee` login's antigen self-test. Written through the
sampling services, so holds and status rows follow; `static/sampling/sample-lab-results.csv`
holds the retest tubes' results for a user to try the import with."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from parkguard.orgs.access import SYSTEM
from parkguard.orgs.models import Enterprise
from parkguard.people.models import Person
from parkguard.sampling import importing, labfile
from parkguard.sampling.choices import Column, Result, RoundGroup, RoundKind, SampleKind
from parkguard.sampling.models import Lab, SamplingRound
from parkguard.sampling.services import antigen_report, lab_create, round_plan, sample_take

LAB_NAME = "县疾控中心核酸检测实验室"
ROUND_NAME = "全员核酸检测"
POOL_SIZE = 10
POSITIVE_POOL = 3  # the fourth pool of the day came back positive
# The retest tubes of the positive pool's members, in the sample lab file (static/sampling).
RETEST_BARCODES = [f"DJ-R{n:03d}" for n in range(1, POOL_SIZE + 1)]
# A 1×1 PNG: the antigen photo of the demo (a real upload is checked the same way).
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


def demo_testing_day(*, enterprise: Enterprise, me: Person | None, officer: User) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    yesterday = today - dt.timedelta(days=1)
    if SamplingRound.objects.filter(enterprise=enterprise, on=yesterday).exists():
        return
    tz = timezone.get_current_timezone()
    lab = Lab.objects.filter(jurisdiction_id=enterprise.jurisdiction_id, name=LAB_NAME).first()
    if lab is None:
        lab, _ = lab_create(
            scope=SYSTEM, jurisdiction=enterprise.jurisdiction, name=LAB_NAME, by=None
        )
    # The lab's files carry a running number and the sender: saved once, read every time.
    lab.mapping = {"序号": Column.IGNORE, "送检单位": Column.IGNORE, "样品码": Column.BARCODE}
    lab.save(update_fields=["mapping"])
    start = dt.datetime.combine(yesterday, dt.time(7, 30), tzinfo=tz)
    row = round_plan(
        scope=SYSTEM,
        enterprise=enterprise,
        name=f"{yesterday:%m月%d日}{ROUND_NAME}",
        on=yesterday,
        kind=RoundKind.FULL,
        group=RoundGroup.ALL,
        pool_size=POOL_SIZE,
        at=start,
        by=officer,
    )
    members = list(Person.objects.filter(pk__in=row.members.values("person_id")).order_by("pk"))
    pools = []
    for n, begin in enumerate(range(0, len(members), POOL_SIZE)):
        group = members[begin : begin + POOL_SIZE]
        pools.append(
            sample_take(
                scope=SYSTEM,
                round=row,
                barcode=f"DJ-{yesterday:%m%d}-{n + 1:04d}",
                kind=SampleKind.POOL if len(group) > 1 else SampleKind.SINGLE,
                person_ids=[p.pk for p in group],
                at=start + dt.timedelta(minutes=n),
                by=officer,
            )
        )
    # The lab's file, yesterday evening: every pool negative but one.
    lines = [
        ["序号", "样品码", "姓名", "检测结果", "采样时间", "检测时间"],
        *[
            [
                str(i + 1),
                p.barcode,
                "",
                "阳性" if i == POSITIVE_POOL else "阴性",
                f"{p.taken_at.astimezone(tz):%Y-%m-%d %H:%M}",
                f"{yesterday:%Y-%m-%d} 20:00",
            ]
            for i, p in enumerate(pools)
        ],
    ]
    layout = labfile.layout_find(lines[:1], mapping=lab.mapping)
    importing.results_import(
        scope=SYSTEM,
        lab=lab,
        enterprise=enterprise,
        layout=layout,
        rows=[(i + 2, r) for i, r in enumerate(lines[1:])],
        dry_run=False,
        at=dt.datetime.combine(yesterday, dt.time(20, 30), tzinfo=tz),
        by=officer,
    )
    # This morning: the positive pool's members re-sampled one by one, awaiting the lab.
    if len(pools) > POSITIVE_POOL:
        positive = pools[POSITIVE_POOL]
        morning = min(now, dt.datetime.combine(today, dt.time(7, 45), tzinfo=tz))
        for barcode, member in zip(RETEST_BARCODES, positive.members.order_by("pk"), strict=False):
            sample_take(
                scope=SYSTEM,
                round=row,
                barcode=barcode,
                kind=SampleKind.SINGLE,
                person_ids=[member.pk],
                retest_of=positive,
                at=morning,
                by=officer,
            )
    if me is not None:
        antigen_report(
            scope=SYSTEM,
            person=me,
            result=Result.NEGATIVE,
            photo=PHOTO,
            at=min(now, dt.datetime.combine(today, dt.time(7, 10), tzinfo=tz)),
            by=None,
        )
