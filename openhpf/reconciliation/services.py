"""Writes of 日终对账: load a bank statement, reconcile one 专户 for one day (set-based SQL), explain and resolve
the open items. The day-end job calls `statement_load` (through the settlement gateway), `reconcile` and the
gate `reconciliation_day_ok` (selectors); these three signatures are kept stable.

Matching (one transaction, a handful of INSERT … SELECT / UPDATE statements over two work tables, whatever the
number of lines; never a query per line). The key of a statement line is its `ref` (the center's instruction
seq the bank echoes), else its `bank_seq`; the key of a ledger line is its `bank_ref` (a reversal inherits the
bank_ref of the line it reverses). Candidates are the day's statement lines and the ledger lines of the
account's GL sub-account not seen by an earlier reconciliation, plus the items still open from earlier days
(timing differences, 未达账项), so a line that arrives a day late closes the older item.

  K  key + direction + amount, one-to-one (ROW_NUMBER pairing when a key repeats);
  S  a key whose remaining lines have equal totals on both sides (a split), per direction;
  C  a reversal and its original (or same key, opposite directions, same amount) on one side cancel out;
  金额不符 every remaining line of a key present on both sides (both sides flagged);
  A  lines whose key is unknown to the books paired by direction + amount, one-to-one, only with ledger lines
     that have no bank_ref (manual vouchers);
and everything left is an item: 银行已收单位未收, 银行已付单位未付, 单位已收银行未收, 单位已付银行未付."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openhpf.access.selectors import check_permission
from openhpf.approvals.services import command_submit
from openhpf.audit.services import actor_label, audit_log
from openhpf.core import db
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.ingest import ErrorSink, Limits
from openhpf.core.money import format_fen
from openhpf.core.validation import Rule, run_rules
from openhpf.settlement.models import BankAccount

from . import selectors
from .models import BankStatement, Direction, Reconciliation, ReconItem, ReconMatch
from .selectors import reconciliation_day_ok  # noqa: F401  (the day-end gate; a read, kept in selectors)

PERMISSION = "settlement.operate"
log = logging.getLogger(__name__)

# progress(label, done, total): the CLI shows it as rich bars, the day-end job forwards it to its job step
Progress = Callable[[str, int, "int | None"], None]

LINE_TABLE = "reconciliation_statementline"
LINE_COLUMNS = ("statement_id", "line_no", "bank_seq", "direction", "amount", "balance", "counter_account",
                "counter_name", "summary", "ref")
MAX_ERRORS = 20
_CHUNK = 20_000
# stored values as SQL literals (from the models' choices): match rules, item sides, item status and close kinds
_KEY, _SUM, _CANCEL, _AMOUNT = (f"'{r.value}'" for r in (ReconMatch.Rule.KEY, ReconMatch.Rule.SUM,
                                                          ReconMatch.Rule.CANCEL, ReconMatch.Rule.AMOUNT))
_BANK, _BOOK = f"'{ReconItem.Side.BANK.value}'", f"'{ReconItem.Side.BOOK.value}'"
_ITEM_OPEN = f"'{ReconItem.Status.OPEN.value}'"
_CLOSED_MATCHED, _CLOSED_SUPERSEDED = f"'{ReconItem.Close.MATCHED.value}'", f"'{ReconItem.Close.SUPERSEDED.value}'"
# the work tables' outcome of a line (res): the rule that matched it, or this marker for 金额不符 (never stored)
_MISMATCH = "'mismatch'"

# name → fn(statement=, actor=, business_date=): upper apps act on the bank's lines of a statement just stored
# (contributions: an incoming line confirms the hand-typed receipt it matches), registered in their
# AppConfig.ready, so this app imports none of them
_STATEMENT_LISTENERS: dict[str, Callable[..., Any]] = {}


def register_statement_listener(name: str, fn: Callable[..., Any]) -> None:
    """`fn(statement=, actor=, business_date=)` runs after a statement is stored (new or replaced), in its
    transaction. A refusal (DomainError) of a listener is logged and undone alone; the statement stays."""
    _STATEMENT_LISTENERS[name] = fn


def _statement_stored(stmt: BankStatement, *, actor: Actor, business_date: date) -> None:
    for name, fn in _STATEMENT_LISTENERS.items():
        try:
            with transaction.atomic():
                fn(statement=stmt, actor=actor, business_date=business_date)
        except DomainError as exc:
            log.warning("statement %s: listener %s refused: %s %s", stmt.pk, name, exc.code, exc.message)


def _tick(progress: Progress | None, label: str, done: int, total: int | None = None) -> None:
    if progress is not None:
        progress(label, done, total)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# amounts and balances of a statement: below 10^17 fen in magnitude, as everywhere (core.ingest.parse_fen), so
# that a sum of lines still fits the BIGINT columns (2^63 ≈ 9.2·10^18)
MONEY_LIMIT = 10**17


def _money_arg(value: Any, field: str, label: str) -> int:
    if not _is_int(value):
        raise DomainError(ErrorCode.STATEMENT_BALANCE, f"{label}应为整数（分）", field=field)
    if abs(value) >= MONEY_LIMIT:
        raise DomainError(ErrorCode.STATEMENT_BALANCE, f"{label}超出范围（绝对值应小于 10^17 分）", field=field)
    return value


# ---------------------------------------------------------------- statements


class _StatementReader:
    """Checks statement lines as they stream through (field sizes, direction, positive integer amounts, the
    running balance, duplicate bank_seq) and digests them (SM3). Problems are collected, the first MAX_ERRORS
    kept, and raised together by finish(); rows are still yielded so that every problem is found."""

    def __init__(self, opening: int, closing: int, progress: Progress | None) -> None:
        self.opening, self.closing = opening, closing
        self.count = self.total_in = self.total_out = 0
        self.errors: list[str] = []
        self.error_count = 0
        self.progress = progress
        self._hash = hashlib.new("sm3")
        self._hash.update(f"{opening}|{closing}\n".encode())

    def _err(self, n: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"第 {n} 行：{message}")

    def _texts(self, n: int, ln: dict[str, Any]) -> tuple[str, str, str, str, str]:
        """The text fields of a line as strings, cut to their column sizes, without NUL (reported)."""
        seq, ref = ln.get("bank_seq"), ln.get("ref") or ""
        cacc, cname, summ = ln.get("counter_account") or "", ln.get("counter_name") or "", ln.get("summary") or ""
        if type(seq) is not str or type(ref) is not str or type(cacc) is not str or type(cname) is not str \
                or type(summ) is not str:
            seq, ref, cacc, cname, summ = ("" if v is None else str(v) for v in (seq, ref, cacc, cname, summ))
        seq, ref = seq.strip(), ref.strip()
        if len(seq) > 40 or len(ref) > 60 or len(cacc) > 40 or len(cname) > 200 or len(summ) > 200:
            for name, v, limit in (("bank_seq", seq, 40), ("ref", ref, 60), ("counter_account", cacc, 40),
                                   ("counter_name", cname, 200), ("summary", summ, 200)):
                if len(v) > limit:
                    self._err(n, f"{name} 超过 {limit} 个字符")
            seq, ref, cacc, cname, summ = seq[:40], ref[:60], cacc[:40], cname[:200], summ[:200]
        if "\x00" in seq + ref + cacc + cname + summ:  # PostgreSQL text cannot hold it
            self._err(n, "文本中含有空字符（\\x00）")
            seq, ref, cacc, cname, summ = (v.replace("\x00", "") for v in (seq, ref, cacc, cname, summ))
        return seq, ref, cacc, cname, summ

    def rows(self, lines: Iterable[dict[str, Any]], statement_id: int) -> Iterator[tuple]:
        # one pass, locals only: this runs a million times a day per account
        balance, total_in, total_out = self.opening, 0, 0
        digest_parts: list[str] = []
        n = 0
        for n, ln in enumerate(lines, 1):
            if not isinstance(ln, dict):
                self._err(n, "明细格式不正确")
                continue
            seq, ref, cacc, cname, summ = self._texts(n, ln)
            if not seq:
                self._err(n, "缺少银行流水号（bank_seq）")
            direction, amount, stated = ln.get("direction"), ln.get("amount"), ln.get("balance")
            if type(amount) is not int or amount <= 0:
                self._err(n, f"金额应为正整数（分），而不是 {str(amount)[:40]!r}")
                amount = 0
            elif amount >= MONEY_LIMIT:
                self._err(n, "金额超出范围（应小于 10^17 分）")
                amount = 0
            if direction == "in":
                balance += amount
                total_in += amount
            elif direction == "out":
                balance -= amount
                total_out += amount
            else:
                self._err(n, f"收支方向应为 in 或 out，而不是 {direction!r}")
                direction = "in"
            if type(stated) is not int:
                self._err(n, f"余额应为整数（分），而不是 {str(stated)[:40]!r}")
                stated = balance
            elif abs(stated) >= MONEY_LIMIT:
                self._err(n, "余额超出范围（绝对值应小于 10^17 分）")
                stated = 0
            balance = stated  # the running balance is checked in SQL over the loaded lines (_line_rules)
            digest_parts.append(f"{seq}|{direction}|{amount}|{stated}|{cacc}|{cname}|{summ}|{ref}\n")
            if len(digest_parts) >= _CHUNK:
                self._hash.update("".join(digest_parts).encode())
                digest_parts.clear()
                _tick(self.progress, "load", n)
            yield (statement_id, n, seq, direction, amount, stated, cacc, cname, summ, ref)
        self._hash.update("".join(digest_parts).encode())
        self.count, self.total_in, self.total_out = n, total_in, total_out
        _tick(self.progress, "load", n, n)

    def check_lines(self, table: str, statement_id: int, limits: Limits) -> None:
        """The checks across lines, on the validation engine over the lines just loaded: duplicate bank_seq and
        a running balance that does not follow from the line before (the first from the opening balance).
        Each rule stops after the policy's number of errors (ingest.max_errors_per_rule)."""
        sink = ErrorSink(keep=MAX_ERRORS, with_file=False)
        run_rules(_line_rules(table, statement_id, self.opening), sink, cap=limits.max_errors_per_rule)
        self.error_count += sink.count
        for e in sink.errors:
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(f"第 {e.row} 行：{e.message}")

    @property
    def digest(self) -> str:
        return self._hash.hexdigest()

    def finish(self) -> None:
        if self.opening + self.total_in - self.total_out != self.closing:
            self.error_count += 1
            self.errors.append(f"期初余额 {format_fen(self.opening)} + 收入 {format_fen(self.total_in)} − 支出 {format_fen(self.total_out)} ≠ 期末余额 "
                               f"{format_fen(self.closing)} 元")
        if self.error_count:
            raise DomainError(
                ErrorCode.STATEMENT_INVALID, f"对账单校验未通过，共 {self.error_count} 处问题：" + "；".join(self.errors[:5]),
                field="lines", details={"errors": self.errors, "error_count": self.error_count})


def _line_rules(table: str, statement_id: int, opening: int) -> list[Rule]:
    """Rules over one statement's loaded lines (`table`: the statement line table or the repeat's stage)."""
    lines = f"FROM {table} WHERE statement_id = %s"
    return [
        Rule(code=ErrorCode.STATEMENT_SEQ_DUPLICATE, column="bank_seq", message="银行流水号 {0} 重复",
             sql=(f"SELECT t.line_no, t.bank_seq FROM {table} t JOIN (SELECT bank_seq, MIN(line_no) AS first_line "  # noqa: S608 — own line table names from code; values bound
                  f"{lines} GROUP BY bank_seq HAVING COUNT(*) > 1) d ON d.bank_seq = t.bank_seq "
                  "AND t.line_no > d.first_line WHERE t.statement_id = %s ORDER BY t.line_no"),
             params=(statement_id, statement_id)),
        Rule(code=ErrorCode.STATEMENT_BALANCE_BREAK, column="balance",
             message="余额不连续：上笔余额 {1} 金额 = {2:yuan} 元，对账单为 {3:yuan} 元",
             sql=("SELECT line_no, bank_seq, CASE WHEN direction = 'out' THEN '−' ELSE '+' END, "  # noqa: S608 — own line table names from code; values bound
                  "prev + CASE WHEN direction = 'out' THEN -amount ELSE amount END, balance FROM ("
                  "SELECT line_no, bank_seq, direction, amount, balance, "
                  f"LAG(balance, 1, %s) OVER (ORDER BY line_no) AS prev {lines}) x "
                  "WHERE balance <> prev + CASE WHEN direction = 'out' THEN -amount ELSE amount END ORDER BY line_no"),
             params=(opening, statement_id)),
    ]


def _temp_table(name: str, columns: str) -> None:
    db.drop_table(name)
    db.create_staging_table(name, columns, temporary=True, drop_on_commit=True)


_LINE_DDL = ("statement_id BIGINT, line_no INTEGER, bank_seq VARCHAR(40), direction VARCHAR(3), amount BIGINT, "
             "balance BIGINT, counter_account VARCHAR(40), counter_name VARCHAR(200), summary VARCHAR(200), "
             "ref VARCHAR(60)")


def statement_load(
    *, bank_account: BankAccount, stmt_date: date, opening_balance: int, closing_balance: int,
    lines: Iterable[dict[str, Any]], actor: Actor, business_date: date, source: str = "gateway",
    progress: Progress | None = None,
) -> BankStatement:
    """Load one day's statement of a 专户 (BDC113 lines: bank_seq, direction in/out, amount, balance,
    counter_account, counter_name, summary, ref), streamed into the statement table in chunks (COPY on
    PostgreSQL, executemany on SQLite).

    Refused whole, nothing written, with every problem listed (STATEMENT_INVALID): opening + Σin − Σout ≠
    closing, a running balance that does not follow, a duplicate bank_seq, an amount that is not a positive
    integer. The same statement again is a no-op (returns the stored one); a different one replaces a
    statement not yet reconciled and is refused (STATEMENT_RECONCILED) for a day already reconciled."""
    check_permission(actor, PERMISSION, center=bank_account.center_id)
    opening = _money_arg(opening_balance, "opening_balance", "期初余额")
    closing = _money_arg(closing_balance, "closing_balance", "期末余额")
    if stmt_date > business_date:
        raise DomainError(ErrorCode.STATEMENT_FUTURE, f"对账单日期 {stmt_date} 晚于业务日期 {business_date}", field="stmt_date")
    if source not in BankStatement.Source.values:
        raise DomainError(ErrorCode.STATEMENT_SOURCE, f"对账单来源不正确：{source}", field="source")
    label = actor_label(actor)[0]
    with transaction.atomic():
        # statement loads and reconciliations of one account run one at a time
        acct = BankAccount.objects.select_for_update().get(pk=bank_account.pk)
        existing = BankStatement.objects.filter(bank_account=acct, stmt_date=stmt_date).first()
        reader = _StatementReader(opening, closing, progress)
        limits = Limits.from_policy(on=business_date, center=acct.center_id)
        if existing is None:
            stmt = BankStatement.objects.create(
                center_id=acct.center_id, bank_account=acct, stmt_date=stmt_date, opening_balance=opening,
                closing_balance=closing, digest="", source=source, business_date=business_date, loaded_by=label)
            sql.bulk_insert(LINE_TABLE, LINE_COLUMNS, reader.rows(lines, stmt.pk))
            reader.check_lines(LINE_TABLE, stmt.pk, limits)
            reader.finish()
            replaced = False
        else:
            # a repeat must write nothing: stage the lines aside, compare, and only then replace
            _temp_table("recon_stage", _LINE_DDL)
            sql.bulk_insert("recon_stage", LINE_COLUMNS, reader.rows(lines, existing.pk))
            reader.check_lines("recon_stage", existing.pk, limits)
            reader.finish()
            if reader.digest == existing.digest:
                sql.execute("DROP TABLE recon_stage")
                return existing
            if Reconciliation.objects.filter(statement=existing).exists():
                raise DomainError(
                    ErrorCode.STATEMENT_RECONCILED,
                    f"专户 {acct.account_no} {stmt_date} 已对账，不能用内容不同的对账单替换", field="stmt_date")
            sql.execute(f"DELETE FROM {LINE_TABLE} WHERE statement_id = %s", [existing.pk])  # noqa: S608 — own work tables and key SQL from code; values bound
            cols = ", ".join(LINE_COLUMNS)
            sql.execute(f"INSERT INTO {LINE_TABLE} ({cols}) SELECT {cols} FROM recon_stage")  # noqa: S608 — own work tables and key SQL from code; values bound
            sql.execute("DROP TABLE recon_stage")
            stmt = existing
            stmt.opening_balance, stmt.closing_balance, stmt.source = opening, closing, source
            stmt.business_date, stmt.loaded_by = business_date, label
            replaced = True
        stmt.line_count, stmt.total_in, stmt.total_out = reader.count, reader.total_in, reader.total_out
        stmt.digest = reader.digest
        stmt.save()
        audit_log(actor=actor, action=AuditEvent.RECONCILIATION_STATEMENT_LOAD, obj=stmt, center=acct.center_id,
                  business_date=business_date,
                  after={"account_no": acct.account_no, "stmt_date": stmt_date, "lines": reader.count,
                         "opening": opening, "closing": closing, "total_in": reader.total_in,
                         "total_out": reader.total_out, "digest": stmt.digest, "source": source,
                         "replaced": replaced})
        _statement_stored(stmt, actor=actor, business_date=business_date)
        return stmt


# ---------------------------------------------------------------- reconciliation


def _bank_key(alias: str) -> str:
    return f"CASE WHEN {alias}.ref <> '' THEN {alias}.ref ELSE {alias}.bank_seq END"


# A ledger line's matching key: its bank_ref, else (a reversal) the bank_ref of the line it reverses. The original
# is looked up (by index) only for lines of reversal entries: CASE evaluates its subqueries lazily.
_ORIGINAL = ("(SELECT o.{col} FROM ledger_v_journal_line o WHERE o.entry_id = e.reversal_of_id AND o.line_no = l.line_no "
             "AND o.account_id = l.account_id)")
_BOOK_SELECT = (
    "SELECT l.id AS jid, CASE WHEN l.debit > 0 THEN 'in' ELSE 'out' END AS dir, l.debit + l.credit AS amt, "  # noqa: S608 — own work tables and key SQL from code; values bound
    "CASE WHEN e.reversal_of_id IS NULL OR l.bank_ref <> '' THEN l.bank_ref "
    f"ELSE COALESCE({_ORIGINAL.format(col='bank_ref')}, '') END AS k, {{item}} AS item, {{ld}} AS ld, "
    f"CASE WHEN e.reversal_of_id IS NULL THEN NULL ELSE {_ORIGINAL.format(col='id')} END AS rev "
    "FROM {src} JOIN ledger_v_journal_entry e ON e.id = l.entry_id WHERE "
)


def _date_param() -> str:
    return db.date_param()


def _work_tables() -> None:
    big = "BIGINT"
    _temp_table("rc_b", f"sid {big}, dir VARCHAR(3), amt {big}, k VARCHAR(60), item {big}, ld DATE, rn {big}")
    _temp_table("rc_k", f"jid {big}, dir VARCHAR(3), amt {big}, k VARCHAR(60), item {big}, ld DATE, rev {big}, "
                        f"rn {big}")
    _temp_table("rc_rb", f"sid {big}, dir VARCHAR(3), amt {big}, k VARCHAR(60), item {big}, ld DATE, res VARCHAR(10)")
    _temp_table("rc_rk", f"jid {big}, dir VARCHAR(3), amt {big}, k VARCHAR(60), item {big}, ld DATE, rev {big}, "
                         f"res VARCHAR(10)")
    _temp_table("rc_g", "k VARCHAR(60), dir VARCHAR(3)")
    _temp_table("rc_p", f"a {big}, b {big}")
    for t in ("rc_x", "rc_y"):
        _temp_table(t, f"id {big}, k VARCHAR(60), dir VARCHAR(3), amt {big}, rn {big}")
    if not db.is_postgresql():
        sql.execute("CREATE INDEX rc_y_key ON rc_y (k, dir, amt, rn)")


def _pair(x_select: str, y_select: str) -> None:
    """One-to-one pairs into rc_p: two selects of (id, key, direction, amount, row number) joined on all four
    (materialised first: SQLite would otherwise join the two windows without an index)."""
    for t, sel in (("rc_x", x_select), ("rc_y", y_select)):
        sql.execute(f"DELETE FROM {t}")  # noqa: S608 — own work tables and key SQL from code; values bound
        sql.execute(f"INSERT INTO {t} (id, k, dir, amt, rn) {sel}")
    _analyze("rc_x", "rc_y")
    sql.execute("INSERT INTO rc_p (a, b) SELECT x.id, y.id FROM rc_x x JOIN rc_y y "
                "ON y.k = x.k AND y.dir = x.dir AND y.amt = x.amt AND y.rn = x.rn")


def _drop_work_tables() -> None:
    for t in ("rc_b", "rc_k", "rc_rb", "rc_rk", "rc_g", "rc_p", "rc_x", "rc_y"):
        sql.execute(f"DROP TABLE IF EXISTS {t}")


def _analyze(*tables: str) -> None:
    db.analyze(*tables)


def _candidates(*, acct: BankAccount, stmt: BankStatement, on: date, prev: Reconciliation | None,
                watermark: int) -> tuple[int, int, int]:
    """Fill rc_b (statement lines + open bank-side items) and rc_k (ledger lines not seen before + open
    book-side items). Returns (bank, book, carried). Rows are numbered within their (key, direction, amount) by
    `_number` once indexed."""
    n_bank = sql.execute(
        "INSERT INTO rc_b (sid, dir, amt, k, item, ld, rn) SELECT sid, dir, amt, k, item, ld, 1 FROM ("  # noqa: S608 — own work tables and key SQL from code; values bound
        f"SELECT s.id AS sid, s.direction AS dir, s.amount AS amt, {_bank_key('s')} AS k, "
        f"CAST(NULL AS BIGINT) AS item, {_date_param()} AS ld FROM reconciliation_statementline s "
        "WHERE s.statement_id = %s "
        f"UNION ALL SELECT s.id, s.direction, s.amount, {_bank_key('s')}, i.id, i.line_date "
        "FROM reconciliation_reconitem i JOIN reconciliation_statementline s ON s.id = i.statement_line_id "
        f"WHERE i.bank_account_id = %s AND i.side = {_BANK} AND i.closed_on IS NULL AND i.opened_on < %s) x",
        [on, stmt.pk, acct.pk, on])
    wparams: list[date | int]
    if prev is None:
        # the first reconciliation of the account starts from the day itself (the opening balance carries the past)
        window, wparams = "e.business_date = %s", [on]
    else:
        # the days since the last reconciliation, and lines posted after it with an earlier business date
        window = "((e.business_date > %s AND e.business_date <= %s) OR (e.business_date <= %s AND l.id > %s))"
        wparams = [prev.recon_date, on, prev.recon_date, prev.book_watermark]
    book_new = _BOOK_SELECT.format(item="CAST(NULL AS BIGINT)", ld="e.business_date", src="ledger_v_journal_line l") + (
        f"l.account_id = %s AND l.id <= %s AND {window}")
    book_carried = _BOOK_SELECT.format(
        item="i.id", ld="i.line_date",
        src="reconciliation_reconitem i JOIN ledger_v_journal_line l ON l.id = i.journal_line_id") + (
        f"i.bank_account_id = %s AND i.side = {_BOOK} AND i.closed_on IS NULL AND i.opened_on < %s")
    n_book = sql.execute(
        "INSERT INTO rc_k (jid, dir, amt, k, item, ld, rev, rn) SELECT jid, dir, amt, k, item, ld, rev, 1 FROM ("  # noqa: S608 — own work tables and key SQL from code; values bound
        f"{book_new} UNION ALL {book_carried}) x",
        [acct.gl_account_id, watermark, *wparams, acct.pk, on])
    carried = sql.fetch("SELECT (SELECT COUNT(*) FROM rc_b WHERE item IS NOT NULL) + "
                        "(SELECT COUNT(*) FROM rc_k WHERE item IS NOT NULL)")[0][0]
    return n_bank, n_book, int(carried)


def _number(table: str, idc: str) -> None:
    """Number the rows of each (key, direction, amount) for one-to-one pairing. Every row starts at 1 and only
    the rare repeated groups are numbered by a window (a window over a million rows costs seconds on SQLite)."""
    row = idc if db.is_postgresql() else "rowid"
    sql.execute(
        f"UPDATE {table} SET rn = d.rn FROM (SELECT {row} AS r, ROW_NUMBER() OVER (PARTITION BY k, dir, amt "  # noqa: S608 — own work tables and key SQL from code; values bound
        f"ORDER BY {idc}) AS rn FROM {table} WHERE (k, dir, amt) IN (SELECT k, dir, amt FROM {table} "
        f"GROUP BY k, dir, amt HAVING COUNT(*) > 1)) AS d WHERE {table}.{row} = d.r AND d.rn > 1")


def _match(recon: Reconciliation, progress: Progress | None) -> dict[str, int]:
    """The passes over rc_b / rc_k (see the module docstring). Leaves the outcome of every line that did not
    match by key in rc_rb / rc_rk.res: the rule that matched it (sum, cancel, amount), the 金额不符 marker or NULL
    (unmatched)."""
    rid = recon.pk
    if not db.is_postgresql():
        sql.execute("CREATE INDEX rc_b_key ON rc_b (k, dir, amt, rn)")
        sql.execute("CREATE INDEX rc_k_key ON rc_k (k, dir, amt, rn)")
    _analyze("rc_b", "rc_k")
    _number("rc_b", "sid")
    _number("rc_k", "jid")
    _tick(progress, "match", 1, 6)
    by_key = sql.execute(
        "INSERT INTO reconciliation_reconmatch (reconciliation_id, rule, statement_line_id, journal_line_id) "  # noqa: S608 — rule values from the model's choices; values bound
        f"SELECT %s, {_KEY}, b.sid, k.jid FROM rc_b b JOIN rc_k k "
        "ON k.k = b.k AND k.dir = b.dir AND k.amt = b.amt AND k.rn = b.rn", [rid])
    _tick(progress, "match", 2, 6)
    sql.execute("INSERT INTO rc_rb (sid, dir, amt, k, item, ld) SELECT b.sid, b.dir, b.amt, b.k, b.item, b.ld "
                "FROM rc_b b WHERE NOT EXISTS (SELECT 1 FROM rc_k k WHERE k.k = b.k AND k.dir = b.dir "
                "AND k.amt = b.amt AND k.rn = b.rn)")
    sql.execute("INSERT INTO rc_rk (jid, dir, amt, k, item, ld, rev) "
                "SELECT k.jid, k.dir, k.amt, k.k, k.item, k.ld, k.rev FROM rc_k k WHERE NOT EXISTS "
                "(SELECT 1 FROM rc_b b WHERE b.k = k.k AND b.dir = k.dir AND b.amt = k.amt AND b.rn = k.rn)")
    if not db.is_postgresql():
        # SQLite has no hash joins: the later passes look lines up by key and by id
        for ddl in ("rc_rb_key ON rc_rb (k, dir)", "rc_rb_sid ON rc_rb (sid)", "rc_rk_key ON rc_rk (k, dir)",
                    "rc_rk_jid ON rc_rk (jid)", "rc_g_key ON rc_g (k, dir)"):
            sql.execute(f"CREATE INDEX {ddl}")
    _analyze("rc_rb", "rc_rk")
    _tick(progress, "match", 3, 6)

    # S: a key whose remaining lines, per direction, have equal totals on both sides (a split payment)
    sql.execute("INSERT INTO rc_g (k, dir) SELECT b.k, b.dir FROM "
                "(SELECT k, dir, SUM(amt) AS s FROM rc_rb GROUP BY k, dir) b JOIN "
                "(SELECT k, dir, SUM(amt) AS s FROM rc_rk WHERE k <> '' GROUP BY k, dir) kk "
                "ON kk.k = b.k AND kk.dir = b.dir AND kk.s = b.s")
    for t in ("rc_rb", "rc_rk"):
        sql.execute(f"UPDATE {t} SET res = {_SUM} WHERE EXISTS "  # noqa: S608 — own work tables and key SQL from code; values bound
                    f"(SELECT 1 FROM rc_g g WHERE g.k = {t}.k AND g.dir = {t}.dir)")

    # C: on the book side a reversal and its original; on either side the same key in and out, same amount
    sql.execute("INSERT INTO rc_p (a, b) SELECT x.jid, y.jid FROM rc_rk x JOIN rc_rk y ON y.jid = x.rev "
                "WHERE x.res IS NULL AND y.res IS NULL")
    for t, idc in (("rc_rk", "jid"), ("rc_rb", "sid")):
        side = (f"SELECT {idc}, k, '', amt, ROW_NUMBER() OVER (PARTITION BY k, amt ORDER BY {idc}) FROM {t} "  # noqa: S608 — own work tables and key SQL from code; values bound
                f"WHERE res IS NULL AND k <> '' AND dir = '{{}}' AND {idc} NOT IN (SELECT a FROM rc_p) "
                f"AND {idc} NOT IN (SELECT b FROM rc_p)")
        _pair(side.format("in"), side.format("out"))
        sql.execute(f"UPDATE {t} SET res = {_CANCEL} WHERE res IS NULL AND ({idc} IN (SELECT a FROM rc_p) "  # noqa: S608 — own work tables and key SQL from code; values bound
                    f"OR {idc} IN (SELECT b FROM rc_p))")
        sql.execute("DELETE FROM rc_p")
    _tick(progress, "match", 4, 6)

    # 金额不符: a key still present on both sides; every remaining line of it is flagged, bank and book
    sql.execute(f"UPDATE rc_rb SET res = {_MISMATCH} WHERE res IS NULL AND k IN "  # noqa: S608 — constant marker
                "(SELECT k FROM rc_rk WHERE res IS NULL AND k <> '')")
    sql.execute(f"UPDATE rc_rk SET res = {_MISMATCH} WHERE res IS NULL AND k IN "  # noqa: S608 — constant marker
                f"(SELECT k FROM rc_rb WHERE res = {_MISMATCH})")

    # A: lines whose key the books do not know, paired by direction + amount with ledger lines without bank_ref
    _pair("SELECT r.sid, '', r.dir, r.amt, ROW_NUMBER() OVER (PARTITION BY r.dir, r.amt ORDER BY r.sid) "
          "FROM rc_rb r WHERE r.res IS NULL AND NOT EXISTS (SELECT 1 FROM rc_k kk WHERE kk.k = r.k)",
          "SELECT jid, '', dir, amt, ROW_NUMBER() OVER (PARTITION BY dir, amt ORDER BY jid) "
          "FROM rc_rk WHERE res IS NULL AND k = ''")
    by_amount = sql.execute(
        "INSERT INTO reconciliation_reconmatch (reconciliation_id, rule, statement_line_id, journal_line_id) "  # noqa: S608 — rule values from the model's choices; values bound
        f"SELECT %s, {_AMOUNT}, a, b FROM rc_p", [rid])
    sql.execute(f"UPDATE rc_rb SET res = {_AMOUNT} WHERE sid IN (SELECT a FROM rc_p)")  # noqa: S608 — rule values from the model's choices
    sql.execute(f"UPDATE rc_rk SET res = {_AMOUNT} WHERE jid IN (SELECT b FROM rc_p)")  # noqa: S608 — rule values from the model's choices
    _tick(progress, "match", 5, 6)

    grouped = cancelled = 0
    for t, cols in (("rc_rb", "%s, res, sid, NULL"), ("rc_rk", "%s, res, NULL, jid")):
        sql.execute("INSERT INTO reconciliation_reconmatch (reconciliation_id, rule, statement_line_id, "  # noqa: S608 — own work tables and key SQL from code; values bound
                    f"journal_line_id) SELECT {cols} FROM {t} WHERE res IN ({_SUM}, {_CANCEL})", [rid])
        for res, n in sql.fetch(f"SELECT res, COUNT(*) FROM {t} WHERE res IN ({_SUM}, {_CANCEL}) GROUP BY res"):  # noqa: S608 — own work tables and key SQL from code; values bound
            if res == ReconMatch.Rule.SUM:
                grouped += int(n)
            else:
                cancelled += int(n)
    _tick(progress, "match", 6, 6)
    return {"by_key": by_key, "by_amount": by_amount, "grouped": grouped, "cancelled": cancelled}


def _record_items(recon: Reconciliation) -> tuple[int, int]:
    """New items for the unmatched lines of this run, and the carried items closed (matched) or superseded
    (now 金额不符). Returns (new items, carried items closed by a match)."""
    rid, on = recon.pk, recon.recon_date
    head = ("INSERT INTO reconciliation_reconitem (center_id, bank_account_id, opened_in_id, opened_on, reason, "
            "side, direction, amount, ref_key, statement_line_id, journal_line_id, line_date, status, note, "
            "explained_by, close_kind) ")
    params = [recon.center_id, recon.bank_account_id, rid, on]
    # unmatched lines of today, and carried lines that now meet a same-key line of another amount (a carried
    # 金额不符 item stays as it is, with its explanation)
    fresh = (f"(res IS NULL AND item IS NULL) OR (res = {_MISMATCH} AND (item IS NULL OR item NOT IN "  # noqa: S608 — constant marker
             "(SELECT id FROM reconciliation_reconitem WHERE bank_account_id = %s AND reason = 'AM' "
             "AND closed_on IS NULL)))")
    params_b = [*params, recon.bank_account_id]
    new = sql.execute(
        head + f"SELECT %s, %s, %s, %s, CASE WHEN res = {_MISMATCH} THEN 'AM' WHEN dir = 'in' THEN 'BI' ELSE 'BO' END, "  # noqa: S608 — own work tables and key SQL from code; values bound
        f"{_BANK}, dir, amt, k, sid, NULL, ld, {_ITEM_OPEN}, '', '', '' FROM rc_rb WHERE {fresh}", params_b)
    new += sql.execute(
        head + f"SELECT %s, %s, %s, %s, CASE WHEN res = {_MISMATCH} THEN 'AM' WHEN dir = 'in' THEN 'KI' ELSE 'KO' END, "  # noqa: S608 — own work tables and key SQL from code; values bound
        f"{_BOOK}, dir, amt, k, NULL, jid, ld, {_ITEM_OPEN}, '', '', '' FROM rc_rk WHERE {fresh}", params_b)
    closed = sql.execute(
        f"UPDATE reconciliation_reconitem SET closed_on = %s, closed_in_id = %s, close_kind = {_CLOSED_MATCHED} "  # noqa: S608 — stored values from the model's choices; values bound
        "WHERE id IN ("
        "SELECT item FROM rc_b WHERE item IS NOT NULL AND sid NOT IN (SELECT sid FROM rc_rb) "
        "UNION SELECT item FROM rc_k WHERE item IS NOT NULL AND jid NOT IN (SELECT jid FROM rc_rk) "
        f"UNION SELECT item FROM rc_rb WHERE item IS NOT NULL AND res IN ({_SUM}, {_CANCEL}, {_AMOUNT}) "
        f"UNION SELECT item FROM rc_rk WHERE item IS NOT NULL AND res IN ({_SUM}, {_CANCEL}, {_AMOUNT}))", [on, rid])
    sql.execute(
        f"UPDATE reconciliation_reconitem SET closed_on = %s, closed_in_id = %s, close_kind = {_CLOSED_SUPERSEDED} "  # noqa: S608 — stored values from the model's choices; values bound
        "WHERE reason <> 'AM' AND id IN ("
        f"SELECT item FROM rc_rb WHERE item IS NOT NULL AND res = {_MISMATCH} "
        f"UNION SELECT item FROM rc_rk WHERE item IS NOT NULL AND res = {_MISMATCH})", [on, rid])
    return new, closed


def _open_items_sql() -> str:
    return ("FROM reconciliation_reconitem WHERE bank_account_id = %s AND opened_on <= %s "
            "AND (closed_on IS NULL OR closed_on > %s)")


def _refresh(recon: Reconciliation) -> Reconciliation:
    """Recompute the 调节表 figures and the status of a reconciliation from the items open at its day's end."""
    on = recon.recon_date
    row = sql.fetch(
        f"SELECT COALESCE(SUM(CASE WHEN side = {_BANK} AND direction = 'in' THEN amount ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN side = {_BANK} AND direction = 'out' THEN amount ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN side = {_BOOK} AND direction = 'in' THEN amount ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN side = {_BOOK} AND direction = 'out' THEN amount ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN reason = 'AM' THEN 1 ELSE 0 END), 0), COUNT(*), "
        f"COALESCE(SUM(CASE WHEN status = {_ITEM_OPEN} AND NOT (reason <> 'AM' AND opened_on = %s) THEN 1 ELSE 0 END), 0) "
        + _open_items_sql(), [on, recon.bank_account_id, on, on])[0]
    (recon.bank_in_open, recon.bank_out_open, recon.book_in_open, recon.book_out_open, recon.mismatch_items,
     recon.items_open, recon.items_unexplained) = (int(v) for v in row)
    recon.difference = recon.adjusted_bank - recon.adjusted_book
    ok = recon.difference == 0 and recon.items_unexplained == 0
    recon.status = Reconciliation.Status.BALANCED if ok else Reconciliation.Status.UNEXPLAINED
    Reconciliation.objects.filter(pk=recon.pk).update(
        bank_in_open=recon.bank_in_open, bank_out_open=recon.bank_out_open, book_in_open=recon.book_in_open,
        book_out_open=recon.book_out_open, mismatch_items=recon.mismatch_items, items_open=recon.items_open,
        items_unexplained=recon.items_unexplained, difference=recon.difference, status=recon.status)
    return recon


_STASH_FIELDS = ("statement_line_id", "journal_line_id", "reason", "status", "note", "explained_by", "explained_on",
                 "explained_at", "closed_on", "close_kind")


def _undo(recon: Reconciliation) -> list[dict[str, Any]]:
    """Take back a day's result before it is run again: reopen the items it closed, delete the items and
    matches it made. Returns the notes of its items (explained, resolved) to put back on the same lines."""
    stash = list(ReconItem.objects.filter(opened_in=recon).exclude(status=ReconItem.Status.OPEN)
                 .values(*_STASH_FIELDS))
    ReconItem.objects.filter(closed_in=recon).update(closed_on=None, closed_in=None, close_kind="")
    sql.execute("DELETE FROM reconciliation_reconitem WHERE opened_in_id = %s", [recon.pk])
    sql.execute("DELETE FROM reconciliation_reconmatch WHERE reconciliation_id = %s", [recon.pk])
    return stash


def _restore_notes(recon: Reconciliation, stash: list[dict[str, Any]]) -> int:
    """Explanations and resolutions survive a re-run when the same line is again an item for the same reason."""
    if not stash:
        return 0
    wanted = {(s["statement_line_id"], s["journal_line_id"], s["reason"]): s for s in stash}
    lines = (Q(statement_line_id__in=[s["statement_line_id"] for s in stash if s["statement_line_id"]])
             | Q(journal_line_id__in=[s["journal_line_id"] for s in stash if s["journal_line_id"]]))
    items = list(ReconItem.objects.filter(lines, opened_in=recon))
    changed = []
    for it in items:
        s = wanted.get((it.statement_line_id, it.journal_line_id, it.reason))
        if s is None:
            continue
        for f in ("status", "note", "explained_by", "explained_on", "explained_at"):
            setattr(it, f, s[f])
        if s["status"] == ReconItem.Status.RESOLVED:
            it.closed_on, it.close_kind = s["closed_on"], s["close_kind"]
        changed.append(it)
    ReconItem.objects.bulk_update(changed, ["status", "note", "explained_by", "explained_on", "explained_at",
                                            "closed_on", "close_kind"])
    return len(changed)


def book_balance(*, gl_account_id: int, on: date, upto_line: int | None = None) -> int:
    """The GL balance (debit − credit) of a bank sub-account at the end of `on`."""
    extra, params = ("AND l.id <= %s ", [upto_line]) if upto_line is not None else ("", [])
    v = sql.fetch("SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM ledger_v_journal_line l "  # noqa: S608 — own work tables and key SQL from code; values bound
                  "JOIN ledger_v_journal_entry e ON e.id = l.entry_id "
                  f"WHERE l.account_id = %s AND e.business_date <= %s {extra}", [gl_account_id, on, *params])[0][0]
    return int(v)


def reconcile(
    *, bank_account: BankAccount, on: date, actor: Actor, business_date: date, progress: Progress | None = None,
) -> Reconciliation:
    """日终对账 of one 专户 for one day: match the day's statement against the ledger (set-based, see the module
    docstring), record the unmatched lines as items with their reasons, close the older items that matched
    today, and compute the 银行存款余额调节表. Running the same day again replaces that day's result
    (explanations on the same lines are kept); a day after which another was reconciled cannot be re-run."""
    check_permission(actor, PERMISSION, center=bank_account.center_id)
    if on > business_date:
        raise DomainError(ErrorCode.RECON_FUTURE, f"对账日期 {on} 晚于业务日期 {business_date}", field="on")
    t0 = time.perf_counter()
    with transaction.atomic():
        acct = BankAccount.objects.select_for_update().get(pk=bank_account.pk)
        stmt = BankStatement.objects.filter(bank_account=acct, stmt_date=on).first()
        if stmt is None:
            raise DomainError(ErrorCode.STATEMENT_MISSING, f"专户 {acct.account_no} 尚无 {on} 的银行对账单", field="on")
        later = Reconciliation.objects.filter(bank_account=acct, recon_date__gt=on).order_by("recon_date").first()
        if later is not None:
            raise DomainError(ErrorCode.RECON_LATER_EXISTS,
                              f"专户 {acct.account_no} 已完成 {later.recon_date} 的对账，不能重做更早的 {on}", field="on")
        pending = BankStatement.objects.filter(bank_account=acct, stmt_date__lt=on, reconciliation__isnull=True)
        start = getattr(acct, "reconcile_from", None)  # statements before the account's first reconciled day wait for none
        if start is not None:
            pending = pending.filter(stmt_date__gte=start)
        earliest = pending.order_by("stmt_date").first()
        if earliest is not None:
            raise DomainError(ErrorCode.RECON_EARLIER_PENDING,
                              f"专户 {acct.account_no} 请先完成 {earliest.stmt_date} 的对账", field="on")
        prev = Reconciliation.objects.filter(bank_account=acct, recon_date__lt=on).order_by("-recon_date").first()
        recon = Reconciliation.objects.filter(bank_account=acct, recon_date=on).first()
        rerun = recon is not None
        stash = _undo(recon) if recon is not None else []
        db.local_work_mem("256MB")
        watermark = int(sql.fetch("SELECT COALESCE(MAX(id), 0) FROM ledger_v_journal_line")[0][0])
        prev_stmt = (BankStatement.objects.filter(bank_account=acct, stmt_date__lt=on).order_by("-stmt_date")
                     .only("closing_balance").first())
        label = actor_label(actor)[0]
        fields = dict(center_id=acct.center_id, statement=stmt, prev=prev, business_date=business_date, run_by=label,
                      book_watermark=watermark, bank_closing=stmt.closing_balance,
                      opening_gap=(stmt.opening_balance - prev_stmt.closing_balance) if prev_stmt else None)
        if recon is None:
            recon = Reconciliation.objects.create(bank_account=acct, recon_date=on, **fields)
        else:
            for k, v in fields.items():
                setattr(recon, k, v)
        _work_tables()
        _tick(progress, "prepare", 0, 2)
        n_bank, n_book, carried = _candidates(acct=acct, stmt=stmt, on=on, prev=prev, watermark=watermark)
        _tick(progress, "prepare", 1, 2)
        recon.book_closing = book_balance(gl_account_id=acct.gl_account_id, on=on, upto_line=watermark)
        _tick(progress, "prepare", 2, 2)
        m = _match(recon, progress)
        new, closed = _record_items(recon)
        _drop_work_tables()
        recon.statement_lines, recon.book_lines, recon.carried_items = stmt.line_count, n_book, carried
        recon.matched_by_key, recon.matched_by_sum = m["by_key"], m["grouped"]
        recon.matched_by_amount, recon.cancelled = m["by_amount"], m["cancelled"]
        recon.carried_closed, recon.items_new = closed, new
        recon.duration_ms = int((time.perf_counter() - t0) * 1000)
        recon.save()
        _restore_notes(recon, stash)
        _refresh(recon)
        _tick(progress, "save", 1, 1)
        audit_log(actor=actor, action=AuditEvent.RECONCILIATION_RUN, obj=recon, center=acct.center_id,
                  business_date=business_date,
                  after={"account_no": acct.account_no, "on": on, "rerun": rerun,
                         "bank_lines": n_bank, "book_lines": n_book, "matched_by_key": recon.matched_by_key,
                         "matched_by_sum": recon.matched_by_sum, "matched_by_amount": recon.matched_by_amount,
                         "cancelled": recon.cancelled, "items_new": new, "carried_closed": closed,
                         "bank_closing": recon.bank_closing, "book_closing": recon.book_closing,
                         "difference": recon.difference, "status": recon.status})
        return recon


# ---------------------------------------------------------------- work queue: explain and resolve


def _refresh_from(bank_account_id: int, since: date) -> None:
    for recon in Reconciliation.objects.filter(bank_account_id=bank_account_id, recon_date__gte=since):
        _refresh(recon)


def _note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError(ErrorCode.NOTE_REQUIRED, "请填写差异说明", field="note")
    if len(note) > 500:
        raise DomainError(ErrorCode.NOTE_TOO_LONG, "差异说明不能超过 500 字", field="note")
    return note


def recon_item_explain(*, item: ReconItem, note: str, actor: Actor, business_date: date) -> ReconItem:
    """说明差异: record why an open item is there (a timing difference with its expected date, a bank error
    reported…). An explained item still adjusts the 调节表 but no longer holds day-end."""
    check_permission(actor, PERMISSION, center=item.center_id)
    note = _note(note)
    with transaction.atomic():
        it = ReconItem.objects.select_for_update().get(pk=item.pk)
        if it.closed_on is not None:
            raise DomainError(ErrorCode.ITEM_CLOSED, f"差异 {it.pk} 已{it.get_close_kind_display()}，无需说明", field="item")
        before = {"status": it.status, "note": it.note}
        it.status, it.note = ReconItem.Status.EXPLAINED, note
        it.explained_by, it.explained_on, it.explained_at = actor_label(actor)[0], business_date, timezone.now()
        it.save(update_fields=["status", "note", "explained_by", "explained_on", "explained_at"])
        _refresh_from(it.bank_account_id, it.opened_on)
        audit_log(actor=actor, action=AuditEvent.RECONCILIATION_ITEM_EXPLAIN, obj=it, center=it.center_id,
                  business_date=business_date, before=before, after={"status": it.status, "note": note})
        return it


def _effect(it: ReconItem) -> int:
    """What an open item adds to (adjusted bank − adjusted book)."""
    bank, book = ReconItem.Side.BANK, ReconItem.Side.BOOK
    sign = 1 if (it.side, it.direction) in ((book, "in"), (bank, "out")) else -1
    return sign * it.amount


def recon_items_resolve(*, items: Sequence[ReconItem], note: str, actor: Actor, business_date: date) -> list[ReconItem]:
    """核销: close open items that need no counterpart any more (an error corrected by an entry the bank will
    not see, a bank error and its refund, an opening difference…), from `business_date` on. Allowed only for
    items of one account that offset each other, or that bring the latest 调节表 to balance exactly; otherwise
    a real difference would disappear from the 调节表."""
    note = _note(note)
    if not items:
        raise DomainError(ErrorCode.ITEMS_REQUIRED, "请选择要核销的差异", field="items")
    with transaction.atomic():
        its = list(ReconItem.objects.select_for_update().filter(pk__in=sorted({i.pk for i in items})).order_by("pk"))
        accounts = {it.bank_account_id for it in its}
        if len(accounts) != 1:
            raise DomainError(ErrorCode.ITEMS_ONE_ACCOUNT, "一次核销的差异须属于同一专户", field="items")
        check_permission(actor, PERMISSION, center=its[0].center_id)
        closed = [it.pk for it in its if it.closed_on is not None]
        if closed:
            raise DomainError(ErrorCode.ITEM_CLOSED, f"差异 {closed[0]} 已勾销，不能核销", field="items")
        early = [it.pk for it in its if it.opened_on > business_date]
        if early:
            raise DomainError(ErrorCode.ITEM_FUTURE, f"差异 {early[0]} 的发现日期晚于业务日期", field="items")
        effect = sum(_effect(it) for it in its)
        latest = Reconciliation.objects.filter(bank_account_id=its[0].bank_account_id).order_by("-recon_date").first()
        if effect != 0 and (latest is None or latest.difference - effect != 0):
            raise DomainError(
                ErrorCode.RESOLVE_UNBALANCED,
                f"核销后调节表仍不平衡：所选差异合计影响 {format_fen(effect)} 元，调节后差额 {format_fen(latest.difference if latest else 0)} 元；"
                "请同时核销相互抵销的差异，或先入账更正", field="items", details={"effect": effect})
        label, now = actor_label(actor)[0], timezone.now()
        for it in its:
            it.status, it.note, it.explained_by, it.explained_on, it.explained_at = (
                ReconItem.Status.RESOLVED, note, label, business_date, now)
            it.closed_on, it.close_kind = business_date, ReconItem.Close.RESOLVED
        ReconItem.objects.bulk_update(its, ["status", "note", "explained_by", "explained_on", "explained_at",
                                            "closed_on", "close_kind"])
        _refresh_from(its[0].bank_account_id, min(it.opened_on for it in its))
        audit_log(actor=actor, action=AuditEvent.RECONCILIATION_ITEM_RESOLVE, obj=("reconciliation.reconitem", its[0].pk),
                  center=its[0].center_id, business_date=business_date,
                  after={"items": [it.pk for it in its], "effect": effect, "note": note})
        return its


# ---------------------------------------------------------------- the way out of a difference: a voucher (复核)


def _open_item(item: ReconItem) -> ReconItem:
    it = ReconItem.objects.select_related("bank_account__gl_account", "statement_line", "journal_line__entry").get(
        pk=item.pk)
    if it.closed_on is not None:
        raise DomainError(ErrorCode.ITEM_CLOSED, f"差异 {it.pk} 已{it.get_close_kind_display()}，不能再办理", field="item")
    return it


def _no_pending_command(it: ReconItem, key: str | None = None) -> None:
    """An item gets one 补记凭证 or 冲正: refused while one waits for a checker (unless it is the one submitted
    with `key`, a replay of the same form), and once one is applied until the next reconciliation matches it."""
    cmd = selectors.items_commands(center=it.center_id, items=[it]).get(it.pk)
    if cmd is None or cmd.idempotency_key == key:
        return
    code = ErrorCode.RECON_ITEM_PENDING if cmd.status == "pending" else ErrorCode.RECON_ITEM_BOOKED
    raise DomainError(code, pk=it.pk, command=cmd.pk, field="item")


def recon_item_book_plan(*, item: ReconItem, account: str, description: str, key: str | None = None) -> dict[str, Any]:
    """The manual voucher 补记凭证 would submit for an open bank-side item, checked, nothing written: the command's
    parameters (lines in fen, 借 first). Refuses a closed item, a book-side one, one with a command waiting for a
    checker, an account not offered for its direction and an empty description."""
    it = _open_item(item)
    _no_pending_command(it, key)
    if it.statement_line_id is None:
        raise DomainError(ErrorCode.RECON_BOOK_SIDE, f"差异 {it.pk} 不是银行已记而账面未记的款项，不能补记凭证", field="item")
    choices = dict(selectors.BOOK_OUT if it.direction == Direction.OUT else selectors.BOOK_IN)
    account = (account or "").strip()
    if account not in choices:
        raise DomainError(ErrorCode.RECON_BOOK_ACCOUNT, f"补记凭证的对方科目不正确：{account or '未选择'}", field="account")
    description = (description or "").strip()
    if not description:
        raise DomainError(ErrorCode.DESCRIPTION_REQUIRED, "请填写凭证摘要", field="description")
    bank = {"account": it.bank_account.gl_account.code, "bank_ref": it.ref_key, "memo": f"对账差异 {it.pk}"}
    other = {"account": account, "memo": f"对账差异 {it.pk}"}
    lines = ([{**other, "debit": it.amount}, {**bank, "credit": it.amount}] if it.direction == Direction.OUT
             else [{**bank, "debit": it.amount}, {**other, "credit": it.amount}])
    return {"lines": lines, "description": description[:200], "biz_type": BizType.OTHER.value}


def recon_item_book(*, item: ReconItem, account: str, description: str, actor: Actor, business_date: date,
                    token: str = "") -> Any:
    """补记凭证: a bank line the books lack (a fee the bank took, interest it paid) becomes a manual voucher
    (ledger.entry_post) for a checker: Dr expense / Cr 专户 for money out, Dr 专户 / Cr income for money in, the
    专户 line carrying the bank's reference so the next reconciliation matches it by key. Returns the command;
    the same `token` (the form's) returns the command already submitted for it."""
    check_permission(actor, PERMISSION, center=item.center_id)
    key = selectors.item_command_key("book", item.pk, token or uuid.uuid4().hex)
    with transaction.atomic():
        ReconItem.objects.select_for_update().filter(pk=item.pk).first()  # one submission per item at a time
        params = recon_item_book_plan(item=item, account=account, description=description, key=key)
        return command_submit(name="ledger.entry_post", actor=actor, center=item.center, business_date=business_date,
                              params=params, idempotency_key=key)


def recon_item_reverse_plan(*, item: ReconItem, reason: str, key: str | None = None) -> dict[str, Any]:
    """The 冲正 a book-side item would submit, checked, nothing written: the voucher number and the reason.
    Refused while a command for the item waits for a checker."""
    it = _open_item(item)
    _no_pending_command(it, key)
    if it.journal_line is None:
        raise DomainError(ErrorCode.RECON_REVERSE_SIDE, f"差异 {it.pk} 不是本中心已记而银行未记的凭证，不能冲正", field="item")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ErrorCode.REASON_REQUIRED, "请填写冲正原因", field="reason")
    return {"voucher_no": it.journal_line.entry.voucher_no, "reason": reason[:200]}


def recon_item_reverse(*, item: ReconItem, reason: str, actor: Actor, business_date: date, token: str = "") -> Any:
    """冲正: a voucher of ours the bank never executed is reversed (ledger.entry_reverse) once a checker approves;
    the reversal and its original then cancel out at the next reconciliation."""
    check_permission(actor, PERMISSION, center=item.center_id)
    key = selectors.item_command_key("reverse", item.pk, token or uuid.uuid4().hex)
    with transaction.atomic():
        ReconItem.objects.select_for_update().filter(pk=item.pk).first()  # one submission per item at a time
        params = recon_item_reverse_plan(item=item, reason=reason, key=key)
        return command_submit(name="ledger.entry_reverse", actor=actor, center=item.center,
                              business_date=business_date, params=params, idempotency_key=key)
