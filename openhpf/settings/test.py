"""Test settings: fast hashing, same database URL mechanism (SQLite by default, PostgreSQL via DATABASE_URL)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest-xdist workers each test on a database of their own, so their ids repeat: the files named after an
    # id (var/remit/errors-import-<id>.xlsx, …) go under a folder of each worker's own
    VAR_DIR = VAR_DIR / "xdist" / os.environ["PYTEST_XDIST_WORKER"]
    VAR_DIR.mkdir(parents=True, exist_ok=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hpf-test-media-"))
# audit anchors of test databases never mix with the development ones (the root conftest gives each test its own)
HPF_AUDIT_ANCHOR_DIR = Path(tempfile.mkdtemp(prefix="hpf-test-anchor-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # In-memory test database; WAL makes no sense there.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("HPF_TEST_SQLITE_NAME") or None}
elif os.environ.get("HPF_TEST_PG_NAME"):
    # several checkouts testing on one PostgreSQL server at once each name their own test database
    DATABASES["default"]["TEST"] = {"NAME": os.environ["HPF_TEST_PG_NAME"]}
