"""Writes of bank settlement: entrusted bank accounts (专户), settlement instructions through the gateway,
inbound notices (DOMAIN.md "Bank settlement")."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from openhpf.access.selectors import check_permission
from openhpf.audit.services import actor_label, audit_log
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.ledger.chart import DEFAULT_BANK
from openhpf.ledger.models import GLAccount

from .models import BankAccount


def bank_account_open(
    *, center: Center, bank_code: str, bank_name: str, account_no: str, account_name: str, actor: Any,
    business_date: date, kind: str = BankAccount.Kind.FUND,
) -> BankAccount:
    """开立专户: the bank account and its ledger sub-account (101xx, or 102xx for 增值收益存款). The center's first
    fund account takes over the default 10101 (where the cut-over and earlier receipts already sit)."""
    check_permission(actor, "settlement.operate", center=center)
    bank_code, bank_name, account_no = bank_code.strip(), bank_name.strip(), account_no.strip()
    account_name = account_name.strip() or center.name
    if not bank_code:
        raise DomainError("BANK_CODE_REQUIRED", "请填写银行代码", field="bank_code")
    if not bank_name:
        raise DomainError("BANK_NAME_REQUIRED", "请填写开户银行", field="bank_name")
    if not account_no.isdigit() or not 8 <= len(account_no) <= 40:
        raise DomainError("BANK_ACCOUNT_NO", "银行账号应为 8 至 40 位数字", field="account_no")
    if kind not in BankAccount.Kind.values:
        raise DomainError("BANK_ACCOUNT_KIND", "专户类别应为 101 或 102", field="kind")
    with transaction.atomic():
        if BankAccount.objects.filter(account_no=account_no).exists() or GLAccount.objects.filter(
                center=center, bank_account_no=account_no).exists():
            raise DomainError("BANK_ACCOUNT_EXISTS", f"银行账号 {account_no} 已登记", field="account_no")
        parent = GLAccount.objects.select_for_update().get(center=center, code=kind)
        default = GLAccount.objects.filter(center=center, code=DEFAULT_BANK).first()
        if (kind == BankAccount.Kind.FUND and default is not None and not default.bank_account_no
                and not BankAccount.objects.filter(gl_account=default).exists()):
            gl = default
            gl.name, gl.bank_name, gl.bank_account_no = f"{bank_name}专户", bank_name, account_no
            gl.save(update_fields=["name", "bank_name", "bank_account_no"])
        else:
            codes = GLAccount.objects.filter(center=center, parent=parent).values_list("code", flat=True)
            n = max((int(c[len(kind):]) for c in codes if c[len(kind):].isdigit()), default=0) + 1
            if n > 99:
                raise DomainError("BANK_ACCOUNT_LIMIT", "专户科目已满 99 个", field="account_no")
            gl = GLAccount.objects.create(
                center=center, code=f"{kind}{n:02d}", name=f"{bank_name}专户", category=parent.category,
                normal_side=parent.normal_side, parent=parent, bank_name=bank_name, bank_account_no=account_no)
            if parent.is_leaf:
                parent.is_leaf = False
                parent.save(update_fields=["is_leaf"])
        acct = BankAccount.objects.create(
            center=center, bank_code=bank_code, bank_name=bank_name, account_no=account_no,
            account_name=account_name, kind=kind, gl_account=gl, opened_on=business_date,
            created_by=actor_label(actor)[0])
        audit_log(actor=actor, action="settlement.bank_account.open", obj=acct, center=center,
                  business_date=business_date,
                  after={"bank": bank_name, "account_no": account_no, "kind": kind, "gl": gl.code})
        return acct
