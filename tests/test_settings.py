"""Settings: production refuses development keys and passes Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROD_KEYS = {
    "SECRET_KEY": "prod-" + "k" * 60,
    "PARKGUARD_ID_HMAC_KEY": "prod-hmac-" + "h" * 30,
    "PARKGUARD_ID_ENC_KEY": "cHJvZC1vbmx5LWlkLWVuY3J5cHRpb24ta2V5LTAwMDA=",
    "PARKGUARD_TOKEN_KEY": "prod-token-" + "t" * 30,
    # Not a key, but production refuses to start without it too (the shared rate counters).
    "PARKGUARD_CACHE_URL": "redis://127.0.0.1:6379/3",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PARKGUARD_")}
    clean.pop("SECRET_KEY", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_production_without_keys() -> None:
    result = manage("check", PARKGUARD_ENV="production")
    assert result.returncode != 0
    assert "生产环境必须通过环境变量设置 SECRET_KEY" in result.stderr


def test_it_refuses_development_keys_in_production() -> None:
    from parkguard.settings import _DEV_KEYS

    result = manage("check", PARKGUARD_ENV="production", **{**PROD_KEYS, **_DEV_KEYS})
    assert result.returncode != 0
    assert "使用了开发环境的默认值" in result.stderr


def test_it_refuses_the_development_gate_token_key_in_production() -> None:
    """The gate pass tokens (issue 13) are signed with PARKGUARD_TOKEN_KEY: never the dev one."""
    from parkguard.settings import _DEV_KEYS

    keys = {**PROD_KEYS, "PARKGUARD_TOKEN_KEY": _DEV_KEYS["PARKGUARD_TOKEN_KEY"]}
    result = manage("check", PARKGUARD_ENV="production", **keys)
    assert result.returncode != 0
    assert "PARKGUARD_TOKEN_KEY 使用了开发环境的默认值" in result.stderr
    missing = {k: v for k, v in PROD_KEYS.items() if k != "PARKGUARD_TOKEN_KEY"}
    result = manage("check", PARKGUARD_ENV="production", **missing)
    assert "生产环境必须通过环境变量设置 PARKGUARD_TOKEN_KEY" in result.stderr


def test_it_refuses_to_start_production_without_a_shared_cache() -> None:
    """Issue 18: rate limits count in the shared cache; per-process memory would multiply each
    limit by the number of workers, so production needs PARKGUARD_CACHE_URL (and a Redis one)."""
    without = {k: v for k, v in PROD_KEYS.items() if k != "PARKGUARD_CACHE_URL"}
    result = manage("check", PARKGUARD_ENV="production", **without)
    assert result.returncode != 0
    assert "生产环境必须设置 PARKGUARD_CACHE_URL" in result.stderr
    other = {**PROD_KEYS, "PARKGUARD_CACHE_URL": "memcached://u:secret@127.0.0.1:11211"}
    result = manage("check", PARKGUARD_ENV="production", **other)
    assert result.returncode != 0
    assert "PARKGUARD_CACHE_URL 须为 redis://" in result.stderr
    assert "secret" not in result.stderr
    assert manage("check", PARKGUARD_ENV="production", **PROD_KEYS).returncode == 0


def test_it_passes_the_deploy_checks_in_production() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PARKGUARD_ENV="production",
        ALLOWED_HOSTS="parkguard.example",
        **PROD_KEYS,
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("notbase64", "每个密钥须为 32 字节"),
        (
            f"{PROD_KEYS['PARKGUARD_ID_ENC_KEY']},ZGV2LW9ubHktaWQtZW5jcnlwdGlvbi1rZXktMDAwMDA=",
            "含开发环境的默认密钥",
        ),
    ],
)
def test_it_refuses_a_bad_or_development_encryption_key_in_production(
    key: str, message: str
) -> None:
    env = {**PROD_KEYS, "PARKGUARD_ID_ENC_KEY": key}
    result = manage("check", PARKGUARD_ENV="production", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_refuses_to_keep_the_audit_less_than_180_days() -> None:
    """Issue 18 §1: the audit log is kept at least 180 days; a shorter setting is refused at
    start-up (the purges never touch audit entries, tests/privacy/test_retention.py)."""
    result = manage("check", PARKGUARD_ENV="test", PARKGUARD_RETAIN_AUDIT_DAYS="179")
    assert result.returncode != 0
    assert "PARKGUARD_RETAIN_AUDIT_DAYS 不得少于 180 天" in result.stderr
    assert manage("check", PARKGUARD_ENV="test", PARKGUARD_RETAIN_AUDIT_DAYS="180").returncode == 0
