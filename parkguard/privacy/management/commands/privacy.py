"""`manage.py privacy purge`: delete records past their retention period now (the nightly
job does the same); `manage.py privacy overdue`: flag overdue correction requests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from parkguard.people.fields import phone_models, seal_existing
from parkguard.privacy.services import corrections_flag_overdue, retention_purge


class Command(BaseCommand):
    help = "个人信息：按保存期限清除到期数据（purge），或提醒逾期的更正申请（overdue）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="按保存期限清除到期数据，每个园区生成删除回执")
        sub.add_parser("overdue", help="向防疫专员和园区提醒逾期未答复的更正申请")
        sub.add_parser(
            "reseal_phones", help="轮换 PARKGUARD_ID_ENC_KEY 后，用最新密钥重新加密手机号"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["action"] == "reseal_phones":
            for model in phone_models():
                seal_existing(model)
                self.stdout.write(f"已重新加密：{model._meta.verbose_name}")
            return
        if options["action"] == "overdue":
            self.stdout.write(f"已提醒 {corrections_flag_overdue(at=now)} 条逾期更正申请")
            return
        receipts = retention_purge(at=now)
        total = sum(r.total_rows for r in receipts)
        self.stdout.write(f"已清除 {total} 条到期记录，生成 {len(receipts)} 份删除回执")
        for receipt in receipts:
            for line in receipt.receipt:
                self.stdout.write(
                    f"  {receipt.jurisdiction_id} {line['label']}：{line['rows']} 条"
                    f"（{line['first']} 至 {line['last']}）"
                )
