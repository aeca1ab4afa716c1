"""hpf paid-months ACCOUNT_NO [--upto YYYY-MM] [--json]: the months an account paid (by year), its 缴至年月 and
连续缴存月数; hpf paid-months --assumed: the accounts whose months up to their 缴至年月 were assumed without a gap
at the cut-over (no paid-month ranges came with them), for a clerk to check against the old system."""

from __future__ import annotations

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.paidmonths import paid_months_assumed_list
from openhpf.contributions.relief.hardship import paid_month_summary
from openhpf.core.authz import check_permission
from openhpf.core.errors import DomainError

from ._relief_cli import add_common, common


class Command(BaseCommand):
    help = "个人账户已缴月份、缴至年月、连续缴存月数；--assumed 列出迁移时推定连续缴存的账户"

    def add_arguments(self, parser):
        parser.add_argument("account_no", nargs="?", help="个人账号")
        parser.add_argument("--upto", help="连续缴存计算截至年月 YYYY-MM（默认：当前业务月份）")
        parser.add_argument("--assumed", action="store_true", help="列出推定连续缴存、须核对的账户")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        add_common(parser)

    def handle(self, *args, **opts):
        center, actor, bd = common(opts)
        try:
            check_permission(actor, "accounts.view", center=center)
            if opts["assumed"]:
                self._assumed(center)
                return
            account = MemberAccount.objects.filter(center=center, account_no=opts["account_no"] or "").first()
            if account is None:
                raise CommandError(f"个人账号 {opts['account_no'] or '（未填）'} 不存在")
            s = paid_month_summary(account, upto=opts["upto"] or bd)
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        if opts["json"]:
            self.stdout.write(json.dumps(asdict(s), ensure_ascii=False, default=str))
            return
        self.stdout.write(f"个人账号 {s.account_no}  缴至年月 {s.paid_up_to or '—'}  连续缴存 {s.continuity} 个月")
        years = sorted({m[:4] for m in s.months})
        self.stdout.write("年度  " + " ".join(f"{n:>2d}" for n in range(1, 13)) + "   （✓ 已缴  补 补缴  · 未缴）")
        for y in years:
            marks = [{"paid": " ✓", "back": "补"}.get(s.months.get(f"{y}{n:02d}", ""), " ·") for n in range(1, 13)]
            self.stdout.write(f"{y}  " + " ".join(marks))
        if s.assumed is not None:
            self.stdout.write(f"注意：{s.assumed.first_month}–{s.assumed.last_month} 为迁移时推定连续缴存（未提供缴存月份），请核对")

    def _assumed(self, center) -> None:
        rows = paid_months_assumed_list(center_id=center.pk)
        self.stdout.write(f"推定连续缴存、须核对的账户：{len(rows)} 户（至多列出 1000 户）")
        for r in rows:
            self.stdout.write(f"{r.account_no}  {r.first_month}–{r.last_month}  来源 {r.source}  {r.business_date}")
