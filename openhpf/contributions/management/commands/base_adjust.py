"""hpf base_adjust FILE --year 2026 [--mode clamp|reject]: the annual base adjustment effective 7/1 (年度基数调整);
hpf base_adjust --employer NO --ratio 0.10/0.10: 比例调整 of one employer and all its accounts."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openhpf.accounts.models import Employer
from openhpf.contributions.remittance.adjustments import base_adjust_file, employer_ratio_adjust
from openhpf.core.errors import DomainError, ValidationReport
from openhpf.core.money import e4_to_ratio, parse_percent

from ._relief_cli import add_common, common


class Command(BaseCommand):
    help = "年度缴存基数调整（7月1日生效）或单个单位的缴存比例调整。基数文件为 .csv 或 .xlsx，列为个人账号、证件号码、姓名、新缴存基数"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="基数文件 .csv 或 .xlsx")
        parser.add_argument("--year", type=int, help="缴存年度（该年7月1日起生效）")
        parser.add_argument("--mode", choices=["clamp", "reject"], help="超出上下限：按上下限调整或拒绝（默认按政策）")
        parser.add_argument("--employer", help="单位账号（比例调整）")
        parser.add_argument("--ratio", help="单位比例/个人比例（百分数），如 10/10 或 10%%/10%%（比例调整）")
        add_common(parser)

    def handle(self, *args, **opts):
        center, actor, bd = common(opts)
        try:
            with transaction.atomic(durable=True):
                if opts.get("employer"):
                    if not opts.get("ratio") or "/" not in opts["ratio"]:
                        raise CommandError("--ratio 应为 单位比例/个人比例（百分数），如 10/10 或 10%/10%")
                    emp = Employer.objects.filter(center=center, account_no=opts["employer"]).first()
                    if emp is None:
                        raise CommandError(f"单位账号不存在：{opts['employer']}")
                    er, mr = (e4_to_ratio(parse_percent(v, field=f)) for v, f in
                              zip(opts["ratio"].split("/", 1), ("employer_ratio", "member_ratio"), strict=True))
                    n = employer_ratio_adjust(employer=emp, employer_ratio=er, member_ratio=mr, actor=actor,
                                              business_date=bd)
                    out = {"employer": emp.account_no, "accounts": n}
                else:
                    if not opts.get("file") or not opts.get("year"):
                        raise CommandError("请给出基数文件和 --year")
                    path = Path(opts["file"])
                    adj = base_adjust_file(center=center, content=path.read_bytes(), name=path.name,
                                           year=opts["year"], actor=actor, business_date=bd, mode=opts.get("mode"))
                    out = {"adjustment": adj.pk, "rows": adj.rows, "changed": adj.changed, "clamped": adj.clamped,
                           "mode": adj.mode, "effective_date": adj.effective_date.isoformat()}
        except ValidationReport as rep:
            raise CommandError(str(rep)) from None
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        except OSError as e:
            raise CommandError(f"无法读取文件：{e}") from None
        self.stdout.write(json.dumps(out, ensure_ascii=False))
