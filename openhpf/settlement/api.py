"""JSON API of the settlement app (mounted at /api/v1/settlement/)."""

from ninja import Router

router = Router(tags=["settlement"])
