"""hpf interest accrue --month YYYY-MM | hpf interest settle --date YYYY-06-30 (结息)."""

from __future__ import annotations

import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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
            add_as(p)
            if name == "accrue":
                p.add_argument("--month", required=True, help="YYYY-MM")
            else:
                p.add_argument("--date", required=True, help="YYYY-06-30")

    def handle(self, *args, **opts):
        center = (Center.objects.get(code=opts["center"]) if opts.get("center") else Center.objects.order_by("pk").first())
        if center is None:
            raise CommandError("没有管理中心")
        if opts.get("business_date") and date.fromisoformat(opts["business_date"]) != center.business_date:
            raise CommandError(f"--business-date 须为中心当前业务日期 {center.business_date}")
        actor = cli_actor(opts)
        t0 = time.perf_counter()
        try:
            with transaction.atomic(durable=True):
                if opts["action"] == "accrue":
                    y, m = (int(x) for x in opts["month"].split("-"))
                    entry = interest_accrue(center=center, year=y, month=m, actor=actor)
                    out: dict[str, object] = {"voucher_no": entry.voucher_no if entry else None,
                                              "amount": entry.total if entry else 0}
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
