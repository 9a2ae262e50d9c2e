"""Check and read packs from a shell, without Django.

    python -m parkguard.policy validate [DIR]      every pack in DIR (default: bundled packs)
    python -m parkguard.policy explain PACK[@VERSION] [--dir DIR] [--on YYYY-MM-DD]
    python -m parkguard.policy lock [DIR]          lines for published.lock (sha256 of files)
    python -m parkguard.policy COMMAND FILE.json [--dir DIR]
        COMMAND: plan, evaluate, route, schedule, deadlines, gate, zone (JSON in, JSON out;
        FILE ``-`` reads stdin); the request shapes are those of `parkguard.policy.requests`.
    python -m parkguard.policy diff PACK OLD NEW [--dir DIR]   rule-level changes in Chinese

The Django command ``manage.py policy`` offers the same and more (plan previews).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from parkguard.policy.errors import PackError, PolicyInputError
from parkguard.policy.explain import explain
from parkguard.policy.loading import DEFAULT_PACKS_DIR, load_registry
from parkguard.policy.lock import digest_of
from parkguard.policy.registry import Registry
from parkguard.policy.requests import COMMAND_HELP, REQUESTS, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m parkguard.policy")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="校验目录中的全部规则包")
    check.add_argument("dir", nargs="?", default=str(DEFAULT_PACKS_DIR))
    show = sub.add_parser("explain", help="用中文列出规则包的全部规则及出处")
    show.add_argument("pack", help="规则包 id，可加 @版本")
    show.add_argument("--dir", default=str(DEFAULT_PACKS_DIR))
    show.add_argument("--on", default=None, help="取该日生效的版本（YYYY-MM-DD）")
    lock = sub.add_parser("lock", help="输出 published.lock 的内容")
    lock.add_argument("dir", nargs="?", default=str(DEFAULT_PACKS_DIR))
    for name, text in COMMAND_HELP.items():
        if name == "diff":
            continue
        cmd = sub.add_parser(name, help=f"{text}（JSON 事实文件进，JSON 结果出）")
        cmd.add_argument("facts", help="JSON 文件；- 表示标准输入")
        cmd.add_argument("--dir", default=str(DEFAULT_PACKS_DIR))
    diff = sub.add_parser("diff", help=COMMAND_HELP["diff"])
    diff.add_argument("pack")
    diff.add_argument("old", type=int)
    diff.add_argument("new", type=int)
    diff.add_argument("--dir", default=str(DEFAULT_PACKS_DIR))
    args = parser.parse_args(argv)

    try:
        if args.command == "lock":
            return _lock(Path(args.dir))
        registry = load_registry(args.dir)
        if args.command == "diff":
            changes = run("diff", {"pack": args.pack, "old": args.old, "new": args.new}, registry)
            for change in changes["changes"]:
                print(change["text"])
            if not changes["changes"]:
                print("两个版本的规则没有差异")
            return 0
        if args.command in REQUESTS:
            return _json_command(args.command, args.facts, registry)
        if args.command == "validate":
            for pack in registry.packs():
                draft = "，草稿，不生效" if pack.meta.status == "draft" else ""
                print(f"通过：{pack.meta.file}（{pack.key}，{len(pack.rules)} 条规则{draft}）")
            for key in registry.unlocked():
                print(f"提示：{key} 已发布但未记入 published.lock")
            return 0
        pack_id, _, version = args.pack.partition("@")
        if version:
            pack = registry.get(pack_id, int(version))
        elif args.on:
            pack = registry.in_force(pack_id, date.fromisoformat(args.on))
        else:
            pack = registry.versions(pack_id)[-1]
        print("\n".join(explain(pack)))
        return 0
    except PackError as exc:
        print(exc, file=sys.stderr)
        return 1
    except PolicyInputError as exc:
        print(exc, file=sys.stderr)
        return 2


def _json_command(command: str, source: str, registry: Registry) -> int:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        body = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"无法读取事实文件 {source}：{exc}", file=sys.stderr)
        return 2
    try:
        result = run(command, body, registry)
    except ValidationError as exc:
        print("事实文件有误：", file=sys.stderr)
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            print(f"  {where}: {FACT_ERRORS.get(err['type'], err['msg'])}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


# pydantic's error types in Chinese (the Django layer has its own fuller table).
FACT_ERRORS = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的键（可能拼写错误）",
    "literal_error": "取值不在允许范围内",
    "datetime_from_date_parsing": "应为日期时间 YYYY-MM-DDTHH:MM",
    "datetime_parsing": "应为日期时间 YYYY-MM-DDTHH:MM",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文本",
}


def _lock(directory: Path) -> int:
    registry = load_registry(directory)
    print("# 已发布规则包的内容指纹：<id> <version> <sha256>。")
    print("# 已发布的版本不可修改；修改请另存为新版本。")
    print("# 生成：python -m parkguard.policy lock > parkguard/policy/packs/published.lock")
    for pack in registry.packs():
        if pack.meta.status == "published":
            text = (directory / pack.meta.file).read_text(encoding="utf-8")
            print(f"{pack.id} {pack.version} {digest_of(text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
