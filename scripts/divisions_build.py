"""Build parkguard/mobility/data/divisions.csv from python-stdnum's stdnum/cn/loc.dat.

loc.dat is compiled from Wikipedia's "中华人民共和国行政区划代码" pages (CC BY-SA 3.0). We keep
only the names in use now (a name whose year span is still open), one row per code, plus the
development zones in `ZONES` below, which GB/T 2260 does not code (their codes are ours).

    .venv/bin/python scripts/divisions_build.py > parkguard/mobility/data/divisions.csv
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import stdnum

HEADER = """\
# 中华人民共和国县级以上行政区划代码（现行名称）与园区所在的开发区。
# 来源：python-stdnum 2.2 的 stdnum/cn/loc.dat，整理自维基百科“中华人民共和国行政区划代码”
# （CC BY-SA 3.0，https://creativecommons.org/licenses/by-sa/3.0/）；本文件按同一许可证提供。
# 生成：scripts/divisions_build.py。kind：province 省级、city 地级、county 县级、zone 开发区。
# 开发区不在 GB/T 2260 中：其代码为本平台自编（所在区县代码 + “-Z” + 序号），名称取自各通知。
"""
# Development zones the notices and the demo name; their codes are local, never official.
ZONES = [
    ("350582-Z1", "晋江经济开发区", "350582"),
    ("500118-Z1", "永川高新技术产业开发区", "500118"),
    ("150200-Z1", "包头稀土高新技术产业开发区", "150200"),
]
SPAN = re.compile(r"^\[(\d*)-(\d*)\](.*)$")
LINE = re.compile(r'^(\s*)(\d+) (?:province|county)="(.*)"$')


def current(names: str) -> str | None:
    """The name in use now, or None if every name of the code has an end year."""
    found = None
    for part in names.split(","):
        m = SPAN.match(part)
        if m is None:
            found = part
        elif not m.group(2):
            found = m.group(3)
    return found


def main() -> None:
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    rows: dict[str, tuple[str, str]] = {}
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        m = LINE.match(line)
        if m is None:
            continue
        indent, code, names = m.groups()
        name = current(names)
        if not indent:
            province = code
            if name:
                rows[code + "0000"] = (name, "province")
            continue
        full = province + code
        if name is None or full.endswith("0000") or name in {"市辖区", "县", "省直辖县级行政区划"}:
            continue
        rows[full] = (name, "city" if full.endswith("00") else "county")
    out = csv.writer(sys.stdout, lineterminator="\n")
    sys.stdout.write(HEADER)
    out.writerow(["code", "name", "kind", "parent"])
    for code, (name, kind) in sorted(rows.items()):
        if kind == "province":
            parent = ""
        elif kind == "city":
            parent = code[:2] + "0000"
        else:
            parent = code[:4] + "00" if code[:4] + "00" in rows else code[:2] + "0000"
        out.writerow([code, name, kind, parent])
    for code, name, parent in ZONES:
        out.writerow([code, name, "zone", parent])


if __name__ == "__main__":
    main()
