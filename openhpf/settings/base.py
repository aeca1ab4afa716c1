"""Base settings: the embedded default (SQLite under var/), configured from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HPF_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


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
DEBUG = os.environ.get("HPF_DEBUG", "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("HPF_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

# "center" runs one 管理中心; "hub" runs the provincial/national platform (ARCHITECTURE.md, roles).
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
    "openhpf.iam",
    "openhpf.access",
    "openhpf.approvals",
    "openhpf.security",
    "openhpf.accounts",
    "openhpf.contributions",
    "openhpf.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openhpf.core.middleware.RequestIdMiddleware",
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
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
HPF_KEY_DIR = Path(os.environ.get("HPF_KEY_DIR", VAR_DIR / "keys"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "openhpf.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("HPF_LOG_LEVEL", "WARNING")},
    "loggers": {
        "openhpf": {"handlers": ["console"], "level": os.environ.get("HPF_LOG_LEVEL", "INFO"), "propagate": False},
    },
}

# Key material and cryptography settings (SM2/SM3/SM4) live in their own module.
from .keys import *  # noqa: E402, F403
