"""`manage.py demo_load`: build the demo county, parks, enterprises, staff and logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parkguard.demo.builder import DEMO_PASSWORD, demo_load, demo_logins


class Command(BaseCommand):
    help = (
        "载入演示数据：一个县、两个园区、十余家企业、约3000名人员和各角色的演示账号（可重复执行）"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="数据库已有企业时不做任何事")

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(if_empty=options["if_empty"])
        if result is None:
            self.stdout.write("数据库中已有企业，未载入演示数据。")
        else:
            self.stdout.write(self.style.SUCCESS(f"演示数据就绪：{result.summary}"))
        logins = demo_logins()
        if logins:
            self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, label in logins:
            self.stdout.write(f"  {username:<14} {label}")
