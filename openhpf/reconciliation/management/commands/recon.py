"""hpf recon …: 日终对账 from the command line.

    hpf recon load FILE --account NO --date YYYY-MM-DD [--opening FEN --closing FEN]   (CSV or NDJSON statement)
    hpf recon run --account NO --date YYYY-MM-DD      prints the 银行存款余额调节表 and the counts
    hpf recon gate [--date YYYY-MM-DD]                the day-end check over every 专户

Exit 0 done (run: BALANCED; gate: day-end may close), 1 refused or UNEXPLAINED / not ready, 2 usage. Writing
commands take --business-date (default: the center's) and run as system:cli, on behalf of --as USER if given."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openhpf.core.actors import Actor
from openhpf.core.cli_options import add_common, common
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.settlement.models import BankAccount

from ...fileload import statement_load_file
from ...models import Reconciliation
from ...selectors import reconciliation_day_ok
from ...services import reconcile

LABELS = {"load": "载入对账单", "prepare": "准备勾对数据", "match": "勾对", "save": "保存结果"}


def _usage(msg: str) -> CommandError:
    return CommandError(msg, returncode=2)


class RichProgress:
    """progress(label, done, total) as rich bars on stderr, one per stage."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bars = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True))
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> RichProgress:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if label not in self.tasks:
            self.tasks[label] = self.bars.add_task(LABELS.get(label, label), total=total)
        self.bars.update(self.tasks[label], completed=done, total=total)


class _Quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _usage(f"{name} 格式应为 YYYY-MM-DD") from None


def _required_day(value: str | None, name: str) -> date:
    day = _day(value, name)
    if day is None:
        raise _usage(f"{name} 不能为空")
    return day


def adjustment_text(r: Reconciliation) -> str:
    """The 调节表 as text (the CLI and logs)."""
    w = 18

    def row(left: str, a: int, right: str, b: int) -> str:
        return f"  {left:<14}{format_fen(a):>{w}}    {right:<14}{format_fen(b):>{w}}"

    acct = r.bank_account
    return "\n".join([
        f"银行存款余额调节表  {acct.bank_name} {acct.account_no}  {r.recon_date}  状态：{r.get_status_display()}",
        row("银行对账单余额", r.bank_closing, "单位账面余额", r.book_closing),
        row("加：单位已收银行未收", r.book_in_open, "加：银行已收单位未收", r.bank_in_open),
        row("减：单位已付银行未付", r.book_out_open, "减：银行已付单位未付", r.bank_out_open),
        row("调节后余额", r.adjusted_bank, "调节后余额", r.adjusted_book),
        f"  调节后差额 {format_fen(r.difference)} 元；未达账项与差异 {r.items_open} 笔（金额不符 {r.mismatch_items} 笔），"
        f"待说明 {r.items_unexplained} 笔",
    ])


class Command(BaseCommand):
    help = "日终对账：载入银行对账单、对账并打印余额调节表、日终检查"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("load", help="载入银行对账单文件（CSV 或 NDJSON）")
        p.add_argument("file")
        p.add_argument("--account", required=True, help="专户银行账号")
        p.add_argument("--date", required=True, help="对账单日期 YYYY-MM-DD")
        p.add_argument("--opening", type=int, help="期初余额（分，默认取自文件）")
        p.add_argument("--closing", type=int, help="期末余额（分，默认取自文件）")
        p.add_argument("--no-progress", action="store_true")
        add_common(p)
        p = sub.add_parser("run", help="运行一个专户一日的对账，打印余额调节表")
        p.add_argument("--account", required=True, help="专户银行账号")
        p.add_argument("--date", required=True, help="对账日期 YYYY-MM-DD")
        p.add_argument("--json", action="store_true", help="以 JSON 输出")
        p.add_argument("--no-progress", action="store_true")
        add_common(p)
        p = sub.add_parser("gate", help="日终对账检查（所有专户）")
        p.add_argument("--date", help="日期（默认：业务日期）")
        add_common(p)

    def handle(self, *args: Any, **o: Any) -> None:
        center, actor, bd = common(o)
        try:
            getattr(self, f"_{o['action']}")(o, center, actor, bd)
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}", returncode=1) from None

    def _account(self, center: Any, no: str) -> BankAccount:
        acct = BankAccount.objects.filter(center=center, account_no=no.strip()).first()
        if acct is None:
            raise _usage(f"专户不存在：{no}")
        return acct

    def _load(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> None:
        path = Path(o["file"])
        if not path.is_file():
            raise _usage(f"文件不存在：{path}")
        acct, on = self._account(center, o["account"]), _required_day(o["date"], "--date")
        t0 = time.perf_counter()
        with (_Quiet() if o["no_progress"] else RichProgress()) as bars, transaction.atomic(durable=True):
            stmt = statement_load_file(bank_account=acct, path=path, stmt_date=on, actor=actor, business_date=bd,
                                       opening_balance=o["opening"], closing_balance=o["closing"], progress=bars)
        self.stdout.write(json.dumps({
            "statement_id": stmt.pk, "account_no": acct.account_no, "date": on, "lines": stmt.line_count,
            "opening": stmt.opening_balance, "closing": stmt.closing_balance, "total_in": stmt.total_in,
            "total_out": stmt.total_out, "digest": stmt.digest, "seconds": round(time.perf_counter() - t0, 2)},
            ensure_ascii=False, default=str))

    def _run(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> None:
        acct, on = self._account(center, o["account"]), _required_day(o["date"], "--date")
        with (_Quiet() if o["no_progress"] else RichProgress()) as bars, transaction.atomic(durable=True):
            r = reconcile(bank_account=acct, on=on, actor=actor, business_date=bd, progress=bars)
        counts = {"reconciliation_id": r.pk, "status": r.status, "statement_lines": r.statement_lines,
                  "book_lines": r.book_lines, "matched_by_key": r.matched_by_key, "matched_by_sum": r.matched_by_sum,
                  "cancelled": r.cancelled, "matched_by_amount": r.matched_by_amount,
                  "carried_items": r.carried_items, "carried_closed": r.carried_closed, "items_new": r.items_new,
                  "items_open": r.items_open, "items_unexplained": r.items_unexplained, "difference": r.difference,
                  "seconds": round(r.duration_ms / 1000, 2)}
        if o["json"]:
            self.stdout.write(json.dumps({**counts, "bank_closing": r.bank_closing, "book_closing": r.book_closing,
                                          "bank_in_open": r.bank_in_open, "bank_out_open": r.bank_out_open,
                                          "book_in_open": r.book_in_open, "book_out_open": r.book_out_open},
                                         ensure_ascii=False))
        else:
            self.stdout.write(adjustment_text(r))
            self.stdout.write("  " + "，".join(f"{k}={v}" for k, v in counts.items()))
        if r.status != Reconciliation.Status.BALANCED:
            self.stderr.write("对账存在未说明差异（UNEXPLAINED）：请在差异工作队列说明或处理后重新对账")
            sys.exit(1)

    def _gate(self, o: dict[str, Any], center: Any, actor: Actor, bd: date) -> None:
        on = _day(o.get("date"), "--date") or bd
        ok, problems = reconciliation_day_ok(center=center, on=on)
        self.stdout.write(json.dumps({"date": on, "ok": ok, "problems": problems}, ensure_ascii=False, default=str))
        if not ok:
            sys.exit(1)
