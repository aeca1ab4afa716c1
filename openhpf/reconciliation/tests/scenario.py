"""A synthetic bank day with injected discrepancies, for the tests (thousands of lines) and bench/bench_recon.py
(a million): the statement lines (a generator, nothing held in memory), the book side written with set-based
SQL (balanced entries, as a bench set-up may), and the exact set of items a correct reconciliation must find.

Line i of the day is one of (by a fixed hash of i): a receipt keyed by the bank's bank_seq; a payment keyed by
the center's seq (echoed as ref); a batch line; a manual voucher without bank_ref (matched by direction and
amount); a split receipt (one bank line, two book lines with the same key); a reversed posting (the book's
original and reversal, nothing at the bank); a payment the bank returned (out and in with the same ref, nothing
in the books). Every `1 / rate`-th line is instead a discrepancy, the kinds in turn: 银行已收单位未收,
银行已付单位未付, 单位已收银行未收, 单位已付银行未付, 金额不符."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from openhpf.ledger import sql
from openhpf.ledger.models import AccountingPeriod, GLAccount

DISCREPANCY_KINDS = ("BI", "BO", "KI", "KO", "AM")
COUNTER = "21902"  # 暂收款: the other side of the synthetic postings (no invariant ties it to anything else)


@dataclass
class Day:
    center_code: str
    day: date
    n: int  # line slots of the day (the statement has about this many lines)
    opening: int = 10_000_000_000_00  # 100 亿元, so no balance goes negative
    every: int = 1000  # one discrepancy per `every` slots (0.1 %)
    expected: set[tuple[str, str, str]] = field(default_factory=set)  # (reason, side bank/book, key)
    closing: int = 0
    statement_count: int = 0
    book_count: int = 0

    def _kind(self, i: int) -> str:
        if i % self.every == self.every // 2:
            return DISCREPANCY_KINDS[(i // self.every) % len(DISCREPANCY_KINDS)]
        r = (i * 7919 + 13) % 100
        return ("receipt" if r < 55 else "payment" if r < 85 else "batch" if r < 90 else "manual" if r < 93
                else "split" if r < 96 else "reversal" if r < 98 else "returned")

    @staticmethod
    def _amount(i: int) -> int:
        return 1000 + (i * 104729) % 5_000_000

    def _keys(self, i: int) -> tuple[str, str]:
        d = self.day.strftime("%Y%m%d")
        return f"B{d}{i:010d}", f"{self.center_code}{d}{i:010d}"

    def statement_lines(self) -> Iterator[dict]:
        """The BDC113 lines of the day, in order, with running balances (a generator)."""
        balance = self.opening
        d, center = self.day.strftime("%Y%m%d"), self.center_code
        for i in range(self.n):
            kind, a = self._kind(i), 1000 + (i * 104729) % 5_000_000
            bank_seq = f"B{d}{i:010d}"
            out: list[tuple[str, int, str, str]]  # direction, amount, bank_seq, ref
            if kind == "receipt" or kind == "split":
                out = [("in", a, bank_seq, "")]
            elif kind == "payment":
                out = [("out", a, bank_seq, f"{center}{d}{i:010d}")]
            elif kind == "batch":
                out = [("in" if i % 2 else "out", a, bank_seq, f"BAT{center}{d}{i:010d}")]
            elif kind == "manual":
                out = [("in" if i % 2 else "out", 10_000_000 + i, bank_seq, "")]
            elif kind == "returned":
                seq = f"{center}{d}{i:010d}"
                out = [("out", a, bank_seq, seq), ("in", a, "C" + bank_seq[1:], seq)]
            elif kind == "BI":
                out = [("in", 20_000_000 + i, bank_seq, "")]
            elif kind == "BO":
                out = [("out", 20_000_000 + i, bank_seq, "")]
            elif kind == "AM":
                out = [("in", a + 1234, bank_seq, "")]
            else:
                continue
            for direction, amount, bseq, ref in out:
                balance += amount if direction == "in" else -amount
                yield {"bank_seq": bseq, "direction": direction, "amount": amount, "balance": balance,
                       "counter_account": f"6222{i:012d}", "counter_name": "杭州测试有限公司", "summary": kind,
                       "ref": ref}

    def book_lines(self) -> Iterator[tuple[int, str, int, str]]:
        """(slot, direction, amount, bank_ref) of the day's ordinary postings (reversals apart)."""
        for i in range(self.n):
            kind, a = self._kind(i), self._amount(i)
            bank_seq, seq = self._keys(i)
            if kind == "receipt" or kind == "AM":
                yield i, "in", a, bank_seq
            elif kind == "payment":
                yield i, "out", a, seq
            elif kind == "batch":
                yield i, "in" if i % 2 else "out", a, "BAT" + seq
            elif kind == "manual":
                yield i, "in" if i % 2 else "out", 10_000_000 + i, ""
            elif kind == "split":
                part = 1 + (i * 31) % (a - 1)
                yield i, "in", part, bank_seq
                yield i, "in", a - part, bank_seq
            elif kind == "KI":
                yield i, "in", a, "BX" + bank_seq[1:]
            elif kind == "KO":
                yield i, "out", a, "SX" + seq

    def reversals(self) -> list[tuple[int, int, str]]:
        return [(i, self._amount(i), "R" + self._keys(i)[0][1:]) for i in range(self.n) if self._kind(i) == "reversal"]

    def prepare(self) -> None:
        """Closing balance, counts and the expected items (one pass over the slots, nothing stored per line)."""
        total, count = 0, 0
        for ln in self.statement_lines():
            total += ln["amount"] if ln["direction"] == "in" else -ln["amount"]
            count += 1
        self.closing, self.statement_count = self.opening + total, count
        self.book_count = sum(1 for _ in self.book_lines()) + 2 * len(self.reversals())
        self.expected = set()
        for i in range(self.every // 2, self.n, self.every):
            bank_seq, seq = self._keys(i)
            kind = self._kind(i)
            self.expected |= {"BI": {("BI", "bank", bank_seq)}, "BO": {("BO", "bank", bank_seq)},
                              "KI": {("KI", "book", "BX" + bank_seq[1:])}, "KO": {("KO", "book", "SX" + seq)},
                              "AM": {("AM", "bank", bank_seq), ("AM", "book", bank_seq)}}[kind]


def _entries(center_id: int, period_id: int, rows: list[tuple[str, date, int, int | None, str]]) -> dict[str, int]:
    """Insert journal entries (voucher_no, business date, total, reversal_of id, description); their ids."""
    now = timezone.now()
    sql.bulk_insert(
        "ledger_journalentry",
        ["center_id", "period_id", "voucher_no", "business_date", "value_date", "source", "biz_type", "description",
         "total", "reversal_of_id", "created_by", "created_at"],
        ((center_id, period_id, v, d, d, "bench", "", desc, t, rev, "system:bench", now) for v, d, t, rev, desc in rows))
    names = [r[0] for r in rows]
    found: dict[str, int] = {}
    for k in range(0, len(names), 5000):
        chunk = names[k:k + 5000]
        marks = ", ".join(["%s"] * len(chunk))
        found.update({v: i for v, i in sql.fetch(
            f"SELECT voucher_no, id FROM ledger_journalentry WHERE center_id = %s AND voucher_no IN ({marks})",
            [center_id, *chunk])})
    return found


def _period(center_id: int, d: date) -> int:
    p, _ = AccountingPeriod.objects.get_or_create(center_id=center_id, year=d.year, month=d.month)
    return p.pk


def book_insert(*, center_id: int, gl: GLAccount, scenario: Day, per_entry: int = 1000, opening: bool = True) -> int:
    """Write the day's book side with set-based SQL: the opening balance the day before (when asked), entries of
    `per_entry` bank lines with one counter line each on 21902, and each reversed posting as an original entry and
    its reversal (reversal_of set, the reversal's bank line without bank_ref, as ledger.entry_reverse writes it).
    Returns the number of bank lines written."""
    counter = GLAccount.objects.get(center_id=center_id, code=COUNTER).pk
    day, tag = scenario.day, scenario.day.strftime("%Y%m%d")
    if opening:
        before = day - timedelta(days=1)
        ids = _entries(center_id, _period(center_id, before),
                       [(f"记-{tag}-OPEN", before, scenario.opening, None, "期初余额")])
        sql.bulk_insert("ledger_journalline", ["entry_id", "line_no", "account_id", "debit", "credit", "memo", "bank_ref"],
                        [(ids[f"记-{tag}-OPEN"], 1, gl.pk, scenario.opening, 0, "", ""),
                         (ids[f"记-{tag}-OPEN"], 2, counter, 0, scenario.opening, "", "")])
    period = _period(center_id, day)
    # group the ordinary lines into entries; each entry's counter line takes the net
    groups: list[list[tuple[str, int, str]]] = [[]]
    for _i, direction, amount, ref in scenario.book_lines():
        if len(groups[-1]) >= per_entry:
            groups.append([])
        groups[-1].append((direction, amount, ref))
    entries = []
    for g, lines in enumerate(groups):
        debit = sum(a for d, a, _ in lines if d == "in")
        credit = sum(a for d, a, _ in lines if d == "out")
        entries.append((f"记-{tag}-B{g:06d}", day, max(debit, credit), None, "基准测试批量凭证"))
    reversals = scenario.reversals()
    entries += [(f"记-{tag}-R{i:010d}", day, a, None, "误记") for i, a, _ in reversals]
    ids = _entries(center_id, period, entries)
    rev_entries = [(f"记-{tag}-X{i:010d}", day, a, ids[f"记-{tag}-R{i:010d}"], "冲正") for i, a, _ in reversals]
    ids.update(_entries(center_id, period, rev_entries))

    def rows() -> Iterator[tuple]:
        for g, lines in enumerate(groups):
            eid = ids[f"记-{tag}-B{g:06d}"]
            n = 0
            for n, (direction, amount, ref) in enumerate(lines, 1):
                yield (eid, n, gl.pk, amount if direction == "in" else 0, amount if direction == "out" else 0, "", ref)
            net = sum(a if d == "in" else -a for d, a, _ in lines)
            if net:
                yield (eid, n + 1, counter, 0 if net > 0 else -net, net if net > 0 else 0, "", "")
        for i, a, ref in reversals:
            orig, rev = ids[f"记-{tag}-R{i:010d}"], ids[f"记-{tag}-X{i:010d}"]
            yield (orig, 1, gl.pk, a, 0, "", ref)
            yield (orig, 2, counter, 0, a, "", "")
            yield (rev, 1, gl.pk, 0, a, "冲正", "")
            yield (rev, 2, counter, a, 0, "冲正", "")

    sql.bulk_insert("ledger_journalline", ["entry_id", "line_no", "account_id", "debit", "credit", "memo", "bank_ref"],
                    rows())
    return sum(len(g) for g in groups) + 2 * len(reversals)
