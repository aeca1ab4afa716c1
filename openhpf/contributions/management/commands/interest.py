"""hpf interest accrue --month YYYY-MM | hpf interest settle --date YYYY-06-30 (结息) |
hpf interest settle --late --as USER (补办结息 of a missed 6/30, permission finance.manage)."""

from __future__ import annotations

import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openhpf.contributions.interest.late import interest_settle_late
from openhpf.contributions.interest.services import interest_accrue, interest_settle
from openhpf.core.cli_options import add_as, cli_actor
from openhpf.core.errors import DomainError
from openhpf.core.models import Center


class Command(BaseCommand):
    help = "利息：按月计提（accrue）与6月30日年度结息（settle）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, helptext in (("accrue", "按月计提利息支出"), ("settle", "6月30日年度结息")):
            p = sub.add_parser(name, help=helptext)
            p.add_argument("--center", help="机构代码（默认：唯一的中心）")
            p.add_argument("--business-date", help="业务日期（默认：中心当前业务日期；须与之一致）")
            add_as(p, money=name == "settle")
            if name == "accrue":
                p.add_argument("--month", required=True, help="YYYY-MM")
            else:
                when = p.add_mutually_exclusive_group(required=True)
                when.add_argument("--date", help="YYYY-06-30（日终的6月30日结息步骤即调用它）")
                when.add_argument("--late", action="store_true",
                                  help="补办错过的6月30日结息：在当前业务日期所在的开放期间入账、起息日6月30日，"
                                       "并结转到新计息年度（须 --as 有 finance.manage 权限的财务人员）")

    def handle(self, *args, **opts):
        center = (Center.objects.get(code=opts["center"]) if opts.get("center") else Center.objects.order_by("pk").first())
        if center is None:
            raise CommandError("没有管理中心")
        if opts.get("business_date") and date.fromisoformat(opts["business_date"]) != center.business_date:
            raise CommandError(f"--business-date 须为中心当前业务日期 {center.business_date}")
        actor = cli_actor(opts, money=bool(opts.get("late")))
        t0 = time.perf_counter()
        try:
            with transaction.atomic(durable=True):
                if opts["action"] == "accrue":
                    y, m = (int(x) for x in opts["month"].split("-"))
                    entry = interest_accrue(center=center, year=y, month=m, actor=actor)
                    out: dict[str, object] = {"voucher_no": entry.voucher_no if entry else None,
                                              "amount": entry.total if entry else 0}
                elif opts.get("late"):
                    out = {"settled": [{"batch": b.key, "accounts": b.rows_posted, "interest": b.total_amount,
                                        "voucher_no": b.entry.voucher_no if b.entry else None}
                                       for b in interest_settle_late(center=center, actor=actor)]}
                else:
                    timings: dict[str, float] = {}
                    batch = interest_settle(center=center, settle_date=date.fromisoformat(opts["date"]), actor=actor,
                                            timings=timings)
                    out = {"batch": batch.key, "accounts": batch.rows_posted, "interest": batch.total_amount,
                           "voucher_no": batch.entry.voucher_no if batch.entry else None, "steps": timings}
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM 或 YYYY-MM-DD") from None
        out["seconds"] = round(time.perf_counter() - t0, 2)
        self.stdout.write(json.dumps(out, ensure_ascii=False))
