"""Playwright driving Debian's Chromium against the live test server.

`make test` (and CI) sets PARKGUARD_REQUIRE_BROWSER=1, so a missing browser fails the
run; elsewhere the browser tests are skipped with the reason.

Every browser context is watched for content security policy violations (Chromium logs
"Refused to execute inline script … Content Security Policy" to the console): a test
during which any page broke the policy fails, naming the page and the message.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PARKGUARD_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags for a root, headless, offline Chromium (the machine's network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Violations seen during the running test (a list per test, checked by `_no_csp_violation`).
CSP_VIOLATIONS: list[str] = []


def watch_csp(context: Any) -> Any:
    """Record every CSP violation any page of `context` reports; returns `context`."""

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            where = (message.location or {}).get("url", "?")
            CSP_VIOLATIONS.append(f"{where}: {message.text}")

    context.on("console", on_console)
    return context


class _WatchedBrowser:
    """The browser, whose new contexts are all watched for CSP violations."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **kwargs: Any) -> Any:
        return watch_csp(self._browser.new_context(**kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def _no_csp_violation() -> Iterator[None]:
    CSP_VIOLATIONS.clear()
    yield
    seen = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()
    assert not seen, "页面违反了内容安全策略（内联脚本或外站资源）：\n" + "\n".join(seen)


def _browser_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not _browser_available():
        message = f"Chromium 未安装（{CHROMIUM}）：运行 make browser 安装"
        if os.environ.get("PARKGUARD_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while the browser lives;
    # Django's ORM calls (test bodies, database teardown) are still synchronous, so allow
    # them until the browser closes. Subprocesses started by tests drop the variable.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield _WatchedBrowser(chromium)
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
