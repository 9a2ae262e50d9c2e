"""Forms of the phone pages: a trip, a return, an entry of the risk-area register."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from parkguard.mobility.choices import (
    ChangeKind,
    EvidenceKind,
    PointKind,
    TestResult,
    Transport,
    TripPurpose,
)
from parkguard.mobility.models import Trip
from parkguard.mobility.services import EDIT_REASON_MAX, EDIT_REASON_REQUIRED, SOURCE_REQUIRED

CODE_HELP = "行政区划代码（6位，如 420102），或在下方“查找代码”中按名称查找"
# Rows of destinations / places stayed a phone page offers at once.
STOP_ROWS = (1, 2, 3)


def _date() -> forms.DateField:
    return forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class StopsMixin(forms.Form):
    rows: tuple[int, ...] = STOP_ROWS

    def transits(self) -> list[bool]:
        """Whether each filled row of `stops()` was only passed through (J-1.1, J-1.2.1 途经)."""
        return [
            bool(self.cleaned_data.get(f"transit_{n}"))
            for n in self.rows
            if (self.cleaned_data.get(f"code_{n}") or "").strip()
        ]

    def stops(self) -> list[tuple[str, object, object]]:
        out = []
        for n in self.rows:
            code = (self.cleaned_data.get(f"code_{n}") or "").strip()
            if code:
                out.append(
                    (code, self.cleaned_data.get(f"first_{n}"), self.cleaned_data.get(f"last_{n}"))
                )
        return out


def _stop_fields(
    form: StopsMixin, first_label: str, last_label: str, *, transit: bool = False
) -> None:
    """Rows of places; with `transit`, each row has "仅途经" (a place only passed through, which
    the packs' `transit` facts tell apart from a stay: J-1.1, J-1.2.1 途经)."""
    for n in form.rows:
        form.fields[f"code_{n}"] = forms.CharField(
            label=f"地点{n}", required=n == 1, max_length=12, help_text=CODE_HELP if n == 1 else ""
        )
        form.fields[f"first_{n}"] = forms.DateField(
            label=first_label,
            required=n == 1,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        form.fields[f"last_{n}"] = forms.DateField(
            label=last_label,
            required=n == 1,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        if transit:
            form.fields[f"transit_{n}"] = forms.BooleanField(label=f"地点{n}仅途经", required=False)


class TripForm(StopsMixin):
    purpose = forms.ChoiceField(label="事由", choices=TripPurpose.choices)
    departs_on = forms.DateField(
        label="出发日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    returns_on = forms.DateField(
        label="预计返回日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args: object, rows: int = len(STOP_ROWS), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.rows = tuple(range(1, rows + 1))
        _stop_fields(self, "到达日期", "离开日期")

    @classmethod
    def of_trip(cls, trip: Trip, data: Mapping[str, Any] | None = None) -> TripForm:
        """The update form of `trip`, prefilled with its itinerary: a row per destination
        and one empty row to add another (at least the filing form's rows)."""
        stops = list(trip.stops.all())
        # Dates as ISO text: what a phone's date input shows (the locale's format it would not).
        initial: dict[str, Any] = {
            "purpose": trip.purpose,
            "departs_on": trip.departs_on.isoformat(),
            "returns_on": trip.returns_on.isoformat(),
            "note": trip.note,
        }
        for n, stop in enumerate(stops, start=1):
            initial |= {f"code_{n}": stop.division_code, f"first_{n}": stop.first_day.isoformat()}
            initial[f"last_{n}"] = stop.last_day.isoformat()
        return cls(data, initial=initial, rows=max(len(STOP_ROWS), len(stops) + 1))


class ReturnForm(StopsMixin):
    arrived_at = forms.DateTimeField(
        label="抵达（返回）时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    transport = forms.ChoiceField(label="交通方式", choices=Transport.choices)
    cert_at = forms.DateTimeField(
        label="已有核酸检测的采样时间（没有可不填）",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    cert_result = forms.ChoiceField(
        label="该次检测结果", choices=TestResult.choices, required=False
    )

    def __init__(
        self,
        *args: object,
        trips: Sequence[Trip] = (),
        trip_initial: Trip | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if trips:
            # Which filed trip this return ends (none: a trip never filed). First in the form.
            self.fields["trip"] = forms.TypedChoiceField(
                label="本次返回对应的出行报备",
                choices=[("", "不属于已报备的出行")] + [(str(t.pk), _trip_label(t)) for t in trips],
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(trip_initial.pk) if trip_initial else "",
            )
            self.order_fields(["trip"])
        _stop_fields(self, "到达该地日期", "离开该地日期", transit=True)


def _trip_label(trip: Trip) -> str:
    places = "、".join(s.division_name for s in trip.stops.all()) or "—"
    status = trip.get_status_display()
    return f"{trip.departs_on:%m-%d} 至 {trip.returns_on:%m-%d} · {places}（{status}）"


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批", choices=[("1", "批准"), ("0", "不批准")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="审批意见", required=False, max_length=200)
    # How many updates the itinerary on the page had: a decision on an older one is refused.
    revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=EvidenceKind.choices)
    obligation = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    done_at = forms.DateTimeField(
        label="完成时间（检测为采样时间）",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    result = forms.ChoiceField(
        label="检测结果", choices=[("", "—"), *TestResult.choices], required=False
    )


class RiskAreaForm(forms.Form):
    division_code = forms.CharField(label="行政区划代码", max_length=12, help_text=CODE_HELP)
    place = forms.CharField(label="街道/社区（可不填）", required=False, max_length=100)
    level = forms.CharField(label="风险等级", max_length=20)
    effective_from = forms.DateField(
        label="起始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    effective_to = forms.DateField(
        label="截止日期（可不填）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    source = forms.CharField(label="来源", max_length=200)


class RiskAreaEditForm(forms.Form):
    """A change of one entry (ending it early is the common case): the place stays."""

    level = forms.CharField(label="风险等级", max_length=20)
    place = forms.CharField(label="街道/社区（可不填）", required=False, max_length=100)
    effective_from = forms.DateField(
        label="起始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    effective_to = forms.DateField(
        label="截止日期（提前结束时填这里；可不填）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    source = forms.CharField(
        label="来源", max_length=200, error_messages={"required": SOURCE_REQUIRED}
    )
    # The service's own message, so a blank reason reads alike through the page and the API.
    reason = forms.CharField(
        label="修改理由",
        max_length=EDIT_REASON_MAX,
        error_messages={"required": EDIT_REASON_REQUIRED},
    )


class RiskImportForm(forms.Form):
    file = forms.FileField(label="风险区域表（.xlsx 或 .csv）")


class IsolationChangeForm(forms.Form):
    ends_at = forms.DateTimeField(
        label="新的结束时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label="理由", max_length=200)


class ReleaseForm(forms.Form):
    note = forms.CharField(label="解除说明", required=False, max_length=200)


class PointForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PointKind.choices)
    name = forms.CharField(label="名称", max_length=100)
    capacity = forms.IntegerField(label="容量（人）", min_value=1)


class VisitorForm(forms.Form):
    host = forms.TypedChoiceField(label="接待人", coerce=int, required=False)
    purpose = forms.CharField(label="来访事由", max_length=100)
    origin_code = forms.CharField(
        label="出发地（行政区划代码）", max_length=12, help_text=CODE_HELP
    )
    arrives_at = forms.DateTimeField(
        label="预计抵达时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self, *args: object, hosts: list[tuple[int, str]] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if hosts is None:
            del self.fields["host"]
        else:
            self.fields["host"].choices = [("", "—"), *hosts]  # type: ignore[attr-defined]


class VisitorFillForm(StopsMixin):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号", max_length=11)
    cert_at = forms.DateTimeField(
        label="最近一次核酸检测的采样时间（没有可不填）",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    cert_result = forms.ChoiceField(
        label="该次检测结果", choices=TestResult.choices, required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _stop_fields(self, "到达该地日期", "离开该地日期", transit=True)


class _ParamsField(forms.JSONField):
    """Empty when nothing was typed (Django would show `null` in the box)."""

    def prepare_value(self, value: Any) -> str:
        return "" if value is None else super().prepare_value(value)


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(label="变化", choices=ChangeKind.choices)
    pack_id = forms.CharField(label="规则包", required=False, max_length=100)
    version = forms.IntegerField(label="版本", required=False, min_value=1)
    params = _ParamsField(label="园区参数（JSON，修改参数时填写）", required=False)
    description = forms.CharField(label="说明（文件名称、文号）", required=False, max_length=200)


class VisitorPassForm(forms.Form):
    departs_at = forms.DateTimeField(
        label="预计离开时间（通行证有效止）",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
