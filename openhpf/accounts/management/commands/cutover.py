"""`hpf cutover import DIR --cutover-date YYYY-MM-DD [--center CODE] [--errors FILE] [--accrued-interest 元]`: legacy
cut-over (期初数据迁移)."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openhpf.accounts.cutover import CutoverInvalid, cutover_import
from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen


def print_checks(out, checks) -> int:
    failed = 0
    for r in checks:
        out.write(f"[{'OK  ' if r.ok else 'FAIL'}] {r.name}: {r.detail}")
        for b in r.breaches[:10]:
            out.write(f"        - {b}")
        failed += 0 if r.ok or r.name == "audit.unsealed" else 1
    return failed


class Command(BaseCommand):
    help = "期初数据迁移：校验并导入原系统导出的单位、个人和个人账户文件，全部成功或全部不导入。文件格式见 docs/cutover-format.md"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="校验并导入一个迁移目录")
        imp.add_argument("directory", help="含 单位.csv、个人.csv、个人账户.csv 的目录")
        imp.add_argument("--cutover-date", required=True, type=date.fromisoformat, help="迁移日期 YYYY-MM-DD")
        imp.add_argument("--center", help="管理中心 6 位机构代码（只有一个中心时可省略）")
        imp.add_argument("--errors", help="错误清单 CSV 文件路径（默认 var/cutover/）")
        imp.add_argument("--no-progress", action="store_true", help="不显示进度条")
        imp.add_argument("--accrued-interest", metavar="元",
                         help="原系统账上的期初应付利息（元，至多两位小数）；省略时按迁移的积数计算到迁移日前一日")

    def handle(self, *args, **o):
        if o["action"] != "import":
            raise CommandError(f"未知子命令：{o['action']}")
        center = self._center(o["center"])
        stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
        errors = Path(o["errors"]) if o["errors"] else Path(settings.VAR_DIR) / "cutover" / f"errors-{center.code}-{stamp}.csv"
        try:
            result = cutover_import(
                center=center, directory=Path(o["directory"]), cutover_date=o["cutover_date"], actor=SystemActor("cutover"),
                error_file=errors, progress=not o["no_progress"], echo=self.stdout.write,
                openings={"accrued_interest": _accrued_interest(o["accrued_interest"])},
            )
        except CutoverInvalid as exc:
            self.stdout.write(exc.message)
            sys.exit(1)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stdout.write(
            f"迁移完成：单位 {result.employers}，个人 {result.members}，个人账户 {result.accounts}，"
            f"上年结转 {format_fen(result.total_carried)} 元，当年归集 {format_fen(result.total_current)} 元，"
            f"冻结 {result.frozen_accounts} 户，凭证 {result.voucher_no or '无'}（作业 #{result.job_id}）"
        )
        opening = result.openings.get("accrued_interest")
        if opening is not None:
            how = "按积数计算" if opening["computed"] else "原系统数"
            self.stdout.write(f"期初应付利息 {format_fen(opening['amount'])} 元（{how}），凭证 {opening['voucher_no'] or '无'}")
        if print_checks(self.stdout, result.checks):
            sys.exit(1)

    def _center(self, code: str | None) -> Center:
        if code:
            center = Center.objects.filter(code=code).first()
            if center is None:
                raise CommandError(f"管理中心不存在：{code}")
            return center
        centers = list(Center.objects.all()[:2])
        if len(centers) != 1:
            raise CommandError("请用 --center 指定管理中心")
        return centers[0]


def _accrued_interest(text: str | None) -> int | None:
    """The --accrued-interest figure in fen: 元 with at most two decimals, not negative (never rounded)."""
    if text is None:
        return None
    try:
        d = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        d = Decimal(-1)
    if not d.is_finite() or d < 0 or d != d.quantize(Decimal("0.01")):
        exc = DomainError(ErrorCode.CUTOVER_ACCRUED_INTEREST, f"期初应付利息 {text} 元不正确：应为不小于零、至多两位小数的金额",
                          field="accrued_interest")
        raise CommandError(f"[{exc.code}] {exc.message}")
    return int(d * 100)
