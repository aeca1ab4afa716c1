"""hpf verify: check every ledger and audit invariant, print each result, exit non-zero on any breach."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from openhpf.core.verify import run_checks


class Command(BaseCommand):
    help = "检查全部账务与审计不变式，逐项打印结果，有违反时以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="只运行这些检查")
        parser.add_argument("--full", action="store_true",
                            help="账簿摘要从头全部重算（默认只重算上次核验通过之后封存的批次）")

    def handle(self, *args, **opts):
        results = run_checks(opts.get("only"), full=opts.get("full", False))
        failed = 0
        for r in results:
            mark = "OK  " if r.ok else "FAIL"
            self.stdout.write(f"[{mark}] {r.name}: {r.detail}")
            for b in r.breaches[:20]:
                self.stdout.write(f"        - {b}")
            if len(r.breaches) > 20:
                self.stdout.write(f"        … 另有 {len(r.breaches) - 20} 处")
            failed += 0 if r.ok else 1
        self.stdout.write(f"不变式检查：{len(results) - failed} 项通过，{failed} 项违反")
        if failed:
            sys.exit(1)
