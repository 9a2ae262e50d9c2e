"""`manage.py policy validate|list|uploads [--park ID]|explain PACK|
plan --pack PACK --facts FILE.json|evaluate|route|schedule|deadlines|gate|zone FILE.json|
diff PACK OLD NEW`.

The JSON commands take the request shapes of `parkguard.policy.requests` (the same as the
API's /api/v1/policy/...); packs are the ones this site loads (built-in, PARKGUARD_PACKS_DIR,
published uploads).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from pydantic import ValidationError

from parkguard.lib.api_errors import translate
from parkguard.policy import PackError, PlanRequest, PolicyInputError, explain, load_registry
from parkguard.policy.requests import COMMAND_HELP
from parkguard.rules import selectors
from parkguard.rules.registry import registry
from parkguard.rules.selectors import DRAFT_LABEL


class Command(BaseCommand):
    help = "规则包：校验、列出、逐条说明、按事实计算计划"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="校验规则包目录中的全部规则包")
        validate.add_argument("--dir", type=Path, default=None, help="规则包目录（默认为内置目录）")
        sub.add_parser("list", help="列出全部规则包及其版本、生效日期")
        uploads = sub.add_parser("uploads", help="列出各园区上传的规则包（草稿标明“草稿，不生效”）")
        uploads.add_argument("--park", type=int, default=None, help="只列出该园区（id）")
        explain_ = sub.add_parser("explain", help="逐条中文说明一个规则包的规则及出处")
        explain_.add_argument("pack", help="规则包 id")
        explain_.add_argument(
            "--on", type=dt.date.fromisoformat, default=None, help="日期（默认今天）"
        )
        plan = sub.add_parser("plan", help="按 JSON 事实文件计算到达人员的计划")
        plan.add_argument("--pack", required=True, help="规则包 id")
        plan.add_argument("--facts", type=Path, required=True, help="事实 JSON 文件")
        for name, text in COMMAND_HELP.items():
            if name in ("plan", "diff"):
                continue
            cmd = sub.add_parser(name, help=f"{text}（JSON 事实文件进，JSON 结果出）")
            cmd.add_argument("facts", type=Path, help="事实 JSON 文件")
        diff = sub.add_parser("diff", help=COMMAND_HELP["diff"])
        diff.add_argument("pack", help="规则包 id")
        diff.add_argument("old", type=int, help="旧版本")
        diff.add_argument("new", type=int, help="新版本")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "validate":
            self._validate(options["dir"])
        elif action == "list":
            self._list()
        elif action == "uploads":
            self._uploads(options["park"])
        elif action == "explain":
            self._explain(options["pack"], options["on"] or timezone.localdate())
        elif action == "plan":
            self._plan(options["pack"], options["facts"])
        elif action == "diff":
            self._diff(options["pack"], options["old"], options["new"])
        else:
            self._json(action, options["facts"])

    def _read(self, facts_file: Path) -> Any:
        try:
            return json.loads(facts_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"无法读取事实文件 {facts_file}：{exc}") from None

    def _json(self, command: str, facts_file: Path) -> None:
        try:
            result = selectors.engine_run(command=command, body=self._read(facts_file))
        except ValidationError as exc:
            lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in translate(exc.errors())]
            raise CommandError("事实文件有误：\n" + "\n".join(lines)) from None
        except PolicyInputError as exc:
            raise CommandError(selectors.input_error(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _diff(self, pack_id: str, old: int, new: int) -> None:
        try:
            result = selectors.engine_run(
                command="diff", body={"pack": pack_id, "old": old, "new": new}
            )
        except PolicyInputError as exc:
            raise CommandError(selectors.input_error(exc)) from None
        for change in result["changes"]:
            self.stdout.write(change["text"])
        if not result["changes"]:
            self.stdout.write("两个版本的规则没有差异")

    def _validate(self, directory: Path | None) -> None:
        try:
            loaded = load_registry(directory) if directory else load_registry()
        except PackError as exc:
            raise CommandError(f"规则包校验失败：\n{exc}") from None
        for pack in loaded.packs():
            draft = f"  （{DRAFT_LABEL}）" if pack.meta.status == "draft" else ""
            self.stdout.write(
                f"通过  {pack.key}  {pack.meta.document_number}  {len(pack.rules)} 条规则{draft}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"共 {len(loaded.packs())} 个规则包版本，全部通过校验")
        )

    def _list(self) -> None:
        today = timezone.localdate()
        for pack in registry().packs():
            meta = pack.meta
            until = meta.effective_to or "长期"
            if meta.status == "draft":
                mark = DRAFT_LABEL
            else:
                mark = "生效中" if registry().is_in_force(pack, today) else "未生效"
            period = f"{meta.effective_from} 至 {until}"
            self.stdout.write(f"{pack.key}\t{meta.document_number}\t{period}\t{mark}\t{meta.title}")

    def _uploads(self, park_id: int | None) -> None:
        for upload in selectors.uploads_all(park_id=park_id):
            if upload.is_draft:
                state = DRAFT_LABEL + ("（已提请发布）" if upload.proposed_by_id else "")
            else:
                state = f"已发布 sha256 {upload.digest}"
            self.stdout.write(f"{upload.jurisdiction.name}\t{upload.key}\t{state}\t{upload.title}")

    def _explain(self, pack_id: str, on: dt.date) -> None:
        try:
            pack = selectors.pack_for(pack_id=pack_id, version=None, on=on)
        except PolicyInputError as exc:
            raise CommandError(selectors.input_error(exc)) from None
        for line in explain(pack):
            self.stdout.write(line)

    def _plan(self, pack_id: str, facts_file: Path) -> None:
        data = self._read(facts_file)
        try:
            request = PlanRequest.model_validate({**data, "pack": pack_id})
        except ValidationError as exc:
            lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in translate(exc.errors())]
            raise CommandError("事实文件有误：\n" + "\n".join(lines)) from None
        try:
            result = selectors.plan_preview(request=request)
        except PolicyInputError as exc:
            raise CommandError(selectors.input_error(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
