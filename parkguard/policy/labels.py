"""Chinese names for the format's vocabulary (words only: every number lives in packs)."""

from __future__ import annotations

PHASE = {
    "centralised_isolation": "集中隔离",
    "home_isolation": "居家隔离",
    "home_health_monitoring": "居家健康监测",
    "enterprise_observation": "企业隔离观察",
    "isolation_point": "隔离点隔离观察",
}
CHECK = {
    "scan_code": "扫码登记",
    "mask": "佩戴口罩",
    "health_code": "查验健康码",
    "three_codes": "查验“三码”",
    "temperature": "测温",
    "register": "登记",
    "state_reason": "说明来访原因",
    "disinfect_person": "消毒",
    "disinfect_vehicle": "车辆消毒",
    "disinfect_goods": "货物消毒",
    "negative_test": "查验核酸检测阴性证明",
    "other": "其他查验",
}
PERSON_KIND = {"employee": "员工", "visitor": "来访人员", "truck_crew": "货车司乘人员"}
ORIGIN = {
    "local": "本地",
    "out_of_county": "区县外",
    "out_of_prefecture": "地市外",
    "out_of_province": "省外",
    "abroad": "境外",
}
RISK = {"low": "低风险", "medium": "中风险", "high": "高风险"}
EVENT_KIND = {
    "business_event": "商务活动",
    "gathering": "聚集性活动",
    "private_gathering": "家庭私人聚会",
    "trip": "外出",
    "resumption": "复工复产",
}
STAFF_CATEGORY = {
    "regular": "正式员工",
    "intern": "实习员工",
    "client_dispatched": "客户派驻人员",
    "labour_dispatch": "劳务派遣人员",
    "outsourced": "第三方外包人员",
    "temporary": "临时进入人员",
}
TIMING = {
    "before_departure": "出发前",
    "before_arrival": "抵达前",
    "after_arrival": "抵达后",
}
WHO = {"person": "本人", "enterprise": "企业", "crew": "司乘人员"}
PROHIBITION = {
    "no_entry": "不得进入厂区",
    "no_return": "不得返岗",
    "no_travel": "不得前往",
    "no_event": "不得举办",
}
ZONE = {"green": "绿区", "blue": "蓝区", "orange": "橙区", "red": "红区"}
DAY_NUMBERING = {
    "arrival_day_is_1": "到达当日为第 1 天",
    "arrival_day_is_0": "到达当日为第 0 天，次日为第 1 天",
}
TRIGGER = {"lockdown_order": "封控指令下达后", "incident": "发现疫情后", "daily": "每日"}
PLACE = {
    "plant_gate": "厂区出入口",
    "office_entrance": "办公场所入口",
    "loading_area": "装卸货区",
    "any": "所有出入口",
}


def place(code: str) -> str:
    return PLACE.get(code, code)


ANCHOR = {
    "arrival": "到达时间",
    "work_start": "开工（上岗）时间",
    "hire_date": "入职日期",
    "symptom_onset": "出现症状的时间",
    "first_positive": "首次阳性的时间",
    "order": "接到指令的时间",
}
ANCHOR_BEFORE = {
    "arrival": "抵达前",
    "work_start": "上岗前",
    "hire_date": "入职前",
    "symptom_onset": "出现症状前",
    "first_positive": "首次阳性前",
    "order": "接到指令前",
}
ANCHOR_AFTER = {
    "arrival": "抵达后",
    "work_start": "上岗后",
    "hire_date": "入职后",
    "symptom_onset": "出现症状后",
    "first_positive": "首次阳性后",
    "order": "接到指令后",
}
TEST_KIND = {"nat": "核酸检测", "antigen": "抗原检测"}
DEFAULT_RISK = {"low": "低风险", "medium": "中风险", "high": "高风险"}
STRATUM = {"org_unit": "部门（班组）", "post": "岗位"}
