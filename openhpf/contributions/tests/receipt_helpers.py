"""Shared set-up of the hand-typed receipt tests: a confirmed November remittance of three accounts, and a receipt
registered by hand by a finance clerk."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import finance_clerk
from openhpf.contributions.models import Receipt, Remittance
from openhpf.contributions.remittance.services import (
    receipt_register_manual,
    remittance_confirm,
    remittance_create,
)
from openhpf.core.actors import SystemActor

SYS = SystemActor("test")


def confirmed_remittance(center: Any) -> Remittance:
    emp = make_employer(center, 1)
    for i in range(1, 4):
        make_account(center, emp, i)
    bd = center.business_date
    with transaction.atomic():
        r = remittance_create(employer=emp, month="2026-11", actor=SYS, business_date=bd)
        return remittance_confirm(remittance=r, actor=SYS, business_date=bd)


def manual_receipt(center: Any, amount: int, ref: str, **kw: Any) -> Receipt:
    with transaction.atomic():
        return receipt_register_manual(center=center, amount=amount, value_date=kw.pop("value_date", center.business_date),
                                       bank_ref=ref, actor=finance_clerk(), business_date=center.business_date, **kw)
