"""`manage.py status rebuild [--check]`: recompute every person status from the records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parkguard.status.services import status_rebuild


class Command(BaseCommand):
    help = "人员状态：由原始记录重算，报告（并修正）差异"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="由申报、体温、检测、限制等记录重算人员状态")
        rebuild.add_argument(
            "--check", action="store_true", help="只检查并报告差异，不写入；有差异时以非零状态退出"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check = bool(options["check"])
        report = status_rebuild(at=timezone.now(), write=not check)
        for line in report.differences:
            self.stdout.write(line)
        summary = f"共检查 {report.checked} 人，{report.differing_people} 人的状态与记录不一致"
        if check:
            if report.differing_people:
                raise CommandError(summary)
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"{summary}，已修正；新建状态行 {report.created} 条")
            )
