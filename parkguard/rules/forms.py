"""Forms of the rule-pack pages: a hypothetical arrival to preview, a park's parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from pydantic import ValidationError

from parkguard.lib.api_errors import translate
from parkguard.policy import Pack, PlanRequest
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = [registry().versions(pack_id)[-1].meta for pack_id in registry().ids()]
        self.fields["pack"].choices = [  # type: ignore[attr-defined]
            (meta.id, f"{meta.document_number} · {meta.issuer}") for meta in latest
        ]
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
            person["stays"] = [
                {
                    "region": data["stay_region"] or "旅居地",
                    "risk": data["stay_risk"],
                    "first_day": first,
                    "last_day": last,
                    "transit": data["stay_transit"],
                }
            ]
        if data["certificate_at"]:
            person["certificates"] = [{"sampled_at": data["certificate_at"], "result": "negative"}]
        if data["departed_at"]:
            person["departed_at"] = data["departed_at"]
        facts: dict[str, Any] = {
            "pack": data["pack"],
            "person": person,
            "arrived_at": data["arrived_at"],
        }
        if data["headcount"] is not None:
            facts["enterprise"] = {"headcount": data["headcount"]}
        try:
            self.request = PlanRequest.model_validate(facts)
        except ValidationError as exc:
            for error in translate(exc.errors()):
                loc = tuple(p for p in error["loc"] if not isinstance(p, int))
                field = next((f for k, f in FIELD_OF.items() if loc[: len(k)] == k), None)
                self.add_error(field, error["msg"])
        return data


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
