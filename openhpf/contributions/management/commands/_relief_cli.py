"""Shared plumbing of the relief commands: the center, the actor, the business date (openhpf.core.cli_options)."""

from openhpf.core.cli_options import add_common, common

__all__ = ["add_common", "common"]
