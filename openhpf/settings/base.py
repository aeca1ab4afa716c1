"""Base settings: the embedded default (SQLite under var/), configured from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HPF_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Uploads: Django's copy of a request's large file goes to the service's own directory (swept after a kill,
# core.ingest.sweep_uploads), and no request's files may pass HPF_UPLOAD_MAX_BYTES (the centers' policy
# `upload.max_bytes` is checked below it by the views).
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
HPF_UPLOAD_MAX_BYTES = int(os.environ.get("HPF_UPLOAD_MAX_BYTES", 256 * 1024 ** 2))
FILE_UPLOAD_HANDLERS = [
    "openhpf.core.ingest.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]


def _secret_key() -> str:
    key = os.environ.get("HPF_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Off unless HPF_DEBUG=1 (every settings module: dev and test too; production forces it off). Django's debug page
# shows settings and request data; never leave it on where anyone but the developer can reach the server.
DEBUG = os.environ.get("HPF_DEBUG", "0") == "1"
DEFAULT_EXCEPTION_REPORTER_FILTER = "openhpf.core.edges.SafeReporterFilter"  # hides DATABASE_URL and the like
ALLOWED_HOSTS = [h for h in os.environ.get("HPF_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

# "center" runs one 管理中心; "hub" runs the provincial/national platform (docs/architecture.md, roles).
HPF_ROLE = os.environ.get("HPF_ROLE", "center")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI's assets locally (no CDN at run time)
    "openhpf.core",
    "openhpf.audit",
    "openhpf.ledger",
    "openhpf.documents",
    "openhpf.jobs",
    "openhpf.notifications",
    "openhpf.iam",
    "openhpf.access",
    "openhpf.approvals",
    "openhpf.security",
    "openhpf.verification",
    "openhpf.catalog",
    "openhpf.accounts",
    "openhpf.applications",
    "openhpf.contributions",
    "openhpf.settlement",
    "openhpf.reconciliation",
    "openhpf.finance",
    "openhpf.items",
    "openhpf.withdrawals",
    "openhpf.loans",
    "openhpf.servicehall",
    "openhpf.demo",
    "openhpf.console",
]

MIDDLEWARE = [
    # first: malformed input (NUL bytes, integers of 2^63 or more, bodies over DATA_UPLOAD_MAX_MEMORY_SIZE) → 4xx
    "openhpf.core.edges.EdgeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openhpf.core.middleware.RequestIdMiddleware",
    "openhpf.iam.middleware.SecurityHeadersMiddleware",
    "openhpf.iam.middleware.HtmxLoginRedirectMiddleware",
    "openhpf.iam.middleware.StaffSessionMiddleware",
    "openhpf.iam.middleware.ApiRateLimitMiddleware",
]

ROOT_URLCONF = "openhpf.urls"
WSGI_APPLICATION = "openhpf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "openhpf" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openhpf.console.context.console",
            ],
        },
    },
]


def database_from_url(url: str) -> dict[str, Any]:
    """One DATABASE_URL: sqlite:///path (WAL, foreign keys on) or postgres://…"""
    cfg: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if cfg["ENGINE"] == "django.db.backends.sqlite3":
        cfg["OPTIONS"] = {
            # WAL lets readers work beside the one writer; IMMEDIATE avoids upgrade deadlocks.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=30000; PRAGMA cache_size=-200000; PRAGMA temp_store=MEMORY;",
            "transaction_mode": "IMMEDIATE",
        }
    elif cfg["ENGINE"].startswith("django.db.backends.postgresql"):
        cfg["ENGINE"] = "django.db.backends.postgresql"
    return cfg


DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hpf.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
]
# Sign-in security policy (iam/policy.py has every key and its default): password length/classes/history/age,
# lockout after 5 failures for 30 minutes, 30-minute idle timeout, TOTP for staff, one-time codes.
HPF_SECURITY: dict[str, Any] = {
    "TOTP_REQUIRED_ALL": os.environ.get("HPF_TOTP_REQUIRED_ALL", "0") == "1",
    "SINGLE_SESSION": os.environ.get("HPF_SINGLE_SESSION", "0") == "1",
}
# The wire to the banks (core.bdc): a class with exchange(url, message, timeout=) → Outcome.
HPF_BDC_TRANSPORT = os.environ.get("HPF_BDC_TRANSPORT", "openhpf.settlement.transport.HttpJsonTransport")
# The verification sources (核验, openhpf/verification/sources.py): per source code, the adapter (a dotted path)
# and its options, timeout, attempts, backoff and circuit breaker; every source answers from the local registry
# unless set here. HPF_VERIFICATION_DEFAULTS overrides the defaults of every source.
HPF_VERIFICATION_DEFAULTS: dict[str, Any] = {}
HPF_VERIFICATION_SOURCES: dict[str, dict[str, Any]] = {}
# Where a bank channel may point (settlement.four_eyes): hosts (or host:port) of the banks' front ends, comma
# separated. Changing a channel is a maker-checker command; the web UI cannot add a host, only this setting can.
HPF_BANK_URL_ALLOWLIST = [h.strip() for h in os.environ.get("HPF_BANK_URL_ALLOWLIST", "").split(",") if h.strip()]
# Development and test: 127.0.0.1 and localhost are allowed on any port, and `hpf bank-sim-link` points a channel
# at the local bank simulator without a checker. Production turns this off.
HPF_BANK_CHANNEL_DEV = True
# Message channels by name (core/channels.py): services queue messages with notifications.services.notify and
# they are sent after commit. The development "sms" channel writes to the console's 发件箱 (iam.Outbox);
# production sets HPF_SMS_CHANNEL to the dotted path of its SMS gateway adapter.
HPF_MESSAGE_CHANNELS = {"sms": os.environ.get("HPF_SMS_CHANNEL", "openhpf.iam.channels.OutboxChannel")}
# the development page that shows what the outbox channel "sent" in clear (phones, live login codes):
# /security/outbox/dev/, off unless HPF_DEV_OUTBOX=1 (dev settings turn it on; production refuses it)
HPF_DEV_OUTBOX = os.environ.get("HPF_DEV_OUTBOX", "0") == "1"
# Sending retries (notifications/services.py): attempts before "failed", backoff doubling from BACKOFF_SECONDS
# up to BACKOFF_MAX_SECONDS, and how long a claimed send holds its row.
HPF_NOTIFICATIONS = {"MAX_ATTEMPTS": 5, "BACKOFF_SECONDS": 30, "BACKOFF_MAX_SECONDS": 3600, "LEASE_SECONDS": 120}
# Rate limits "N/seconds" (iam/ratelimit.py): sign-in per IP+name and per IP, API per token.
HPF_RATE_LIMITS = {"login": "20/300", "login_ip": "100/300", "api": "600/60"}
HPF_TRUSTED_PROXY_HOPS = int(os.environ.get("HPF_TRUSTED_PROXY_HOPS", "0"))
# The OpenAPI document (/api/v1/openapi.json) and its page (/api/v1/docs) only for signed-in staff or a staff
# token (iam.auth.openapi_login_required). Off here for development; on by default in production.
HPF_OPENAPI_LOGIN_REQUIRED = os.environ.get("HPF_OPENAPI_LOGIN_REQUIRED", "0") == "1"
# Sessions: server-side expiry 30 minutes after the last request (the idle timeout; StaffSessionMiddleware also
# enforces it), cookie gone when the browser closes, never readable by scripts.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The rate limiter's counters. LocMem: one process (runserver, tests: deterministic, cleared per test). A
# multi-process deployment sets HPF_CACHE_LOCATION to a shared database cache table (`hpf createcachetable`).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": os.environ["HPF_CACHE_LOCATION"]}
        if os.environ.get("HPF_CACHE_LOCATION")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hpf"}
    ),
}
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    d for d in [BASE_DIR / "openhpf" / "static", BASE_DIR / "node_modules" / ".hpf-assets"] if d.exists()
]
MEDIA_ROOT = Path(os.environ.get("HPF_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Audit rows must be sealed into the SM3 chain within this many seconds (hpf verify reports laggards).
HPF_AUDIT_SEAL_INTERVAL = int(os.environ.get("HPF_AUDIT_SEAL_INTERVAL", "300"))
# Each SM2-signed checkpoint head is appended to <dir>/<installation id>.anchor, outside the database
# (docs/security.md "审计链锚定与账簿摘要"). In production put it on storage the database superuser cannot write.
HPF_AUDIT_ANCHOR_DIR = Path(os.environ.get("HPF_AUDIT_ANCHOR_DIR", VAR_DIR / "audit-anchor"))
HPF_KEY_DIR = Path(os.environ.get("HPF_KEY_DIR", VAR_DIR / "keys"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "openhpf.core.logging.JsonFormatter"},
    },
    # no personal value or secret in a log line (core/logging.py): the formatter and the filter both redact
    "filters": {
        "redact": {"()": "openhpf.core.logging.RedactingFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("HPF_LOG_LEVEL", "WARNING")},
    "loggers": {
        "openhpf": {"handlers": ["console"], "level": os.environ.get("HPF_LOG_LEVEL", "INFO"), "propagate": False},
        # the development server's access log (request lines with their query strings)
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Key material and cryptography settings (SM2/SM3/SM4) live in their own module.
from .keys import *  # noqa: E402, F403

# The staff work queue: an application turns amber (即将到期) this many working days before its legal or promised due
# date (compared in SQL with the stored due dates; the threshold date is computed once per page).
HPF_QUEUE_AMBER_WORKING_DAYS = int(os.environ.get("HPF_QUEUE_AMBER_WORKING_DAYS", "2"))
