"""ParkGuard settings: one module, every value from the environment.

`PARKGUARD_ENV` is `development` (the default, for `make run`), `test` or `production`.
Development keys are built in so a fresh clone runs at once; production refuses them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from parkguard.lib.env import (
    CONN_MAX_AGE,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PARKGUARD_VAR_DIR", str(BASE_DIR / "var")))
# More rule packs beside the built-in ones (a directory of *.yaml with its own published.lock).
PACKS_DIR = env_str("PARKGUARD_PACKS_DIR", "")
# The embedded SQLite and huey's queue live here; SQLite creates files, not folders.
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = env_str("PARKGUARD_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"PARKGUARD_ENV 只能是 development、test 或 production: {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

# Keys for development only; production must set its own (see _require_real_keys below).
_DEV_KEYS = {
    "SECRET_KEY": "dev-only-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz",
    "PARKGUARD_ID_HMAC_KEY": "dev-only-id-hmac-key-0123456789abcdef",
    # 32 url-safe base64 bytes (the AES-256-GCM ID key, also read as a Fernet key); dev only.
    "PARKGUARD_ID_ENC_KEY": "ZGV2LW9ubHktaWQtZW5jcnlwdGlvbi1rZXktMDAwMDA=",
    # Signs the rotating gate pass tokens (parkguard/gate/tokens.py); dev only.
    "PARKGUARD_TOKEN_KEY": "dev-only-gate-pass-token-key-0123456789abcdef",
}


def _key(name: str) -> str:
    value = env_str(name)
    if value:
        if PRODUCTION and value == _DEV_KEYS[name]:
            raise ImproperlyConfigured(f"{name} 使用了开发环境的默认值，生产环境必须另设密钥")
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"生产环境必须通过环境变量设置 {name}")
    return _DEV_KEYS[name]


def _enc_keys() -> list[str]:
    """Encryption keys, newest first; each must be a Fernet key (32 url-safe base64 bytes)."""
    keys = [k.strip() for k in _key("PARKGUARD_ID_ENC_KEY").split(",") if k.strip()]
    for key in keys:
        if PRODUCTION and key == _DEV_KEYS["PARKGUARD_ID_ENC_KEY"]:
            raise ImproperlyConfigured(
                "PARKGUARD_ID_ENC_KEY 含开发环境的默认密钥，生产环境不得使用"
            )
        try:
            if len(base64.urlsafe_b64decode(key.encode())) != 32:
                raise ValueError
        except ValueError:
            raise ImproperlyConfigured(
                "PARKGUARD_ID_ENC_KEY 每个密钥须为 32 字节的 URL 安全 base64 编码（Fernet 密钥）"
            ) from None
    return keys


SECRET_KEY = _key("SECRET_KEY")
ID_HMAC_KEY = _key("PARKGUARD_ID_HMAC_KEY")
ID_ENC_KEYS = _enc_keys()  # newest first; older keys still decrypt
GATE_TOKEN_KEY = _key("PARKGUARD_TOKEN_KEY")
# Keys the audit chain's HMAC links and head. Set it apart from SECRET_KEY so that key can
# rotate; unset, it is derived from SECRET_KEY (rotating SECRET_KEY then breaks verify).
AUDIT_HMAC_KEY = (
    env_str("PARKGUARD_AUDIT_KEY")
    or hmac.new(SECRET_KEY.encode(), b"parkguard audit chain v2", hashlib.sha256).hexdigest()
)

DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "parkguard.audit",
    "parkguard.orgs",
    "parkguard.people",
    "parkguard.rules",
    "parkguard.notify",
    "parkguard.overview",
    "parkguard.demo",
    "parkguard.status",
    "parkguard.duties",
    "parkguard.health",
    "parkguard.gate",
    "parkguard.mobility",
    "parkguard.sampling",
    "parkguard.oversight",
    "parkguard.response",
    "parkguard.supplies",
    "parkguard.logistics",
    "parkguard.continuity",
    "parkguard.command",
    "parkguard.reporting",
    "parkguard.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content security policy (scripts from this site only) and a permissions policy.
    "parkguard.lib.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Oversized bodies, NUL characters and broken multipart stop here (README: limits).
    "parkguard.lib.request_guard.RequestGuardMiddleware",
    # A view that finds the database away answers 503 with Retry-After.
    "parkguard.lib.outage.OutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); admins and anyone who may reveal must pass a TOTP code.
    "django_otp.middleware.OTPMiddleware",
    "parkguard.orgs.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "parkguard.urls"
WSGI_APPLICATION = "parkguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parkguard.orgs.context.navigation",
                "parkguard.notify.context.inbox",
            ],
            # `|free_text` in every template: ID and phone numbers typed into free text are
            # shown masked (parkguard/lib/free_text.py).
            "builtins": ["parkguard.lib.free_text"],
        },
    },
]

# SQLite is the embedded default: WAL for concurrent readers, synchronous=FULL so a
# committed record survives a power cut; IMMEDIATE transactions avoid lock upgrades.
_database_url = env_str("DATABASE_URL")
if _database_url:
    _default_db = database_from_url(_database_url)
else:
    _default_db = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "parkguard.sqlite3"}
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    _default_db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Kept across requests as PostgreSQL's is: closing the last connection to a WAL database
    # checkpoints the WAL into the file and deletes it, and the next request reopens, reruns
    # the PRAGMAs and recreates it (most of a gate check's time on SQLite, docs/gate.md).
    _default_db["CONN_MAX_AGE"] = CONN_MAX_AGE
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's rule with a Chinese message (its zh-Hans catalogue lacks this one).
    {"NAME": "parkguard.orgs.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENVIRONMENT == "test":
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout: this many failures within the window locks the account for the window.
LOGIN_MAX_FAILURES = env_int("PARKGUARD_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("PARKGUARD_LOGIN_LOCK_MINUTES", 15)
# ... and this many failures from one client address (any login names) locks that address.
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("PARKGUARD_LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
# POSTs of credentials (login, back-office login, activation, second factor) one client
# address may send per minute, right or wrong: each costs a password hash, so a flood is
# refused before any form runs (issue 18 §3). 0 turns it off: the default in tests, which
# log in from one address many times a minute and switch it on where they test it.
CREDENTIAL_POSTS_PER_MINUTE = env_int(
    "PARKGUARD_CREDENTIAL_POSTS_PER_MINUTE", 0 if ENVIRONMENT == "test" else 120
)
# A second factor (TOTP) for park and enterprise admins and anyone who may reveal an ID
# number (orgs.access.second_factor_required). Always on in production; off by default in
# development (the demo accounts) and in tests, which switch it on where they test it.
SECOND_FACTOR_REQUIRED = PRODUCTION or env_bool("PARKGUARD_SECOND_FACTOR", False)
OTP_TOTP_ISSUER = "ParkGuard"
# Manual status overrides proposed in one enterprise within an hour, beyond which more are
# refused and the park is alerted (issue 18 §2).
STATUS_OVERRIDES_PER_HOUR = env_int("PARKGUARD_STATUS_OVERRIDES_PER_HOUR", 10)
# Subject rights (issue 18 §4, PIPL Art. 44-45): an officer of the person's enterprise answers a
# correction request within this many days; later ones are flagged to the officer and the park.
PRIVACY_CORRECTION_DAYS = env_int("PARKGUARD_CORRECTION_DAYS", 15)
# Retention (issue 18 §5): days each kind of record is kept before the nightly purge deletes
# it, PARKGUARD_RETAIN_<KIND>_DAYS (kinds in parkguard/privacy/retention.py). The audit log
# is never purged by it and must be kept at least 180 days.
RETENTION_DEFAULT_DAYS = {
    "declarations": 30,
    "temperatures": 30,
    "alerts": 90,
    "samples": 90,
    "trips": 90,
    "returns": 90,
    "visitors": 30,
    "access_log": 30,
    "zone_moves": 90,
}
RETENTION_DAYS = {
    kind: env_int(f"PARKGUARD_RETAIN_{kind.upper()}_DAYS", days)
    for kind, days in RETENTION_DEFAULT_DAYS.items()
}
AUDIT_RETAIN_DAYS = env_int("PARKGUARD_RETAIN_AUDIT_DAYS", 180)
if AUDIT_RETAIN_DAYS < 180:
    raise ImproperlyConfigured("PARKGUARD_RETAIN_AUDIT_DAYS 不得少于 180 天")
for _kind, _days in RETENTION_DAYS.items():
    if _days < 1:
        raise ImproperlyConfigured(f"PARKGUARD_RETAIN_{_kind.upper()}_DAYS 至少为 1 天")
# A one-time activation code (first login, or a reset) expires after this many days.
ACTIVATION_CODE_DAYS = env_int("PARKGUARD_ACTIVATION_DAYS", 7)
# A return may be declared before arrival, but not for an arrival further ahead than this.
MOBILITY_ARRIVAL_AHEAD_DAYS = env_int("PARKGUARD_ARRIVAL_AHEAD_DAYS", 14)
# A visitor's fill-in link expires after this many hours; each link may be opened or sent at
# most this many times per hour (a rate limit for a page without login).
# When policy changes, returns with no plan that arrived within this many days are
# recomputed too (they may now need one).
MOBILITY_RECOMPUTE_DAYS = env_int("PARKGUARD_RECOMPUTE_DAYS", 14)
MOBILITY_VISITOR_LINK_HOURS = env_int("PARKGUARD_VISITOR_LINK_HOURS", 72)
MOBILITY_VISITOR_LINK_USES = env_int("PARKGUARD_VISITOR_LINK_USES", 30)
MOBILITY_VISITOR_LINK_WINDOW_MINUTES = env_int("PARKGUARD_VISITOR_LINK_WINDOW_MINUTES", 60)
# A visitor's gate pass lasts at most this many days from its start (the officer enters the
# departure; a longer stay is a new pass).
MOBILITY_VISITOR_PASS_DAYS = env_int("PARKGUARD_VISITOR_PASS_DAYS", 7)

# Idle sessions end after this many minutes without a request.
SESSION_COOKIE_AGE = env_int("PARKGUARD_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form (expired page, other origin) gets a Chinese page with a way back.
CSRF_FAILURE_VIEW = "parkguard.lib.outage.csrf_failure"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Pages are served from the source tree until `collectstatic` fills STATIC_ROOT in production.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Upload limits (README, "上传限制"): checked by reading the file, before any parser sees it.
# Request limits (README "上传与请求大小"): a JSON API body, any other non-file body, and
# an upload; each refused with a 413 before it is read.
API_MAX_BODY_BYTES = env_int("PARKGUARD_API_MAX_BODY_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("PARKGUARD_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("PARKGUARD_IMPORT_MAX_ROWS", 200_000)
# All parts of an .xlsx once inflated (200,000 template rows are about 120 MB).
IMPORT_MAX_INFLATED_BYTES = env_int("PARKGUARD_IMPORT_MAX_INFLATED_BYTES", 160 * 1024 * 1024)
# A running import whose worker sent no heartbeat for this long is taken for dead and
# recovered (re-queued once) or failed; a checked import not confirmed within the hours
# below is cancelled. Uploads and staged rows of finished imports are purged.
IMPORT_LEASE_SECONDS = env_int("PARKGUARD_IMPORT_LEASE_SECONDS", 120)
IMPORT_READY_HOURS = env_int("PARKGUARD_IMPORT_READY_HOURS", 24)
# Fault tests only (tests/test_import_kill.py): a folder where a server or consumer pauses at
# an armed write point (parkguard/lib/fault_points.py) so a test can kill it there. Never in
# production: the setting is ignored there.
FAULT_POINTS_DIR = "" if PRODUCTION else env_str("PARKGUARD_FAULT_POINTS_DIR", "")
# A rule pack file (.yaml) uploaded or pasted; the built-in ones are under 30 KB.
PACK_MAX_BYTES = env_int("PARKGUARD_PACK_MAX_BYTES", 512 * 1024)
# How many ID numbers one pasted assistance lookup (协查) may hold (issue 9 §2).
LOOKUP_MAX_NUMBERS = env_int("PARKGUARD_LOOKUP_MAX_NUMBERS", 1000)
# ... and how many one login may look up in an hour, over all its pastes (the well-formed,
# distinct numbers), counted in the shared cache: a list from above is answered in a paste or
# two, a login trying numbers by the thousand is refused and audited (issue 18). 0: no limit.
LOOKUP_NUMBERS_PER_HOUR = env_int("PARKGUARD_LOOKUP_NUMBERS_PER_HOUR", 2000)

# Plausible body temperatures (°C, tenths as integers) a thermometer may report. Not a notice
# number: it catches typos and misreads (25 ℃, 45 ℃) before they open or hide a fever alert.
# The fever threshold itself comes from the rule pack the park follows.
TEMPERATURE_MIN_TENTHS = env_int("PARKGUARD_TEMPERATURE_MIN_TENTHS", 340)
TEMPERATURE_MAX_TENTHS = env_int("PARKGUARD_TEMPERATURE_MAX_TENTHS", 420)

# The gate (docs/gate.md). Product settings, not policy: how often the phone pass code
# rotates and how long one code stays valid (a screenshot is useless after that), how many
# checks one gate device may send per minute, and how late a kiosk may replay a check it
# queued during a network drop (it keeps the original time).
GATE_PASS_ROTATE_SECONDS = env_int("PARKGUARD_PASS_ROTATE_SECONDS", 60)
GATE_PASS_TTL_SECONDS = env_int("PARKGUARD_PASS_TTL_SECONDS", 120)
GATE_DEVICE_CHECKS_PER_MINUTE = env_int("PARKGUARD_GATE_DEVICE_CHECKS_PER_MINUTE", 600)
GATE_OFFLINE_MAX_MINUTES = env_int("PARKGUARD_GATE_OFFLINE_MAX_MINUTES", 30)
# Every other call one device token (a gate device, a lab system) may make per minute, over
# all endpoints but the gate check (which has its own limit above): issue 18 §3.
API_TOKEN_REQUESTS_PER_MINUTE = env_int("PARKGUARD_API_TOKEN_REQUESTS_PER_MINUTE", 600)
# Prepare the hot paths' statements on PostgreSQL (lib/hot_sql.py); off behind a pooler in
# transaction mode that cannot keep prepared statements.
DB_PREPARE = env_bool("PARKGUARD_DB_PREPARE", True)
# How long a process keeps a device token it has read (a revocation made in another process
# takes effect within this time; in the revoking process at once); off in tests.
API_TOKEN_CACHE_SECONDS = env_int(
    "PARKGUARD_API_TOKEN_CACHE_SECONDS", 0 if ENVIRONMENT == "test" else 5
)
# How long a gate process keeps the packs a park follows (a new adoption reaches the gates
# within this time); off in tests, where every test adopts its own.
GATE_PACKS_CACHE_SECONDS = env_int(
    "PARKGUARD_GATE_PACKS_CACHE_SECONDS", 0 if ENVIRONMENT == "test" else 60
)
# Protective supplies: days of issues averaged for the usage rate (an operational window, not
# a notice's figure), and a sanity bound on one move's quantity (typos, not policy).
SUPPLIES_USAGE_WINDOW_DAYS = env_int("PARKGUARD_SUPPLIES_USAGE_WINDOW_DAYS", 7)
SUPPLIES_MAX_QUANTITY = env_int("PARKGUARD_SUPPLIES_MAX_QUANTITY", 1_000_000)
# Sources of the daily report and the command board from apps above `reporting` (lockdowns,
# closed-loop production): dotted paths of callables, see parkguard/reporting/contributors.py.
REPORT_CONTRIBUTORS: list[str] = [
    "parkguard.command.reporting.lockdowns",
    "parkguard.continuity.reporting.closed_loops",
]
# Disinfection: a sanity bound on an area's rounds per slot, and the largest photo accepted.
DISINFECTION_MAX_ROUNDS = env_int("PARKGUARD_DISINFECTION_MAX_ROUNDS", 12)
DISINFECTION_PHOTO_MAX_BYTES = env_int("PARKGUARD_DISINFECTION_PHOTO_MAX_BYTES", 2 * 1024 * 1024)
# Zones: the largest site plan (SVG) an enterprise may upload.
SITE_PLAN_MAX_BYTES = env_int("PARKGUARD_SITE_PLAN_MAX_BYTES", 512 * 1024)
# Trucks: how long a carrier's declaration link stays valid, how many declarations one link
# takes per window (abuse, not policy), plate lengths (7 characters, 8 for new-energy plates),
# a sanity bound on vaccine doses, and the crew rows the phone form offers.
TRUCK_LINK_HOURS = env_int("PARKGUARD_TRUCK_LINK_HOURS", 72)
TRUCK_LINK_RATE_LIMIT = env_int("PARKGUARD_TRUCK_LINK_RATE_LIMIT", 20)
TRUCK_LINK_RATE_WINDOW_SECONDS = env_int("PARKGUARD_TRUCK_LINK_RATE_WINDOW_SECONDS", 3600)
TRUCK_PLATE_MIN = 7
TRUCK_PLATE_MAX = 8
TRUCK_MAX_VACCINE_DOSES = 10
TRUCK_CREW_ROWS = 3
# Digits of a parcel pick-up code.
PARCEL_CODE_DIGITS = 6

# The shared cache, where every rate limit counts (parkguard/lib/rate_window.py): Redis at
# PARKGUARD_CACHE_URL, so all workers add to one count. Without it each process counts in its
# own memory and a limit is multiplied by the number of workers: production refuses that.
# PARKGUARD_CACHE_PREFIX keeps two deployments on one Redis apart.
_cache_url = env_str("PARKGUARD_CACHE_URL")
if PRODUCTION and not _cache_url:
    raise ImproperlyConfigured(
        "生产环境必须设置 PARKGUARD_CACHE_URL（共享缓存 Redis，如 redis://127.0.0.1:6379/3）："
        "否则限速按进程分别计数，上限会随工作进程数成倍放大"
    )
if _cache_url and not _cache_url.startswith(("redis://", "rediss://", "unix://")):
    _shown = _cache_url.split("@")[-1]  # never echo a password in the URL
    raise ImproperlyConfigured(
        f"PARKGUARD_CACHE_URL 须为 redis://、rediss:// 或 unix:// 地址: {_shown!r}"
    )
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env_str("PARKGUARD_CACHE_PREFIX", "parkguard"),
            # An unreachable Redis answers within a second (the counters then let a gate
            # check through, see rate_window) rather than hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Jobs: huey on SQLite by default, Redis when HUEY_REDIS_URL is set; tests run tasks inline.
_huey_redis = env_str("HUEY_REDIS_URL")
HUEY = {
    # A separate name keeps two deployments (or test runs) on one Redis apart.
    "name": env_str("HUEY_NAME", "parkguard"),
    "immediate": ENVIRONMENT == "test" or env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
}
if _huey_redis:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _huey_redis})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})
# On Redis a started job is leased; one still unfinished this long after it began is taken
# for lost (its consumer died) and requeued (parkguard/lib/queue_lease.py). Longer than any job.
HUEY_LEASE_SECONDS = env_int("HUEY_LEASE_SECONDS", 30 * 60)

# Notifications. Group robots are off until an admin configures one; test settings may post
# to a fake robot on 127.0.0.1 over plain http, nothing else may. SMS sends nothing by default.
NOTIFY_WEBHOOK_ALLOW_LOCAL = ENVIRONMENT == "test"
NOTIFY_WEBHOOK_TIMEOUT = env_int("PARKGUARD_WEBHOOK_TIMEOUT", 5)
NOTIFY_SMS_BACKEND = env_str("PARKGUARD_SMS_BACKEND", "parkguard.notify.sms.NullSmsBackend")
# The health app's "who has not declared" query for the reminder job (see notify/reminders.py).
NOTIFY_UNDECLARED_QUERY = env_str("PARKGUARD_UNDECLARED_QUERY", "")

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every handler masks ID and phone numbers (parkguard.lib.logmask). Django's own loggers are
# redefined here so none keeps a handler from Django's defaults that lacks the filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "parkguard.lib.logmask.PersonalDataFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # Configured here, huey's consumer adds no handler of its own (one without the filter).
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
