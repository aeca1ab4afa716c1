"""Production settings: PostgreSQL, real secrets and keys required, secure cookies."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
for var in ("HPF_SECRET_KEY", "DATABASE_URL", "HPF_SM4_KEY", "HPF_SM2_PRIVATE_KEY"):
    if not os.environ.get(var):
        raise ImproperlyConfigured(f"production settings need {var} in the environment")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("production runs on PostgreSQL")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
