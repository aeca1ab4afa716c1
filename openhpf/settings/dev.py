"""Embedded default used by `hpf` and `make run`."""

from .base import *  # noqa: F403
