"""hpf trial_balance --period YYYY-MM [--center CODE]: print the 试算平衡表."""

from django.core.management.base import BaseCommand, CommandError

from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.ledger.selectors import trial_balance


class Command(BaseCommand):
    help = "打印一个会计期间（月）的试算平衡表"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--center", help="机构代码（默认：唯一的中心）")

    def handle(self, *args, **opts):
        try:
            year, month = (int(x) for x in opts["period"].split("-"))
        except (ValueError, OverflowError):
            raise CommandError("--period 格式应为 YYYY-MM") from None
        qs = Center.objects.all()
        center = qs.filter(code=opts["center"]).first() if opts["center"] else qs.first()
        if center is None:
            raise CommandError(f"管理中心 {opts['center']} 不存在" if opts["center"] else "没有管理中心")
        try:
            rows = trial_balance(center=center, year=year, month=month, user=SystemActor("cli"))
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}（--period 应为 YYYY-MM，月份 01–12）") from None
        self.stdout.write(f"{center.name} 试算平衡表 {year}-{month:02d}（元）")
        self.stdout.write(f"{'科目':<8}{'名称':<16}{'期初':>18}{'借方':>18}{'贷方':>18}{'期末':>18}")
        for r in rows:
            if r.opening or r.debit or r.credit or r.closing:
                self.stdout.write(f"{r.code:<8}{r.name:<16}{format_fen(r.opening):>18}{format_fen(r.debit):>18}"
                                  f"{format_fen(r.credit):>18}{format_fen(r.closing):>18}")
        top = [r for r in rows if len(r.code) == 3]
        d, c = sum(r.debit for r in top), sum(r.credit for r in top)
        self.stdout.write(f"本期借方合计 {format_fen(d)}，贷方合计 {format_fen(c)}：{'平衡' if d == c else '不平衡'}")
        if d != c:
            raise SystemExit(1)
