"""Named personas and small builders for the policy tests."""

from __future__ import annotations

from datetime import date, datetime

from parkguard.policy import PersonFacts, Sample, Stay

J = "jinjiang-xiyuan-2022-81"
H = "honglu-2021-10"
Z = "zhengyang-2022-20"
B = "baotou-industry-2020-02"
L = "liucheng-2022-36"


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def d(text: str) -> date:
    return date.fromisoformat(text)


def negative(at: str) -> Sample:
    return Sample(sampled_at=dt(at), result="negative")


def high_risk_stay(first: str, last: str, *, transit: bool = False) -> Stay:
    return Stay(
        region="某市某区（高风险区）",
        risk="high",
        first_day=d(first),
        last_day=d(last),
        transit=transit,
    )


# Personas
VISITOR_FROM_ABROAD = PersonFacts(
    kind="visitor", origin="abroad", departed_at=dt("2022-10-31T20:00")
)
VISITOR_FROM_HIGH_RISK = PersonFacts(
    kind="visitor",
    origin="out_of_province",
    stays=(high_risk_stay("2022-11-10", "2022-11-13"),),
    departed_at=dt("2022-11-13T18:00"),
)
VISITOR_OTHER_PROVINCE = PersonFacts(kind="visitor", origin="out_of_province")
VISITOR_LOCAL = PersonFacts(kind="visitor", origin="local")
TRUCK_CREW = PersonFacts(kind="truck_crew", origin="out_of_province")
