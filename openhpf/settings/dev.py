"""Embedded default used by `hpf` and `make run`. DEBUG stays off unless HPF_DEBUG=1 (base.py); static files are
served by WhiteNoise from STATIC_ROOT (`make run` collects them first), so the console works with DEBUG off."""

import os

from .base import *  # noqa: F403

# the development outbox page (login codes in clear) is a development aid: on here unless HPF_DEV_OUTBOX=0
HPF_DEV_OUTBOX = os.environ.get("HPF_DEV_OUTBOX", "1") == "1"
