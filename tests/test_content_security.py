"""No inline script anywhere, and the content security policy on every response (issue 18 §6).

The policy (`parkguard/lib/security_headers.py`) allows scripts from this site only, so an
inline `<script>` block, an `on*=` attribute, an `hx-on` attribute or a `javascript:` link
would silently stop working in the browser. The scan below reads every template of the
project (the project's `templates/` and every app's `templates/`) and names the file and
line of each one. Allowed: `<script src=…>` and data blocks (`type="application/json"`,
or `{{ value|json_script:"id" }}`, which renders one).

Styles likewise come from this site's stylesheets only (`style-src 'self'`): a `<style>`
element or a `style=` attribute would be dropped by the browser, so the scan refuses them
too. Scripts may still set styles through the CSSOM (`element.style`), which CSP allows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from parkguard.lib.security_headers import CONTENT_SECURITY_POLICY
from tests.factories import World

ROOT = Path(settings.BASE_DIR)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_SCRIPT = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.IGNORECASE)
SCRIPT_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
# An HTML start tag (may span lines); template tags inside it have no angle brackets.
START_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
HANDLER_ATTR = re.compile(r"""(?:^|[\s"'])(on[a-z]+|hx-on[:\w-]*)\s*=""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTR = re.compile(r"""(?:^|[\s"'])(style)\s*=""", re.IGNORECASE)


def template_files() -> list[Path]:
    dirs = [ROOT / "templates", *sorted((ROOT / "parkguard").glob("*/templates"))]
    return sorted(p for d in dirs for p in d.rglob("*.html"))


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def inline_script_findings(text: str, name: str) -> list[str]:
    """`file:line: what` for each inline script in one template's text."""
    found: list[str] = []
    for m in SCRIPT_TAG.finditer(text):
        attrs = m.group(1)
        if not SCRIPT_SRC.search(attrs) and not DATA_SCRIPT.search(attrs):
            found.append(
                f"{name}:{_line(text, m.start())}: 内联 <script> 块；"
                "请移到 static/ 下的 .js 文件，数据用 data-* 或 json_script 传递"
            )
    for tag in START_TAG.finditer(text):
        for attr in HANDLER_ATTR.finditer(tag.group(0)):
            found.append(
                f"{name}:{_line(text, tag.start() + attr.start(1))}: 事件属性 "
                f"{attr.group(1)}=；请在 static/ 下的 .js 文件里用 addEventListener "
                "（或 static/js/parkguard.js 的 data-print / data-confirm / data-select-all）"
            )
        for url in JAVASCRIPT_URL.finditer(tag.group(0)):
            found.append(
                f"{name}:{_line(text, tag.start() + url.start())}: javascript: 链接；"
                "请改为真实地址，行为放进 static/ 下的 .js 文件（返回上一页用 data-back）"
            )
        for attr in STYLE_ATTR.finditer(tag.group(0)):
            found.append(
                f"{name}:{_line(text, tag.start() + attr.start(1))}: style= 属性；"
                "内容安全策略不允许内联样式，请在 static/css/ 的样式表中用类名"
                "（位置等动态值用 data-* 属性，由 static/ 下的脚本经 element.style 设置）"
            )
    for m in STYLE_TAG.finditer(text):
        found.append(
            f"{name}:{_line(text, m.start())}: 内联 <style> 块；请移到 static/css/ 下的样式表"
        )
    return found


def test_no_template_has_an_inline_script_or_event_attribute() -> None:
    files = template_files()
    assert len(files) > 100, "找不到模板目录"
    findings = [
        f
        for path in files
        for f in inline_script_findings(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    ]
    assert not findings, (
        "内容安全策略只允许本站的脚本与样式文件，以下模板含内联脚本或样式：\n" + "\n".join(findings)
    )


@pytest.mark.parametrize(
    ("html", "line"),
    [
        ("<p>\n<script>alert(1)</script>", 2),
        ('<button type="button"\n  onclick="go()">x</button>', 2),
        ("<body onload='print()'>", 1),
        ('<div hx-on:click="go()"></div>', 1),
        ('<a href="javascript:history.back()">返回</a>', 1),
        ('<form method="post" {% if x %}class="a"{% endif %} onsubmit="return f()">', 1),
        ('<div class="card"\n style="max-width:26rem">', 2),
        ("<p STYLE='color:red'>x</p>", 1),
        ("<head>\n<style>p { color: red }</style>", 2),
    ],
)
def test_the_scan_names_file_and_line(html: str, line: int) -> None:
    findings = inline_script_findings(html, "templates/x/probe.html")
    assert len(findings) == 1
    assert findings[0].startswith(f"templates/x/probe.html:{line}: ")


@pytest.mark.parametrize(
    "html",
    [
        '<script src="/static/js/x.js" defer></script>',
        '<script type="application/json" id="d">{"a": 1}</script>',
        '{{ data|json_script:"chart-data" }}',
        '<button data-print data-confirm="确定？" data-online="1">打印</button>',
        "<p>contact online=yes</p>",
        '<span class="pin" data-pin-x="12.50" data-style="x">甲</span>',
        '<link rel="stylesheet" href="/static/css/parkguard.css">',
        "<p>style=inline in text is not an attribute</p>",
    ],
)
def test_the_scan_lets_files_and_data_blocks_through(html: str) -> None:
    assert inline_script_findings(html, "templates/x/probe.html") == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/api/v1/openapi.json", "/healthz"])
def test_every_response_carries_the_policy(client: Client, url: str) -> None:
    response = client.get(url)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self' 'wasm-unsafe-eval'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "style-src 'self';" in CONTENT_SECURITY_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"].startswith("camera=(self)")


def test_a_logged_in_page_carries_the_policy(world: World, client: Client) -> None:
    client.force_login(world.users["a1_officer"])
    response = client.get("/")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert b"js/parkguard.js" in response.content
