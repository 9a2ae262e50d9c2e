"""The entry checks that apply to a person at a place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from parkguard.policy import labels
from parkguard.policy.context import Context, Params, check_input, select
from parkguard.policy.facts import EnterpriseFacts, ParamValue, PersonFacts
from parkguard.policy.pack import Pack
from parkguard.policy.results import CheckItem, GateChecks, Reason, cite
from parkguard.policy.schema import EntryChecks

ANY_PLACE = "any"


def entry_checks(
    *,
    pack: Pack,
    person: PersonFacts,
    place: str,
    at: datetime,
    enterprise: EnterpriseFacts | None = None,
    params: Mapping[str, ParamValue] | None = None,
) -> GateChecks:
    """Every check the pack requires for this person at this place, in pack order.

    A check the engine can decide from the facts (a negative test within N hours, from
    ``person.certificates``) is ``pass`` or ``fail``; the others are ``manual`` (the guard
    does them: temperature, mask, registration...).
    """
    ctx = Context(at=at, params=Params(pack, params), person=person, enterprise=enterprise)
    check_input(ctx)
    items: list[CheckItem] = []
    reasons: list[Reason] = []
    for bound in select(pack, ctx, ("entry_checks",)):
        citation = cite(bound)
        for measure in bound.rule.measures:
            if not isinstance(measure, EntryChecks):
                continue
            if place not in measure.places and ANY_PLACE not in measure.places:
                continue
            for check in measure.checks:
                label = check.label or labels.CHECK[check.kind]
                hours = (
                    ctx.params.int(check.within_hours) if check.within_hours is not None else None
                )
                if check.kind == "negative_test" and hours is not None:
                    since = at - timedelta(hours=hours)
                    ok = [
                        c
                        for c in person.certificates
                        if c.result == "negative" and since <= c.sampled_at <= at
                    ]
                    if ok:
                        latest = max(c.sampled_at for c in ok)
                        detail = f"{hours}小时内阴性（采样于 {latest:%Y-%m-%d %H:%M}）"
                        items.append(CheckItem(check.kind, label, "pass", detail, citation, hours))
                    else:
                        detail = f"无{hours}小时内的核酸检测阴性证明"
                        items.append(CheckItem(check.kind, label, "fail", detail, citation, hours))
                        reasons.append(Reason(measure.refuse_text or detail, citation))
                else:
                    detail = f"{hours}小时内" if hours is not None else ""
                    items.append(CheckItem(check.kind, label, "manual", detail, citation, hours))
    return GateChecks(
        place=place,
        at=at,
        checks=tuple(items),
        refused=bool(reasons),
        reasons=tuple(reasons),
        pack_id=pack.id,
        version=pack.version,
    )
