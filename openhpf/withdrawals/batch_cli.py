"""The 批量支付 actions of `hpf withdrawals` (the command module wires them in): build and submit the batches of
the approved, held withdrawals as the staff member named by --as (a maker, `settlement.operate`), show one, and
release one as its checker (`approvals.approve`, never the maker). Output: JSON; errors: `[CODE] 中文说明`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError

from openhpf.core.cli_options import add_common, common
from openhpf.core.errors import DomainError, PermissionDenied

from . import batch

ACTIONS = frozenset({"batch", "batch-show", "batch-release"})


def add_arguments(sub: Any) -> None:
    p = sub.add_parser("batch", help="提取批量支付：已审批、已预留的提取，部分提取与销户提取各一批，提交待复核")
    add_common(p, money=True)
    p = sub.add_parser("batch-show", help="查看一笔提取批量支付（收款卡脱敏）")
    add_common(p)
    p.add_argument("--seq", required=True, help="批量支付的结算流水号")
    p = sub.add_parser("batch-release", help="复核放行提取批量支付（四眼：不能是经办人）")
    add_common(p, money=True)
    p.add_argument("--seq", required=True, help="批量支付的结算流水号")
    p.add_argument("--reason", default="")


def handle(opts: dict[str, Any]) -> str:
    action = opts["action"]
    center, actor, bd = common(opts, money=action != "batch-show")
    try:
        if action == "batch":
            out: Any = [batch.batch_summary(ins) for ins in batch.payout_batches(center=center, actor=actor,
                                                                                 business_date=bd)]
        elif action == "batch-show":
            out = batch.batch_summary(batch.batch_get(center=center, seq=opts["seq"]))
        else:  # batch-release
            out = batch.batch_summary(batch.batch_release(center=center, seq=opts["seq"], actor=actor,
                                                          business_date=bd, reason=opts["reason"]))
    except (DomainError, PermissionDenied) as e:
        raise CommandError(f"[{getattr(e.code, 'value', e.code)}] {e.message}") from None
    return json.dumps(out, ensure_ascii=False, default=str)
