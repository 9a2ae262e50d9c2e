"""Forms of the truck pages: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings


class DeclarationForm(forms.Form):
    plate = forms.CharField(label="车牌号", max_length=12, required=False)
    planned_arrival = forms.DateTimeField(
        label="计划抵达时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    route = forms.CharField(label="行驶路线", max_length=300, required=False)
    travel_history = forms.CharField(label="近7天旅居史", max_length=300, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for n in range(1, settings.TRUCK_CREW_ROWS + 1):
            self.fields[f"crew{n}_name"] = forms.CharField(
                label=f"司乘人员{n} 姓名", max_length=50, required=False
            )
            self.fields[f"crew{n}_id_number"] = forms.CharField(
                label=f"司乘人员{n} 身份证号", max_length=30, required=False
            )
            self.fields[f"crew{n}_phone"] = forms.CharField(
                label=f"司乘人员{n} 电话", max_length=20, required=False
            )
            self.fields[f"crew{n}_tested_at"] = forms.DateTimeField(
                label=f"司乘人员{n} 核酸采样时间",
                required=False,
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
            )
            self.fields[f"crew{n}_test_negative"] = forms.BooleanField(
                label=f"司乘人员{n} 结果为阴性", required=False
            )
            self.fields[f"crew{n}_vaccine_doses"] = forms.CharField(
                label=f"司乘人员{n} 疫苗剂次", max_length=2, required=False
            )

    def crew_rows(self) -> list[dict[str, object]]:
        data = self.cleaned_data
        keys = ("name", "id_number", "phone", "tested_at", "test_negative", "vaccine_doses")
        return [
            {k: data.get(f"crew{n}_{k}") for k in keys}
            for n in range(1, settings.TRUCK_CREW_ROWS + 1)
        ]


class LinkForm(forms.Form):
    label = forms.CharField(label="用途（如：承运商名称）", max_length=60, required=False)


class VehicleForm(forms.Form):
    plate = forms.CharField(label="车牌号", max_length=12, required=False)
    note = forms.CharField(label="说明", max_length=100, required=False)


class DriverForm(forms.Form):
    name = forms.CharField(label="驾驶员姓名", max_length=50, required=False)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    phone = forms.CharField(label="电话", max_length=20, required=False)


class ExitForm(forms.Form):
    plate = forms.CharField(label="离园车牌号", max_length=12, required=False)


class EntryForm(forms.Form):
    codes_checked = forms.BooleanField(label="已查验三码（健康码、行程码、场所码）", required=False)
    truck_disinfected = forms.BooleanField(label="车辆已全面消杀", required=False)
    goods_disinfected = forms.BooleanField(label="货物已全面消杀", required=False)
    loading_zone = forms.CharField(label="装卸区", max_length=60, required=False)
    loaders = forms.CharField(label="装卸人员", max_length=200, required=False)


class PassForm(forms.Form):
    plate = forms.CharField(label="车牌号", max_length=12, required=False)
    route = forms.CharField(label="通行路线", max_length=300, required=False)
    purpose = forms.CharField(label="运输物资", max_length=200, required=False)
    valid_from = forms.DateField(
        label="有效期起",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_until = forms.DateField(
        label="有效期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class VerifyForm(forms.Form):
    # A USB scanner types the code and Enter into this box (keyboard wedge).
    token = forms.CharField(label="扫描或粘贴通行证二维码", max_length=300, required=False)
