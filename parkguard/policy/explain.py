"""A pack in plain Chinese: every rule with its measures and its citation."""

from __future__ import annotations

from datetime import time

from parkguard.policy import labels
from parkguard.policy.declarations import vocabulary
from parkguard.policy.pack import Pack
from parkguard.policy.schema import (
    RISK_ORDER,
    AnyOf,
    Approval,
    ArrivalTests,
    CertificateMeasure,
    ChoiceRef,
    ClosedLoop,
    Condition,
    Deadlines,
    Disinfection,
    Document,
    EntryChecks,
    Evidence,
    FactTest,
    Instruction,
    Limit,
    Measure,
    Notify,
    ParamRef,
    Phases,
    PreDepartureTest,
    PreventionPlan,
    Prohibition,
    RoutineTesting,
    SymptomWatch,
    TemperatureChecks,
    TestWindow,
    Zones,
)


def _n(value: object) -> str:
    """A number, or the parameter the park sets."""
    if isinstance(value, ParamRef):
        return f"〔参数 {value.name}〕"
    if isinstance(value, ChoiceRef):
        return f"〔逐案选择 {value.name}〕"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return f"{value * 100:g}%"
    return str(value)


def _days(days: tuple[int, ...]) -> str:
    return "、".join(str(d) for d in days)


def _far(origin: str) -> str:
    name = labels.ORIGIN[origin]
    return name if origin == "abroad" else f"{name}（含更远）"


_SCOPE = {"place": "地点", "county": "区县", "city": "地市", "province": "省份"}


def _risk(word: str) -> str:
    return labels.RISK.get(word, word)


def _fact(name: str, test: FactTest) -> str:
    if test.equals is not None:
        return f"{name} 为 {test.equals}"
    if test.in_ is not None:
        return f"{name} 为 {'或'.join(test.in_)}"
    if test.within_days is not None:
        return f"{name} 在{_n(test.within_days)}天内"
    if test.present is not None:
        return f"{'有' if test.present else '无'} {name}"
    lo = f"≥{test.at_least}" if test.at_least is not None else ""
    hi = f"≤{test.at_most}" if test.at_most is not None else ""
    return f"{name} {lo}{hi}"


def _after(anchor: str) -> str:
    return labels.ANCHOR_AFTER[anchor]


def describe_condition(cond: Condition) -> str:
    """The condition in words ("适用于：…")."""
    parts: list[str] = []
    if cond.person_kind_in:
        parts.append("、".join(labels.PERSON_KIND[k] for k in cond.person_kind_in))
    if cond.staff_category_in:
        parts.append("、".join(labels.STAFF_CATEGORY[k] for k in cond.staff_category_in))
    if cond.returnee is not None:
        parts.append("外出后返岗" if cond.returnee else "非返岗人员")
    if cond.origin_in:
        parts.append("来自" + "或".join(labels.ORIGIN[o] for o in cond.origin_in))
    if cond.origin_at_least:
        parts.append(f"来自{_far(cond.origin_at_least)}")
    if cond.origin_at_most:
        parts.append(f"来自{labels.ORIGIN[cond.origin_at_most]}以内")
    if cond.stayed:
        s = cond.stayed
        if s.risk_in is not None:
            risks = "或".join(_risk(r) for r in s.risk_in)
        else:
            risks = f"{_risk(str(s.risk_at_least))}及以上"
        area = risks if risks.endswith(("区", "以上")) else f"{risks}区"
        where = area if s.level == "place" else f"有{area}的{_SCOPE[s.level]}"
        when = f"{_n(s.within_days)}天内" if s.within_days is not None else "行程中"
        verb = "旅居或途经" if s.include_transit else "旅居"
        parts.append(f"{when}{verb}{where}")
    if cond.key_population_in:
        parts.append("重点人群（" + "、".join(cond.key_population_in) + "）")
    if cond.roles_in:
        parts.append("岗位（" + "、".join(cond.roles_in) + "）")
    if cond.holds_certificate:
        c = cond.holds_certificate
        span = (
            f"{_n(c.within_hours)}小时" if c.within_hours is not None else f"{_n(c.within_days)}天"
        )
        parts.append(f"持{span}内核酸阴性证明")
    if cond.symptoms_any:
        parts.append("出现" + "、".join(cond.symptoms_any) + "之一")
    if cond.temperature_abnormal:
        parts.append("体温异常")
    if cond.enterprise:
        e = cond.enterprise
        if e.headcount_at_least is not None:
            parts.append(f"企业{_n(e.headcount_at_least)}人以上")
        if e.size is not None:
            parts.append(f"企业规模达到〔{e.size}〕")
        if e.frequent_movement:
            parts.append("企业人员进出频繁")
        if e.has_observation_point is not None:
            parts.append("企业已设隔离观察点" if e.has_observation_point else "企业未设隔离观察点")
        if e.essential is not None:
            parts.append("保障民生必需企业" if e.essential else "非必需企业")
        if e.area_risk_in:
            parts.append("企业所在区域为" + "或".join(_risk(r) for r in e.area_risk_in))
        if e.area_risk_at_least:
            parts.append(f"企业所在区域为{_risk(e.area_risk_at_least)}及以上")
    if cond.event:
        ev = cond.event
        if ev.kind_in:
            parts.append("、".join(labels.EVENT_KIND[k] for k in ev.kind_in))
        if ev.headcount_at_least is not None:
            parts.append(f"{_n(ev.headcount_at_least)}人以上")
        if ev.headcount_at_most is not None:
            parts.append(f"{_n(ev.headcount_at_most)}人以内")
        if ev.headcount_over is not None:
            parts.append(f"超过{_n(ev.headcount_over)}人")
        if ev.participants_origin_in:
            parts.append(
                "参与者来自" + "或".join(labels.ORIGIN[o] for o in ev.participants_origin_in)
            )
        if ev.participants_origin_at_least:
            parts.append(f"有{_far(ev.participants_origin_at_least)}人员参与")
        if ev.participants_origin_at_most:
            parts.append(f"参与者最远来自{labels.ORIGIN[ev.participants_origin_at_most]}")
        if ev.destination_at_least:
            parts.append(f"前往{_far(ev.destination_at_least)}")
        if ev.destination_risk_in:
            parts.append("前往" + "或".join(_risk(r) for r in ev.destination_risk_in) + "区")
        if ev.starts_before is not None:
            parts.append(f"早于 {ev.starts_before:%Y-%m-%d %H:%M}")
    for field, who in ((cond.person_facts, ""), (cond.enterprise_facts, "企业")):
        for name, test in (field or {}).items():
            parts.append(f"{who}{_fact(name, test)}")
    for sub, word in ((cond.all_of, "且"), (cond.any_of, "或")):
        if sub:
            parts.append("（" + f"）{word}（".join(describe_condition(c) for c in sub) + "）")
    if cond.not_ is not None:
        parts.append("不属于（" + describe_condition(cond.not_) + "）")
    return "，".join(parts) if parts else "所有人"


def describe_measure(m: Measure) -> str:
    """One measure in words."""
    if isinstance(m, PreDepartureTest):
        return f"离开前{_n(m.within_hours)}小时内完成1次{m.test}"
    if isinstance(m, Notify):
        who = labels.WHO[m.who]
        if m.promptly:
            when = f"{_after(m.anchor)}及时（规则包 promptly_hours 规定的时限内）"
        elif m.timing == "after_arrival":
            when = (
                f"{_after(m.anchor)}{_n(m.hours)}小时内" if m.hours else f"{_after(m.anchor)}及时"
            )
        else:
            when = labels.TIMING[m.timing] + (f"{_n(m.hours)}小时" if m.hours else "")
        to = f"向{'、'.join(m.to)}" if m.to else ""
        if m.who == "enterprise":
            who = "企业在人员"
        via = f"，通过{'或'.join(m.channel)}" if m.channel else ""
        content = f"，内容：{'、'.join(m.content)}" if m.content else ""
        return f"{who}{when}{to}{m.action}{via}{content}"
    if isinstance(m, CertificateMeasure):
        span = (
            f"{_n(m.within_hours)}小时" if m.within_hours is not None else f"{_n(m.within_days)}天"
        )
        tail = "，否则不得进入" if m.blocks_entry else ""
        before = labels.ANCHOR_BEFORE[m.anchor] if m.anchor != "arrival" else ""
        return f"持{before}{span}内{m.test}{tail}"
    if isinstance(m, TestWindow):
        return f"{_after(m.anchor)}第{m.from_day}至{m.to_day}天内任一天做1次{m.test}"
    if isinstance(m, Document):
        to = f"向{'、'.join(m.to)}" if m.to else ""
        need = "审核通过" if m.needs == "approved" else "提交"
        tail = f"，{need}前不得进入" if m.blocks_entry else ""
        return f"{to}提交{m.name}{tail}"
    if isinstance(m, ArrivalTests):
        first = f"（首次在抵达后{_n(m.first_within_hours)}小时内）" if m.first_within_hours else ""
        gate = {"none": "", "sampled": "，采样后方可进入", "negative": "，结果阴性后方可进入"}
        each = "各" if len(m.days) > 1 else ""
        when = "抵达当日" if m.days == (0,) else f"抵达后第{_days(m.days)}天"
        if m.anchor != "arrival":
            when = f"{_after(m.anchor)}第{_days(m.days)}天"
        return f"{when}{each}做1次{m.test}{first}{gate[m.blocks_entry]}"
    if isinstance(m, Phases):
        steps = []
        for ph in m.phases:
            name = ph.label or labels.PHASE[ph.kind]
            tests = f"，第{_days(ph.test_days)}天各做1次核酸检测" if ph.test_days else ""
            free = "" if ph.blocks_entry else "（期间可进厂）"
            if ph.until is not None:
                steps.append(f"{name}至{_evidence(ph.until)}为止{tests}{free}")
                continue
            early = f"（{_evidence(ph.end_early)}可提前结束）" if ph.end_early else ""
            steps.append(f"{name}{_n(ph.days)}天{tests}{free}{early}")
        tail = "；结束且结果均为阴性后方可进入厂区" if m.entry_requires_negative else ""
        return "依次：" + "；然后".join(steps) + tail
    if isinstance(m, AnyOf):
        opts = [
            f"{o.label}（{'；'.join(describe_measure(s) for s in o.measures)}）" for o in m.options
        ]
        if m.choice is not None:
            return f"逐案选择其一（选择项 {m.choice}）：" + " 或 ".join(opts)
        return "任选其一：" + " 或 ".join(opts)
    if isinstance(m, Prohibition):
        unless = f"，除非{describe_condition(m.unless)}" if m.unless is not None else ""
        return f"禁止：{m.text}{unless}"
    if isinstance(m, Instruction):
        return m.text
    if isinstance(m, ClosedLoop):
        covers = f"（{'、'.join(m.covers)}）" if m.covers else ""
        return m.text or f"在{m.area}实行闭环管理{covers}"
    if isinstance(m, EntryChecks):
        checks = []
        for c in m.checks:
            text = c.label or labels.CHECK[c.kind]
            if c.within_hours is not None:
                text += f"（{_n(c.within_hours)}小时内）"
            checks.append(text)
        tail = f"；{m.refuse_text}" if m.refuse_text else ""
        return f"在{'、'.join(labels.place(p) for p in m.places)}：{'、'.join(checks)}{tail}"
    if isinstance(m, RoutineTesting):
        share = f"抽检{_n(m.sample_share)}的人员" if m.sample_share is not None else "全员"
        strata = (
            f"，按{'、'.join(labels.STRATUM[b] for b in m.stratify_by)}分层抽取"
            if m.stratify_by
            else ""
        )
        full = (
            f"，{_n(m.full_coverage_days)}天内全员覆盖一遍"
            if m.full_coverage_days is not None
            else ""
        )
        return f"{m.group}：每{_n(m.interval_days)}天{share}{m.test}{strata}{full}"
    if isinstance(m, TemperatureChecks):
        slots, places = "、".join(m.slots), "、".join(labels.place(p) for p in m.places)
        return f"每天{_n(m.times_per_day)}次体温检测（{slots}），地点：{places}"
    if isinstance(m, Disinfection):
        repeat = f"；{'、'.join(m.repeat_in)}多次消杀" if m.repeat_in else ""
        return f"每日{'、'.join(m.slots)}消杀：{'、'.join(m.places)}{repeat}"
    if isinstance(m, Approval):
        lead = f"提前{_n(m.lead_days)}天" if m.lead_days else "事先"
        filing = f"，并报{'、'.join(m.filing_with)}备案" if m.filing_with else ""
        return f"{lead}经{m.approver}审批{filing}"
    if isinstance(m, PreventionPlan):
        who = f"（{m.responsible}）" if m.responsible else ""
        contents = f"，内容：{'、'.join(m.contents)}" if m.contents else ""
        return f"制定{m.name}{who}{contents}"
    if isinstance(m, Limit):
        parts = []
        if m.max_participants is not None:
            parts.append(f"人数不超过{_n(m.max_participants)}人")
        if m.min_distance_m is not None:
            parts.append(f"保持{_n(m.min_distance_m)}米以上距离")
        return "，".join(parts)
    if isinstance(m, Deadlines):
        steps = []
        for s in m.steps:
            who = f"{s.who}" if s.who else ""
            if s.within_minutes is not None:
                steps.append(f"{who}{_n(s.within_minutes)}分钟内{s.action}")
            elif s.immediately:
                steps.append(f"{who}第一时间{s.action}")
            else:
                since = f"{_n(s.daily_from)}至" if s.daily_from is not None else ""
                steps.append(f"{who}每天{since}{_n(s.daily_by)}前{s.action}")
        return f"{labels.TRIGGER[m.trigger]}：" + "；".join(steps)
    if isinstance(m, SymptomWatch):
        fever = ""
        if m.fever_from_c is not None:
            value = m.fever_from_c
            shown = f"〔参数 {value.name}〕" if isinstance(value, ParamRef) else f"{value:g}"
            fever = f"（体温≥{shown}℃ 视为发热）"
        return f"出现{'、'.join(m.symptoms)}等症状{fever}：{m.action}"
    assert isinstance(m, Zones)
    return "分区：" + "；".join(f"{labels.ZONE[z.colour]}（{z.meaning}）" for z in m.zones)


def _evidence(e: Evidence) -> str:
    parts = []
    if e.symptom_free_days is not None:
        parts.append(f"症状消失满{_n(e.symptom_free_days)}天")
    if e.negative_test_from_day is not None:
        parts.append(f"第{e.negative_test_from_day}天起{labels.TEST_KIND[e.test_kind]}阴性")
    return "且".join(parts)


def explain(pack: Pack) -> list[str]:
    """Every rule of the pack in Chinese, each with its requirement ID and clause."""
    meta = pack.meta
    until = meta.effective_to.isoformat() if meta.effective_to else "长期"
    lines = [
        f"《{meta.title}》{meta.document_number}，{meta.issuer}",
        f"规则包 {meta.id} 第 {meta.version} 版；适用范围：{meta.jurisdiction}；"
        f"生效：{meta.effective_from.isoformat()} 至 {until}；"
        f"日序约定：{labels.DAY_NUMBERING[meta.day_numbering]}",
    ]
    if pack.parent is not None:
        lines.append(f"继承：{pack.parent.key}（{pack.parent.meta.document_number}）")
    for name, spec in pack.parameters.items():
        default = f"默认 {spec.default}" if spec.default is not None else "无默认值，须由园区设定"
        unit = spec.unit or ""
        lines.append(f"园区参数 {name}（{spec.type}{unit}，{default}）：{spec.description}")
    vocab = vocabulary(pack)
    if pack.spec.risk_levels is not None or (pack.parent and vocab.risk_levels != RISK_ORDER):
        lines.append("风险等级（由低到高）：" + "、".join(vocab.risk_levels))
    for name, fact in vocab.facts.items():
        values = f"：{'、'.join(f'{k} {v}' for k, v in fact.values.items())}" if fact.values else ""
        lines.append(f"事实 {name}（{fact.label}，{fact.type}）{values}")
    for name, choice in vocab.choices.items():
        low = choice.minimum if choice.minimum is not None else "…"
        high = choice.maximum if choice.maximum is not None else "…"
        bounds = (
            "" if choice.minimum is None and choice.maximum is None else f"，范围 {low}～{high}"
        )
        lines.append(
            f"逐案选择 {name}（默认 {choice.default}{bounds}，须写明决定人和理由）："
            f"{choice.description}（出处：{choice.clause}）"
        )
    if vocab.promptly_hours is not None:
        lines.append(f"“及时”指{_n(vocab.promptly_hours)}小时内")
    cite = f"出处：{meta.document_number}"
    for name, size in pack.enterprise_sizes.items():
        lines.append(
            f"[{'、'.join(size.requirements)}] 企业规模〔{name}〕{size.label}："
            f"在岗{_n(size.headcount_at_least)}人以上；用途：{size.purpose}（{cite} {size.clause}）"
        )
    for name, post in pack.post_groups.items():
        lines.append(
            f"[{post.requirement}] 岗位组〔{name}〕{post.label}：岗位名称含"
            f"{'、'.join(post.words)}之一（{cite} {post.clause}）"
        )
    for name, staff in pack.staff_groups.items():
        categories = "、".join(labels.STAFF_CATEGORY[c] for c in staff.categories)
        lines.append(
            f"[{staff.requirement}] 人员组〔{name}〕{staff.label}：{categories}"
            f"（{cite} {staff.clause}）"
        )
    for bound in pack.rules:
        rule = bound.rule
        window = ""
        if rule.applies_from or rule.applies_to:
            lo = rule.applies_from.isoformat() if rule.applies_from else "…"
            hi = rule.applies_to.isoformat() if rule.applies_to else "…"
            window = f"（仅 {lo} 至 {hi}）"
        src = bound.source
        lines.append(
            f"[{rule.requirement}] {rule.title}{window}：{rule.description}"
            f"（出处：{src.document_number} {rule.clause}；规则包 {src.id} v{src.version}）"
        )
        lines.append(f"    适用于：{describe_condition(rule.when)}")
        for m in rule.measures:
            lines.append(f"    - {describe_measure(m)}")
    return lines
