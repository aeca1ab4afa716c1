"""hpf statement ACCOUNT_NO --year 2026 [--out FILE]: the annual statement PDF (年度对账单), archived with its SM3."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openhpf.accounts.models import MemberAccount
from openhpf.contributions.interest.statements import annual_statement_generate
from openhpf.core.errors import DomainError

from ._relief_cli import add_common, common


class Command(BaseCommand):
    help = "生成个人账户年度对账单 PDF 并存入业务档案"

    def add_arguments(self, parser):
        parser.add_argument("account_no")
        parser.add_argument("--year", type=int, required=True, help="结息年度起始年份（7月1日起）")
        parser.add_argument("--out", help="另存一份 PDF 到此路径")
        add_common(parser)

    def handle(self, *args, **opts):
        center, actor, bd = common(opts)
        acct = MemberAccount.objects.filter(center=center, account_no=opts["account_no"]).first()
        if acct is None:
            raise CommandError(f"个人账号不存在：{opts['account_no']}")
        try:
            with transaction.atomic(durable=True):
                doc = annual_statement_generate(account=acct, year=opts["year"], actor=actor, business_date=bd)
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        if opts.get("out"):
            with doc.file.open("rb") as fh:
                Path(opts["out"]).write_bytes(fh.read())
        self.stdout.write(json.dumps({"document": doc.pk, "sm3": doc.sm3, "size": doc.size, "path": doc.file.name,
                                      "out": opts.get("out")}, ensure_ascii=False))
