"""The statement helpers of `openhpf.core.db`, under the name the ledger's and older callers' code uses."""

from __future__ import annotations

from openhpf.core.db import bulk_insert, execute, fetch, vendor

__all__ = ["bulk_insert", "execute", "fetch", "vendor"]
