"""The audit log's actions in Chinese, as the back office shows them (issue 9 §6).

An action missing here shows as its code; add each new action's wording with it.
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "account_activate": "激活账号",
    "account_create": "创建账号",
    "account_deactivate": "停用账号",
    "account_reactivate": "重新启用账号",
    "account_reset": "重置账号",
    "change": "修改记录",
    "daily_report_export": "导出或打印每日报告",
    "daily_report_submit": "报送每日报告",
    "id_conflict_review": "处理身份证号跨企业重复",
    "id_correct": "更正身份证号",
    "id_reveal": "查看完整身份证号",
    "login": "登录",
    "login_failed": "登录失败",
    "pack_adopt": "采用规则包",
    "pack_drop": "停用规则包",
    "person_export": "导出人员台账（脱敏）",
    "person_export_unmasked": "导出人员台账（完整号码）",
    "person_import": "导入人员台账",
    "person_update": "修改人员档案",
    "privacy_correction_answer": "答复个人信息更正申请",
    "privacy_correction_file": "提出个人信息更正申请",
    "privacy_correction_overdue": "个人信息更正申请逾期",
    "privacy_own_export": "下载本人信息",
    "privacy_purge": "清除到期数据",
    "privacy_purge_decide": "复核疫情结束清除",
    "privacy_purge_request": "申请疫情结束清除",
    "status_override_request": "申请人工更正状态",
    "status_override_approve": "批准人工更正状态",
    "status_override_refuse": "驳回人工更正状态",
    "gate.manual_confirm": "门岗人工核验身份",
    "gate.access_log.export": "导出出入记录",
    "test_ledger_export": "导出核酸检测台账",
    "person_lookup": "协查（批量查身份证号）",
    "phone_reveal": "查看完整手机号",
    "place_create": "添加村（社区）或网格",
    "place_update": "修改村（社区）或网格",
    "read_audit": "查看审计日志",
    "role_grant": "授予角色",
    "role_remove": "撤销角色",
    "roster_export": "导出社区花名册",
    "token_create": "创建设备令牌",
    "token_revoke": "吊销设备令牌",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def action_choices(actions: list[str]) -> list[tuple[str, str]]:
    return [(a, action_label(a)) for a in actions]
