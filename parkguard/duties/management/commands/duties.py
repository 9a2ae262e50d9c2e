"""`manage.py duties rebuild [--check]` and `manage.py duties snapshot`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parkguard.duties.services import daily_figures_snapshot, duties_refresh, duties_routine_sync

BAD_AT = "--at 须为带时区的 ISO 时间，如 2022-11-16T08:00:00+08:00"


def _at(value: str | None) -> dt.datetime:
    if not value:
        return timezone.now()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(BAD_AT) from None
    if parsed.tzinfo is None:
        raise CommandError(BAD_AT)
    return parsed


class Command(BaseCommand):
    help = "防疫任务：按规则包重算例行检测任务（报告并修正差异），写入每日统计"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="按园区采用的规则包重算每人本周期的例行检测任务")
        rebuild.add_argument(
            "--check", action="store_true", help="只检查并报告差异，不写入；有差异时以非零状态退出"
        )
        rebuild.add_argument("--at", help="按此时间计算（默认现在）")
        snapshot = sub.add_parser("snapshot", help="写入（或更新）当日的每日防疫数据")
        snapshot.add_argument("--at", help="按此时间统计（默认现在）")

    def handle(self, *args: Any, **options: Any) -> None:
        at = _at(options.get("at"))
        if options["action"] == "snapshot":
            written = daily_figures_snapshot(at=at)
            self.stdout.write(self.style.SUCCESS(f"已写入 {written} 家企业的每日防疫数据"))
            return
        check = bool(options["check"])
        if not check:
            duties_refresh(at=at)
        report = duties_routine_sync(at=at, write=not check)
        for line in report.differences:
            self.stdout.write(line)
        summary = (
            f"共检查 {report.checked} 人，{report.differing_people} 人的例行检测任务与规则包不一致"
        )
        if check:
            if report.differing_people:
                raise CommandError(summary)
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{summary}，已修正：新建 {report.created} 条，取消 {report.cancelled} 条，"
                    f"更正 {report.updated} 条"
                )
            )
