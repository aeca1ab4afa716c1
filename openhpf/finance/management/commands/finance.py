"""hpf finance report KIND --period P --format xlsx|pdf --out FILE | close --year Y | distribute --year Y |
liquidity [--on D] [--snapshot]."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openhpf.core.actors import Actor, is_system
from openhpf.core.cli_options import add_as, as_user, cli_actor
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.finance import liquidity, selectors, services
from openhpf.finance.periods import parse_period
from openhpf.finance.reports import FORMATS, export


class Command(BaseCommand):
    help = "财务：报表导出、年末增值收益结转与分配、流动性"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rep = sub.add_parser("report", help="导出财务报表")
        rep.add_argument("kind", choices=list(selectors.KINDS), help="报表：" + "、".join(
            f"{k} {v}" for k, v in selectors.KINDS.items()))
        rep.add_argument("--period", default="", help="YYYY-MM、YYYY-Qn、YYYY 或 YYYY-MM-DD（默认：业务日期所在月）")
        rep.add_argument("--format", default="xlsx", choices=list(FORMATS))
        rep.add_argument("--out", required=True, help="输出文件路径")
        close = sub.add_parser("close", help="年末结转：业务收入、业务支出转入增值收益；--as 经办人提交复核；不带 --as 时由系统直接记账")
        close.add_argument("--year", type=int, required=True)
        dist = sub.add_parser("distribute", help="增值收益分配：--as 经办人提交复核；不带 --as 时由系统直接记账")
        dist.add_argument("--year", type=int, required=True)
        liq = sub.add_parser("liquidity", help="流动性：个贷率、可用资金、预计支出")
        liq.add_argument("--on", help="日期（默认：业务日期）")
        liq.add_argument("--snapshot", action="store_true", help="写入当日流动性日报")
        for p in (rep, close, dist, liq):
            p.add_argument("--center", help="机构代码（默认：唯一的中心）")
            if p in (close, dist):
                p.add_argument("--as", dest="as_user", help="经办人用户名：提交复核（不带 --as 时由系统直接记账）")
            else:
                add_as(p)

    def handle(self, *args, **opts):
        center = (Center.objects.filter(code=opts["center"]).first() if opts.get("center")
                  else Center.objects.order_by("pk").first())
        if center is None:
            raise CommandError("没有管理中心")
        # distribute --as USER: that person submits the distribution for a checker (maker-checker); without
        # --as the system posts it directly, as year-end batch work does
        actor = as_user(opts) if opts["action"] == "distribute" and opts.get("as_user") else cli_actor(opts)
        try:
            out = getattr(self, f"_{opts['action']}")(center, actor, opts)
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))

    def _report(self, center: Center, actor: Actor, opts: dict[str, Any]) -> dict[str, Any]:
        period = parse_period(opts["period"], default=center.business_date)
        st = selectors.statement(opts["kind"], center=center, period=period, user=actor)
        data, _, _ = export(st, opts["format"], printed_on=center.business_date)
        path = Path(opts["out"])
        path.write_bytes(data)
        if not st.balanced:
            self.stderr.write("勾稽关系不成立：" + "；".join(f"{c.label} {c.detail}" for c in st.checks if not c.ok))
        return {"kind": st.kind, "title": st.title, "period": period.code, "file": str(path), "bytes": len(data),
                "balanced": st.balanced}

    def _close(self, center: Center, actor: Actor, opts: dict[str, Any]) -> dict[str, Any]:
        with transaction.atomic(durable=True):
            if is_system(actor):
                r = services.year_end_close(center=center, year=opts["year"], actor=actor,
                                            business_date=center.business_date)
                return {"year": r.year, "status": r.status, "revenue": r.revenue, "expense": r.expense,
                        "vouchers": r.close_vouchers}
            cmd = services.year_end_close_submit(center=center, year=opts["year"], actor=actor,
                                                 business_date=center.business_date)
            return {"pending_command": cmd.pk, "status": cmd.status, "summary": cmd.summary}

    def _distribute(self, center: Center, actor: Actor, opts: dict[str, Any]) -> dict[str, Any]:
        with transaction.atomic(durable=True):
            if is_system(actor):
                r = services.value_added_distribute(center=center, year=opts["year"], actor=actor,
                                                    business_date=center.business_date)
                return {"year": r.year, "status": r.status, "distributable": r.distributable,
                        "risk_reserve": r.risk_reserve, "management_fee": r.management_fee,
                        "lowrent_fund": r.lowrent_fund, "vouchers": r.distribution_vouchers}
            cmd = services.value_added_distribution_submit(center=center, year=opts["year"], actor=actor,
                                                           business_date=center.business_date)
            return {"pending_command": cmd.pk, "status": cmd.status, "summary": cmd.summary}

    def _liquidity(self, center: Center, actor: Actor, opts: dict[str, Any]) -> dict[str, Any]:
        on = date.fromisoformat(opts["on"]) if opts.get("on") else center.business_date
        if opts.get("snapshot"):
            with transaction.atomic(durable=True):
                s = liquidity.liquidity_snapshot(center=center, on=on, actor=actor)
            return {"snapshot": s.pk, "on": s.on, "loan_ratio": s.loan_ratio, "available": s.available,
                    "outflows_total": s.outflows_total, "level": s.level, "warnings": s.warnings}
        pos = liquidity.liquidity_position(center=center, on=on, user=actor)
        return {"on": pos.on, "loan_ratio": selectors.ratio_text(pos.loan_ratio),
                "year_end_loan_ratio": selectors.ratio_text(pos.year_end_ratio), "deposit_total": pos.deposit_total,
                "loan_total": pos.loan_total, "available": pos.available, "outflows_total": pos.outflows_total,
                "level": pos.level, "warnings": [a.message for a in pos.alerts]}
