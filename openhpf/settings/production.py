"""Production settings: PostgreSQL, real secrets and keys required, secure cookies."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, HPF_KEY_DIR, SECRET_KEY
from .keys import production_key_errors, secret_key_errors

DEBUG = False
# bank channels only at hosts of HPF_BANK_URL_ALLOWLIST, every change through a checker (no local simulator link)
HPF_BANK_CHANNEL_DEV = False
for var in ("HPF_SECRET_KEY", "DATABASE_URL"):
    if not os.environ.get(var):
        raise ImproperlyConfigured(f"production settings need {var} in the environment")
# the development message channel stores login codes in the database for a page to show: never in production
OUTBOX_CHANNEL = "openhpf.iam.channels.OutboxChannel"
if _outbox := sorted(name for name, path in HPF_MESSAGE_CHANNELS.items() if path == OUTBOX_CHANNEL):  # noqa: F405
    raise ImproperlyConfigured(
        f"production refuses the development outbox channel for {', '.join(_outbox)}: set HPF_SMS_CHANNEL to the "
        "dotted path of the SMS gateway adapter")
if os.environ.get("HPF_DEV_OUTBOX", "0") != "0":
    raise ImproperlyConfigured("production refuses HPF_DEV_OUTBOX: the development outbox page shows login codes")
HPF_DEV_OUTBOX = False
# real SM4 data keys, blind-index key and SM2 seal key, never the development keys under var/keys, never a weak
# key or SECRET_KEY (keys.py)
if _key_errors := secret_key_errors(SECRET_KEY) + production_key_errors(HPF_KEY_DIR):
    raise ImproperlyConfigured("; ".join(_key_errors))
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("production runs on PostgreSQL")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = os.environ.get("HPF_SSL_REDIRECT", "1") == "1"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if os.environ.get("HPF_TRUSTED_PROXY_HOPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The OpenAPI document needs a staff sign-in (HPF_OPENAPI_LOGIN_REQUIRED=0 publishes it).
HPF_OPENAPI_LOGIN_REQUIRED = os.environ.get("HPF_OPENAPI_LOGIN_REQUIRED", "1") == "1"
# Production defaults: every staff user uses the TOTP second factor, one active session per staff user.
HPF_SECURITY = {
    **HPF_SECURITY,  # noqa: F405
    "TOTP_REQUIRED_ALL": os.environ.get("HPF_TOTP_REQUIRED_ALL", "1") == "1",
    "SINGLE_SESSION": os.environ.get("HPF_SINGLE_SESSION", "1") == "1",
}
