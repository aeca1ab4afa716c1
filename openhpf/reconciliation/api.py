"""JSON API of the reconciliation app (mounted at /api/v1/reconciliation/)."""

from ninja import Router

router = Router(tags=["reconciliation"])
