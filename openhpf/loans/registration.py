"""The loan application's handler on the engine (HPF-P-LOAN): validate and rule inputs (handlers.py), execute =
the disbursement (disburse.py), the payload in a clerk's words."""

from __future__ import annotations

from openhpf.applications.registry import Handler
from openhpf.applications.registry import register_handler as _register

from . import disburse, handlers

HANDLER = Handler(item_code=handlers.ITEM_CODE, validate=handlers.validate, rule_inputs=handlers.rule_inputs,
                  execute=disburse.execute, amount=lambda p: p.get("amount"), describe=handlers.describe,
                  form=handlers.LoanApplicationForm)


def register_handler() -> None:
    _register(HANDLER)
