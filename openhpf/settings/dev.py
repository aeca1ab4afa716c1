"""Embedded default used by `hpf` and `make run`. DEBUG stays off unless HPF_DEBUG=1 (base.py); static files are
served by WhiteNoise from STATIC_ROOT (`make run` collects them first), so the console works with DEBUG off."""

from .base import *  # noqa: F403
