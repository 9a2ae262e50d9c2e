"""No secret in the repository (issue 18, What to build §6: hardening).

Every file git would commit (tracked, or new and not ignored) is read and searched for what a
leaked secret looks like: a private key block, a cloud or code-host access token, a webhook
robot's access token, a `.env` file or a key file. The development defaults in
`parkguard/settings.py` are not secrets: production refuses to start with them
(tests/test_settings.py). Each pattern is proven to find its own planted sample.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Built from pieces, so this file does not hold what it looks for.
_BEGIN = "-----" + "BEGIN"
PATTERNS = {
    "private key": re.compile(_BEGIN + r" (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    "Alibaba Cloud key": re.compile(r"\bLTAI[0-9A-Za-z]{12,20}\b"),
    "robot access token": re.compile(
        r"(?:oapi\.dingtalk\.com/robot/send\?access_token|qyapi\.weixin\.qq\.com/cgi-bin/webhook"
        r"/send\?key)=[0-9a-f-]{32,}"
    ),
}
SAMPLES = {
    "private key": _BEGIN + " RSA PRIVATE KEY-----",
    "AWS access key": "AKIA" + "Q" * 16,
    "GitHub token": "ghp_" + "a1" * 18,
    "Slack token": "xoxb-" + "1234567890-abc",
    "Alibaba Cloud key": "LTAI" + "x9" * 8,
    "robot access token": "https://oapi.dingtalk.com/robot/send?access_token=" + "0f" * 32,
}
KEY_FILES = re.compile(r"(?:^|/)(?:\.env(?:\..+)?|id_rsa|id_ed25519|.+\.pem|.+\.key|.+\.p12)$")


def _files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"not a git checkout: {exc}")
    return [name for name in out.stdout.decode().split("\0") if name]


def findings(text: str) -> list[str]:
    return [kind for kind, pattern in PATTERNS.items() if pattern.search(text)]


def test_every_pattern_finds_its_sample() -> None:
    for kind, sample in SAMPLES.items():
        assert findings(f"x = '{sample}'\n") == [kind], kind
    assert findings("SECRET_KEY = env_str('SECRET_KEY', 'dev-insecure')\n") == []


def test_no_file_git_would_commit_holds_a_secret() -> None:
    names = _files()
    assert "parkguard/settings.py" in names  # the scan sees the project
    hits = [name for name in names if KEY_FILES.search(name) and name != ".env.example"]
    for name in names:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        data = path.read_bytes()
        if b"\0" in data[:4096]:  # binary (images, fonts, wasm)
            continue
        hits += [f"{name}: {kind}" for kind in findings(data.decode("utf-8", "replace"))]
    assert hits == []
