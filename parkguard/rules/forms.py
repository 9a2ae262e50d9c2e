"""Forms of the rule-pack pages: a hypothetical arrival to preview, a park's parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from pydantic import ValidationError

from parkguard.lib.api_errors import translate
from parkguard.lib.uploads import UploadRefused, size_label, upload_read
from parkguard.policy import Pack, PlanRequest, Registry
from parkguard.policy.declarations import vocabulary
from parkguard.policy.labels import STAFF_CATEGORY
from parkguard.rules.registry import registry

KINDS = [("employee", "员工"), ("visitor", "来访人员"), ("truck_crew", "货车司乘")]
ORIGINS = [
    ("local", "本地"),
    ("out_of_county", "区县外"),
    ("out_of_prefecture", "地市外"),
    ("out_of_province", "省外"),
    ("abroad", "境外"),
]
RISKS = [("", "无旅居史"), ("low", "低风险区"), ("medium", "中风险区"), ("high", "高风险区")]
KEY_POPULATIONS = [
    ("cold_chain", "冷链"),
    ("port", "口岸"),
    ("quarantine_site", "隔离场所"),
    ("transport", "交通运输"),
]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Where a facts error lands in this form.
FIELD_OF = {
    ("person", "kind"): "kind",
    ("person", "origin"): "origin",
    ("person", "staff_category"): "staff_category",
    ("arrived_at",): "arrived_at",
    ("person", "departed_at"): "departed_at",
    ("person", "stays"): "stay_first_day",
    ("pack",): "pack",
}


RISK_SCOPES = [
    ("place", "该地点本身"),
    ("county", "所在区县"),
    ("city", "所在地市"),
    ("province", "所在省份"),
]


def pack_choices(packs: Registry | None = None) -> list[tuple[str, str]]:
    packs = packs or registry()
    latest = [packs.versions(pack_id)[-1].meta for pack_id in packs.ids()]
    return [
        (
            meta.id,
            f"{meta.document_number} · {meta.issuer}"
            + ("（草稿）" if meta.status == "draft" else ""),
        )
        for meta in latest
    ]


def chosen_pack(form: forms.Form, packs: Registry | None = None) -> Pack | None:
    """The pack the form is about: the posted one, else the initial, else the first."""
    packs = packs or registry()
    pack_id = (form.data.get("pack") if form.is_bound else None) or form.initial.get("pack")
    ids = packs.ids()
    if pack_id not in ids:
        pack_id = ids[0] if ids else None
    return packs.versions(pack_id)[-1] if pack_id else None


def risk_choices(pack: Pack | None) -> list[tuple[str, str]]:
    levels = vocabulary(pack).risk_levels if pack is not None else ("low", "medium", "high")
    return [(w, DEFAULT_RISK_LABELS.get(w, w)) for w in levels]


DEFAULT_RISK_LABELS = {"low": "低风险区", "medium": "中风险区", "high": "高风险区"}


def add_fact_fields(form: forms.Form, pack: Pack | None) -> dict[str, tuple[str, str]]:
    """One field per fact the pack declares (its label, type and values): no code change
    is needed for a pack that declares a new fact. Returns field name → (subject, fact)."""
    out: dict[str, tuple[str, str]] = {}
    if pack is None:
        return out
    for name, spec in vocabulary(pack).facts.items():
        field_name = f"{'fact' if spec.subject == 'person' else 'efact'}_{name}"
        who = "" if spec.subject == "person" else "企业："
        label = f"{who}{spec.label}"
        help_text = spec.description or (f"出处：{spec.clause}" if spec.clause else "")
        field: forms.Field
        if spec.type == "choice":
            field = forms.ChoiceField(
                label=label, choices=[("", "—"), *(spec.values or {}).items()], required=False
            )
        elif spec.type == "choices":
            field = forms.MultipleChoiceField(
                label=label,
                choices=list((spec.values or {}).items()),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        elif spec.type == "boolean":
            field = forms.BooleanField(label=label, required=False)
        elif spec.type == "integer":
            field = forms.IntegerField(label=label, required=False)
        elif spec.type == "date":
            field = forms.DateField(label=label, required=False, widget=DATE)
        else:
            field = forms.CharField(label=label, required=False, max_length=100)
        field.help_text = help_text
        form.fields[field_name] = field
        out[field_name] = (spec.subject, name)
    return out


def fact_values(form: Any, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    person: dict[str, Any] = {}
    enterprise: dict[str, Any] = {}
    for field_name, (subject, name) in form.fact_fields.items():
        value = data.get(field_name)
        if value in (None, "", []) or (value is False and subject == "enterprise"):
            continue
        if value is False:
            continue  # an unticked box is "not given", not "false"
        if isinstance(value, dt.date):
            value = value.isoformat()
        (person if subject == "person" else enterprise)[name] = value
    return person, enterprise


class PreviewForm(forms.Form):
    pack = forms.ChoiceField(label="规则包")
    kind = forms.ChoiceField(label="人员类型", choices=KINDS)
    staff_category = forms.ChoiceField(
        label="员工类别", choices=[("", "—"), *STAFF_CATEGORY.items()], required=False
    )
    returnee = forms.BooleanField(label="外出后返岗", required=False)
    origin = forms.ChoiceField(label="从哪里来", choices=ORIGINS)
    stay_risk = forms.ChoiceField(label="旅居地风险等级", choices=RISKS, required=False)
    stay_region = forms.CharField(label="旅居地", max_length=60, required=False)
    stay_first_day = forms.DateField(label="旅居第一天", required=False, widget=DATE)
    stay_last_day = forms.DateField(label="旅居最后一天（离开当天）", required=False, widget=DATE)
    stay_transit = forms.BooleanField(label="仅途经", required=False)
    key_population = forms.MultipleChoiceField(
        label="重点人群",
        choices=KEY_POPULATIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    certificate_at = forms.DateTimeField(
        label="已有阴性检测的采样时间", required=False, widget=DATETIME
    )
    departed_at = forms.DateTimeField(label="离开风险地区的时间", required=False, widget=DATETIME)
    arrived_at = forms.DateTimeField(label="到达时间", widget=DATETIME)
    headcount = forms.IntegerField(label="前往企业的员工人数", min_value=0, required=False)

    stay_level = forms.ChoiceField(
        label="该风险等级属于", choices=RISK_SCOPES, required=False, initial="place"
    )
    work_start_at = forms.DateTimeField(label="开工（上岗）时间", required=False, widget=DATETIME)
    symptom_onset_at = forms.DateTimeField(label="出现症状的时间", required=False, widget=DATETIME)
    symptoms = forms.CharField(label="现有症状（逗号分隔）", max_length=60, required=False)
    ordered_at = forms.DateTimeField(label="接到指令的时间", required=False, widget=DATETIME)
    area_risk = forms.ChoiceField(label="企业所在区域的管控状态", required=False)

    def __init__(self, *args: Any, packs: Registry | None = None, **kwargs: Any) -> None:
        """``packs``: the packs to choose from (an uploaded draft alone, for its preview)."""
        super().__init__(*args, **kwargs)
        self.fields["pack"].choices = pack_choices(packs)  # type: ignore[attr-defined]
        self.chosen = chosen_pack(self, packs)
        self.fact_fields = add_fact_fields(self, self.chosen)
        self.choice_fields = add_choice_fields(self, self.chosen)
        risks = risk_choices(self.chosen)
        self.fields["stay_risk"].choices = [("", "无旅居史"), *risks]  # type: ignore[attr-defined]
        self.fields["area_risk"].choices = [("", "—"), *risks]  # type: ignore[attr-defined]
        self.request: PlanRequest | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        person: dict[str, Any] = {
            "kind": data["kind"],
            "origin": data["origin"],
            "returnee": data["returnee"],
            "key_population": data["key_population"],
        }
        if data["staff_category"]:
            person["staff_category"] = data["staff_category"]
        if data["stay_risk"]:
            first, last = data["stay_first_day"], data["stay_last_day"]
            if first is None or last is None:
                self.add_error("stay_first_day", "选了旅居地风险等级，就要填旅居的起止日期")
                return data
            level = data.get("stay_level") or "place"
            risk_field = "risk" if level == "place" else f"{level}_risk"
            person["stays"] = [
                {
                    "region": data["stay_region"] or "旅居地",
                    risk_field: data["stay_risk"],
                    "first_day": first,
                    "last_day": last,
                    "transit": data["stay_transit"],
                }
            ]
        for name in ("work_start_at", "symptom_onset_at", "ordered_at"):
            if data.get(name):
                person[name] = data[name]
        if data.get("symptoms"):
            person["symptoms"] = [
                x.strip() for x in data["symptoms"].replace("，", ",").split(",") if x.strip()
            ]
        person_facts, enterprise_facts = fact_values(self, data)
        if person_facts:
            person["facts"] = person_facts
        choices = self._choices(data)
        if choices is None:
            return data
        if data["certificate_at"]:
            person["certificates"] = [{"sampled_at": data["certificate_at"], "result": "negative"}]
        if data["departed_at"]:
            person["departed_at"] = data["departed_at"]
        facts: dict[str, Any] = {
            "pack": data["pack"],
            "person": person,
            "arrived_at": data["arrived_at"],
            "choices": choices,
        }
        enterprise: dict[str, Any] = {}
        if data["headcount"] is not None:
            enterprise["headcount"] = data["headcount"]
        if data.get("area_risk"):
            enterprise["area_risk"] = data["area_risk"]
        if enterprise_facts:
            enterprise["facts"] = enterprise_facts
        if enterprise:
            facts["enterprise"] = enterprise
        try:
            self.request = PlanRequest.model_validate(facts)
        except ValidationError as exc:
            for error in translate(exc.errors()):
                loc = tuple(p for p in error["loc"] if not isinstance(p, int))
                field = next((f for k, f in FIELD_OF.items() if loc[: len(k)] == k), None)
                self.add_error(field, error["msg"])
        return data

    def _choices(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The officer's per-case choices (within the pack's bounds), each with who and why;
        None when a choice lacks them (the error is on the form)."""
        made = {
            name: data[field]
            for field, name in self.choice_fields.items()
            if data.get(field) not in (None, "")
        }
        if not made:
            return {}
        by, reason = data.get("choice_by", "").strip(), data.get("choice_reason", "").strip()
        if not by or not reason:
            self.add_error("choice_reason" if by else "choice_by", CHOICE_NEEDS_WHO_AND_WHY)
            return None
        return {name: {"value": value, "by": by, "reason": reason} for name, value in made.items()}


CHOICE_NEEDS_WHO_AND_WHY = "逐案选择须写明决定人和理由"


def add_choice_fields(form: forms.Form, pack: Pack | None) -> dict[str, str]:
    """One field per per-case choice the pack allows ("可缩短至5天"), within its bounds, and
    who decided and why. Returns field name → choice name."""
    out: dict[str, str] = {}
    if pack is None or not vocabulary(pack).choices:
        return out
    for name, spec in vocabulary(pack).choices.items():
        label = f"逐案选择：{spec.description}"
        help_text = f"不填则按规则包默认（{spec.default}）；出处：{spec.clause}"
        field: forms.Field
        if spec.type == "integer":
            field = forms.IntegerField(
                label=label, required=False, min_value=spec.minimum, max_value=spec.maximum
            )
        else:
            field = forms.CharField(label=label, required=False, max_length=60)
        field.help_text = help_text
        form.fields[f"choice_{name}"] = field
        out[f"choice_{name}"] = name
    form.fields["choice_by"] = forms.CharField(label="决定人", required=False, max_length=60)
    form.fields["choice_reason"] = forms.CharField(label="理由", required=False, max_length=200)
    return out


def adopted_params_shown(pack: Pack, params: dict[str, Any]) -> list[tuple[str, str]]:
    """A park's adopted parameters as a reader sees them: the pack's description of each
    value and the value with its unit, never the parameter's key."""
    shown = []
    for name, value in params.items():
        spec = pack.parameters.get(name)
        if spec is None:
            continue  # a parameter the latest version no longer declares
        unit = spec.unit or ""
        shown.append(
            (
                spec.description,
                ("是" if value else "否") if isinstance(value, bool) else f"{value}{unit}",
            )
        )
    return shown


def params_form(pack: Pack, initial: dict[str, Any]) -> type[forms.Form]:
    """A form with one field per parameter the pack leaves to the park."""
    fields: dict[str, forms.Field] = {}
    for name, spec in pack.parameters.items():
        label = f"{spec.description}"
        help_text = f"出处：{spec.clause}" + (f"；单位：{spec.unit}" if spec.unit else "")
        required = spec.default is None
        if spec.type == "integer":
            fields[name] = forms.IntegerField(
                label=label,
                help_text=help_text,
                required=required,
                min_value=int(spec.minimum) if spec.minimum is not None else None,
                max_value=int(spec.maximum) if spec.maximum is not None else None,
            )
        elif spec.type == "number":
            fields[name] = forms.FloatField(label=label, help_text=help_text, required=required)
        elif spec.type == "boolean":
            fields[name] = forms.BooleanField(label=label, help_text=help_text, required=False)
        elif spec.type == "time":
            fields[name] = forms.TimeField(
                label=label,
                help_text=help_text,
                required=required,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
        else:
            fields[name] = forms.CharField(label=label, help_text=help_text, required=required)
    return type("ParamsForm", (forms.Form,), fields)


def params_clean(form: forms.Form) -> dict[str, Any]:
    """The form's values as the pack expects them (times as HH:MM), blanks left out."""
    values: dict[str, Any] = {}
    for name, value in form.cleaned_data.items():
        if value is None or value == "":
            continue
        values[name] = value.strftime("%H:%M") if isinstance(value, dt.time) else value
    return values


EVENT_KINDS = [
    ("business_event", "商务活动"),
    ("gathering", "聚集性活动"),
    ("private_gathering", "家庭私人聚会"),
    ("trip", "外出"),
    ("resumption", "复工复产"),
]
DEADLINE_KINDS = [
    ("lockdown", "封控指令下达后"),
    ("incident", "发现疫情后"),
    ("report", "每日报送"),
]
MODES = {"route": "活动审批", "schedule": "日常排程", "deadlines": "处置时限"}


class EnginePreviewForm(forms.Form):
    """Events, schedules and deadlines tried against a pack: the request of one engine
    function, built from the fields of its mode (and the facts the pack declares)."""

    pack = forms.ChoiceField(label="规则包")

    def __init__(self, *args: Any, mode: str, packs: Registry | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.fields["pack"].choices = pack_choices(packs)  # type: ignore[attr-defined]
        self.chosen = chosen_pack(self, packs)
        risks = risk_choices(self.chosen)
        f = self.fields
        if mode == "route":
            f["event_kind"] = forms.ChoiceField(label="活动类型", choices=EVENT_KINDS)
            f["starts_at"] = forms.DateTimeField(label="开始时间", widget=DATETIME)
            f["event_headcount"] = forms.IntegerField(label="人数", min_value=0, initial=0)
            f["participants_origin"] = forms.ChoiceField(label="参与人员最远来自", choices=ORIGINS)
            f["destination"] = forms.ChoiceField(
                label="外出目的地", choices=[("", "—"), *ORIGINS], required=False
            )
            f["destination_risk"] = forms.ChoiceField(
                label="目的地风险等级", choices=[("", "—"), *risks], required=False
            )
        elif mode == "schedule":
            f["start"] = forms.DateField(label="起始日期", widget=DATE)
            f["end"] = forms.DateField(label="结束日期", widget=DATE)
        else:
            f["deadline_kind"] = forms.ChoiceField(label="时限类型", choices=DEADLINE_KINDS)
            f["at"] = forms.DateTimeField(
                label="指令下达或发现疫情的时间", required=False, widget=DATETIME
            )
            f["start"] = forms.DateField(label="报送起始日期", required=False, widget=DATE)
            f["end"] = forms.DateField(label="报送结束日期", required=False, widget=DATE)
        if mode in ("route", "schedule"):
            f["headcount"] = forms.IntegerField(label="企业员工人数", min_value=0, required=False)
            f["area_risk"] = forms.ChoiceField(
                label="企业所在区域的管控状态", choices=[("", "—"), *risks], required=False
            )
            self.fact_fields = {
                k: v
                for k, v in add_fact_fields(self, self.chosen).items()
                if v[0] == "enterprise" or mode == "schedule"
            }
            for name in list(f):
                if name.startswith("fact_") and name not in self.fact_fields:
                    del f[name]
        else:
            self.fact_fields = {}
        self.body: dict[str, Any] | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        body: dict[str, Any] = {"pack": data["pack"]}
        person_facts, enterprise_facts = fact_values(self, data)
        enterprise: dict[str, Any] = {}
        if data.get("headcount") is not None:
            enterprise["headcount"] = data["headcount"]
        if data.get("area_risk"):
            enterprise["area_risk"] = data["area_risk"]
        if enterprise_facts:
            enterprise["facts"] = enterprise_facts
        if enterprise:
            body["enterprise"] = enterprise
        if self.mode == "route":
            body["event"] = {
                "kind": data["event_kind"],
                "starts_at": data["starts_at"],
                "headcount": data["event_headcount"] or 0,
                "participants_origin": data["participants_origin"],
            }
            for name in ("destination", "destination_risk"):
                if data.get(name):
                    body["event"][name] = data[name]
        elif self.mode == "schedule":
            if data["end"] < data["start"]:
                self.add_error("end", "结束日期早于起始日期")
                return data
            if (data["end"] - data["start"]).days > MAX_PREVIEW_DAYS:
                self.add_error("end", f"预览最多 {MAX_PREVIEW_DAYS} 天")
                return data
            body.update(start=data["start"], end=data["end"])
            if person_facts:
                body["person"] = {"kind": "employee", "facts": person_facts}
        else:
            body["kind"] = data["deadline_kind"]
            if data["deadline_kind"] == "report":
                if not data.get("start") or not data.get("end"):
                    self.add_error("start", "每日报送要填起止日期")
                    return data
                if (data["end"] - data["start"]).days > MAX_PREVIEW_DAYS:
                    self.add_error("end", f"预览最多 {MAX_PREVIEW_DAYS} 天")
                    return data
                body.update(start=data["start"], end=data["end"])
            else:
                if not data.get("at"):
                    self.add_error("at", "要填指令下达或发现疫情的时间")
                    return data
                body["at"] = data["at"]
        self.body = body
        return data


MAX_PREVIEW_DAYS = 62  # a page length, not a policy number


PACK_TOO_LARGE = "规则包内容超过上限 {limit}"


class DraftForm(forms.Form):
    """A pack file a park admin wrote: uploaded, or pasted."""

    file = forms.FileField(label="规则包文件（.yaml）", required=False)
    text = forms.CharField(
        label="或直接粘贴内容", required=False, widget=forms.Textarea(attrs={"rows": 16})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            try:
                raw = upload_read(upload, max_bytes=settings.PACK_MAX_BYTES)
                data["text"] = raw.decode("utf-8")
            except UploadRefused as refused:
                self.add_error("file", refused.message)
                return data
            except UnicodeDecodeError:
                self.add_error("file", "文件不是 UTF-8 编码的文本")
                return data
            data["name"] = upload.name
        else:
            data["name"] = "粘贴的规则包.yaml"
        if not data.get("text", "").strip():
            self.add_error("text", "请上传文件或粘贴规则包内容")
        elif len(data["text"].encode("utf-8")) > settings.PACK_MAX_BYTES:
            limit = size_label(settings.PACK_MAX_BYTES)
            self.add_error("text", PACK_TOO_LARGE.format(limit=limit))
        return data


class ApprovalForm(forms.Form):
    """Propose a draft for publication, or approve one (a second admin of the park)."""

    action = forms.ChoiceField(choices=[("propose", "提请发布"), ("publish", "批准发布")])
