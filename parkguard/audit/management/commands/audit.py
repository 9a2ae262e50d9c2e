"""`manage.py audit verify`: check the audit chain and its head; non-zero exit when broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parkguard.audit.models import AuditEvent
from parkguard.audit.services import audit_check


class Command(BaseCommand):
    help = "审计日志：校验哈希链（HMAC）与链头，指出第一处被修改、插入或删除的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计链；发现异常时以非零状态退出")

    def handle(self, *args: Any, **options: Any) -> None:
        finding = audit_check()
        if finding is not None:
            raise CommandError(f"审计链异常（{finding.kind}）：{finding.message}")
        self.stdout.write(f"审计链完整：{AuditEvent.objects.count()} 条记录，链头一致")
