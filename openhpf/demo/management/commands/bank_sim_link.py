"""hpf bank-sim-link: demo plumbing only. Opens the center's 专户 (taking over 10101) and a 增值收益 account at the
bank simulator (hpf bank-sim), with the bank's balances equal to the books on the business date, and points the
settlement gateway at it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from banksim.client import http_json
from openhpf.core.cli_options import add_common, common
from openhpf.core.errors import DomainError
from openhpf.ledger.selectors import gl_balance
from openhpf.settlement import services
from openhpf.settlement.models import BankAccount


class Command(BaseCommand):
    help = "演示用：把演示中心的专户开在银行模拟器（hpf bank-sim）上，余额与账面一致，并让结算网关连接它"

    def add_arguments(self, parser):
        add_common(parser)
        parser.add_argument("--url", default="http://127.0.0.1:8765", help="模拟器地址")
        parser.add_argument("--bank-code", default="ICBC")
        parser.add_argument("--bank-name", default="中国工商银行")
        parser.add_argument("--account-no", default="")

    def handle(self, *args, **opts):
        center, actor, bd = common(opts)
        try:
            out = _sim_link(center, actor, bd, opts)
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))


def _sim_link(center: Any, actor: Any, bd: Any, opts: dict[str, Any]) -> dict[str, Any]:
    """Demo plumbing only: open the center's 专户 (taking over 10101) and a 增值收益 account at the simulator,
    with the bank's balances equal to the books on the business date, and point the gateway at it."""
    url = opts["url"].rstrip("/")
    fund_no = opts["account_no"] or f"{center.code}0000000101"
    linked = []
    with transaction.atomic(durable=True):
        for kind, no in (("101", fund_no), ("102", f"{center.code}0000000102")):
            a = BankAccount.objects.filter(center=center, account_no=no).select_related("gl_account").first()
            if a is None:
                a = services.bank_account_open(center=center, bank_code=opts["bank_code"], bank_name=opts["bank_name"],
                                               account_no=no, account_name=center.name, kind=kind, actor=actor,
                                               business_date=bd)
                # the books of today already hold history the bank never saw: reconcile from tomorrow on
                a.reconcile_from = bd + timedelta(days=1)
                a.save(update_fields=["reconcile_from"])
            linked.append(a)
        services.bank_channel_link_local(center=center, bank_code=opts["bank_code"], url=f"{url}/bdc", actor=actor)
    out = []
    for a in linked:
        if a.reconcile_from is not None and a.reconcile_from <= bd:
            out.append({"account_no": a.account_no, "gl": a.gl_account.code, "linked_before": True})
            continue  # linked on an earlier day: the bank's books are its own now
        book = gl_balance(center=center, code_prefix=a.gl_account.code)
        status, body = http_json(url, "POST", "/sim/accounts", {"account": a.account_no, "name": a.account_name,
                                                                "bank_code": a.bank_code, "balance": book,
                                                                "date": bd.isoformat()})
        if status != 200:
            raise CommandError(f"模拟器拒绝开户：{body}")
        out.append({"account_no": a.account_no, "gl": a.gl_account.code, "balance": book})
    return {"url": url, "accounts": out}
