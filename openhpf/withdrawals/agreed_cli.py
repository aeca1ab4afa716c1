"""The 约定提取 actions of `hpf withdrawals` (the command module wires them in). Signing, stopping and starting a
run act as the staff member named by --as (a maker; the checker approves through approvals, or
`agreed-release`, never the maker); lists act as SystemActor("cli"). Output: JSON; errors: `[CODE] 中文说明`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from openhpf.accounts.selectors import member_account_get
from openhpf.core.cli_options import add_common, common
from openhpf.core.errors import DomainError, ValidationReport
from openhpf.core.money import parse_yuan

from . import agreed

MAKER_ACTIONS = frozenset({"agreed-run", "agreed-release"})


def add_arguments(sub: Any) -> None:
    ag = sub.add_parser("agreement", help="约定提取协议：签订、终止（提交复核）、查询")
    asub = ag.add_subparsers(dest="agreement_action", required=True)
    p = asub.add_parser("sign", help="签订约定提取协议（提交复核，复核通过后生效）")
    add_common(p, money=True)
    p.add_argument("--account-no", required=True, help="个人账号")
    p.add_argument("--loan-kind", required=True, choices=["hpf", "commercial"], help="hpf 公积金贷款，commercial 商业贷款")
    p.add_argument("--contract-no", required=True, help="借款合同号")
    p.add_argument("--installment", default="0", help="月还款额（元）；公积金贷款按贷款的月还款额")
    p.add_argument("--amount-rule", default="installment", choices=["installment", "fixed"],
                   help="installment 按月还款额，fixed 固定金额")
    p.add_argument("--fixed-amount", default="0", help="固定金额（元）")
    p.add_argument("--start-month", required=True, help="起始月份 YYYY-MM")
    p.add_argument("--end-month", default="", help="终止月份 YYYY-MM（可不填）")
    p.add_argument("--bank-code", default="", help="贷款银行代码（商业贷款）")
    p.add_argument("--bank-name", default="", help="贷款银行（商业贷款）")
    p.add_argument("--repay-account", default="", help="还款账号（商业贷款）")
    p.add_argument("--repay-name", default="", help="还款账户户名（借款人）")
    p = asub.add_parser("stop", help="终止约定提取协议（提交复核）")
    add_common(p, money=True)
    p.add_argument("--id", type=int, required=True, help="协议编号")
    p.add_argument("--reason", required=True, help="终止原因")
    p = asub.add_parser("list", help="约定提取协议列表（脱敏）")
    add_common(p)
    p.add_argument("--status", default="", help="状态：pending、active、stopping、stopped、rejected")
    p.add_argument("--account-no", default="")
    p.add_argument("--page", type=int, default=1)
    p = sub.add_parser("agreed-run", help="运行本月约定提取（预留、提交批量付款待复核）")
    add_common(p, money=True)
    p.add_argument("--month", required=True, help="月份 YYYY-MM（须为当前业务月份）")
    p = sub.add_parser("agreed-runs", help="约定提取批次列表")
    add_common(p)
    p.add_argument("--page", type=int, default=1)
    p = sub.add_parser("agreed-release", help="复核放行约定提取批量付款（四眼：不能是经办人）")
    add_common(p, money=True)
    p.add_argument("--run", type=int, required=True, help="批次编号")
    p.add_argument("--reason", default="")


def _month(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        y, m = value.split("-")
        return date(int(y), int(m), 1)
    except ValueError:
        raise CommandError(f"[WITHDRAWAL_AGREEMENT_INVALID] {field} 格式应为 YYYY-MM：{value}") from None


def _paged(p: Any) -> dict[str, Any]:
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": p.items}


def handle(opts: dict[str, Any]) -> str:
    action = opts["action"]
    sub = opts.get("agreement_action") or ""
    money = action in MAKER_ACTIONS or sub in ("sign", "stop")
    center, actor, bd = common(opts, money=money)
    try:
        if sub == "sign":
            start = _month(opts["start_month"], "--start-month")
            if start is None:
                raise CommandError("[WITHDRAWAL_AGREEMENT_INVALID] 请填写 --start-month（YYYY-MM）")
            account = member_account_get(center=center, account_no=opts["account_no"], user=actor)
            with transaction.atomic(durable=True):
                ag = agreed.agreement_sign(
                    account=account, loan_kind=opts["loan_kind"], contract_no=opts["contract_no"],
                    installment=parse_yuan(opts["installment"], field="installment"), amount_rule=opts["amount_rule"],
                    fixed_amount=parse_yuan(opts["fixed_amount"], field="fixed_amount"), start_month=start,
                    end_month=_month(opts["end_month"], "--end-month"), bank_code=opts["bank_code"],
                    bank_name=opts["bank_name"], repay_account=opts["repay_account"], repay_name=opts["repay_name"],
                    actor=actor, business_date=bd)
            out: Any = agreed.agreement_summary(agreed.agreement_get(center=center, pk=ag.pk))
        elif sub == "stop":
            with transaction.atomic(durable=True):
                ag = agreed.agreement_stop(agreement=agreed.agreement_get(center=center, pk=opts["id"]),
                                           reason=opts["reason"], actor=actor, business_date=bd)
            out = agreed.agreement_summary(agreed.agreement_get(center=center, pk=ag.pk))
        elif sub == "list":
            out = _paged(agreed.agreements_page(center=center, actor=actor, status=opts["status"],
                                                account_no=opts["account_no"], page=opts["page"]))
        elif action == "agreed-run":
            out = agreed.run_summary(agreed.agreed_run_month(center=center, month=opts["month"], actor=actor,
                                                             business_date=bd))
        elif action == "agreed-runs":
            out = _paged(agreed.runs_page(center=center, page=opts["page"]))
        else:  # agreed-release
            out = agreed.run_summary(agreed.agreed_release(run=agreed.run_get(center=center, pk=opts["run"]),
                                                           actor=actor, business_date=bd, reason=opts["reason"]))
    except ValidationReport as r:
        raise CommandError("；".join(f"[{e.code}] {e.message}" for e in r.errors)) from None
    except DomainError as e:
        raise CommandError(f"[{e.code}] {e.message}") from None
    return json.dumps(out, ensure_ascii=False, default=str)
