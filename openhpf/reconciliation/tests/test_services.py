"""日终对账: statements, matching by every rule, each reason of an open item, timing differences carried and
closed, the 调节表 figures, re-runs, the day-end gate, explain/resolve and invariant 4."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from openhpf.conftest import business_day, finance_clerk
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.money import format_fen
from openhpf.core.verify import run_checks
from openhpf.ledger.services import Line, entry_post, entry_reverse
from openhpf.settlement.models import BankAccount
from openhpf.settlement.services import bank_account_open

from ..models import BankStatement, Reconciliation, ReconItem, ReconMatch, StatementLine
from ..selectors import reconciliation_day_ok, reconciliation_gate
from ..services import recon_item_explain, recon_items_resolve, reconcile, statement_load
from .scenario import Day, book_insert

SYS = SystemActor("test")
D0 = date(2026, 11, 27)  # the day before the first reconciled day: the opening balance
D1 = date(2026, 11, 28)
D2 = date(2026, 11, 29)
D3 = date(2026, 11, 30)
OPENING = 1_000_000_00


@pytest.fixture
def acct(center):
    a = bank_account_open(center=center, bank_code="102", bank_name="工商银行杭州分行", account_no="1202020100000001",
                          account_name="", actor=SYS, business_date=D0)
    _post(center, a, D0, [("in", OPENING, "")], description="期初余额")
    return a


def _post(center, acct, day, lines, *, description="测试", counter="21902"):
    """One entry: the bank lines (direction, amount, bank_ref) and one counter line for the net."""
    gl = acct.gl_account.code
    out = [Line(gl, debit=a, bank_ref=r) if d == "in" else Line(gl, credit=a, bank_ref=r) for d, a, r in lines]
    net = sum(a if d == "in" else -a for d, a, _ in lines)
    if net:
        out.append(Line(counter, credit=net) if net > 0 else Line(counter, debit=-net))
    with business_day(center, day):
        return entry_post(center=center, business_date=day, lines=out, source="test", description=description,
                          actor=SYS)


def _load(acct, day, opening, lines, *, business_date=None):
    """lines: (bank_seq, direction, amount, ref); running balances and closing computed here."""
    bal, out = opening, []
    for seq, d, a, ref in lines:
        bal += a if d == "in" else -a
        out.append({"bank_seq": seq, "direction": d, "amount": a, "balance": bal, "counter_account": "6222000011112222",
                    "counter_name": "张三", "summary": "测试", "ref": ref})
    return statement_load(bank_account=acct, stmt_date=day, opening_balance=opening, closing_balance=bal, lines=out,
                          actor=SYS, business_date=business_date or max(day, D3))


def _items(recon):
    return {(i.reason, i.side, i.ref_key, i.amount) for i in ReconItem.objects.filter(opened_in=recon)}


def _run(acct, day):
    return reconcile(bank_account=acct, on=day, actor=SYS, business_date=D3)


# ---------------------------------------------------------------- one day, every reason


def _day_with_every_reason(center, acct):
    _post(center, acct, D1, [("in", 1000_00, "B1")])  # receipt keyed by the bank's bank_seq
    _post(center, acct, D1, [("out", 500_00, "S1")])  # payment keyed by our instruction seq
    _post(center, acct, D1, [("in", 300_00, "")], description="手工凭证")  # no bank_ref: matched by amount
    _post(center, acct, D1, [("in", 200_00, "B2")])  # the bank says 250: 金额不符
    _post(center, acct, D1, [("in", 700_00, "B3")])  # not at the bank: 单位已收银行未收
    _post(center, acct, D1, [("out", 400_00, "S2")])  # not at the bank: 单位已付银行未付
    _load(acct, D1, OPENING, [("B1", "in", 1000_00, ""), ("B9", "out", 500_00, "S1"), ("B5", "in", 300_00, ""),
                              ("B2", "in", 250_00, ""), ("B6", "in", 800_00, ""), ("B7", "out", 60_00, "")])
    return _run(acct, D1)


def test_each_reason_and_the_adjustment_table(center, acct):
    r = _day_with_every_reason(center, acct)
    assert _items(r) == {("AM", "bank", "B2", 250_00), ("AM", "book", "B2", 200_00), ("KI", "book", "B3", 700_00),
                         ("KO", "book", "S2", 400_00), ("BI", "bank", "B6", 800_00), ("BO", "bank", "B7", 60_00)}
    assert (r.matched_by_key, r.matched_by_amount, r.matched_by_sum, r.cancelled) == (2, 1, 0, 0)
    assert ReconMatch.objects.filter(reconciliation=r, rule="key").count() == 2
    # 调节表: bank 1,001,790.00 + 单位已收银行未收 (700 + 200) − 单位已付银行未付 400
    #       = book 1,001,300.00 + 银行已收单位未收 (800 + 250) − 银行已付单位未付 60
    assert (r.bank_closing, r.book_closing) == (OPENING + 1790_00, OPENING + 1300_00)
    assert (r.book_in_open, r.book_out_open, r.bank_in_open, r.bank_out_open) == (900_00, 400_00, 1050_00, 60_00)
    assert r.adjusted_bank == r.adjusted_book == OPENING + 2290_00 and r.difference == 0
    # the four 未达账项 arose today (timing); the two 金额不符 need an explanation
    assert (r.items_open, r.mismatch_items, r.items_unexplained) == (6, 2, 2)
    assert r.status == Reconciliation.Status.UNEXPLAINED
    ok, problems = reconciliation_day_ok(center=center, on=D1)
    assert not ok and "2 笔差异待说明" in problems[0]
    for it in ReconItem.objects.filter(opened_in=r, reason="AM"):
        recon_item_explain(item=it, note="银行少记 50 元手续费退款，已联系银行", actor=SYS, business_date=D1)
    r.refresh_from_db()
    assert r.status == Reconciliation.Status.BALANCED and r.items_unexplained == 0
    assert reconciliation_day_ok(center=center, on=D1) == (True, [])
    assert all(c.ok for c in run_checks(["reconciliation.bank_balance"]))


def test_timing_differences_carry_over_and_close_the_next_day(center, acct):
    r1 = _day_with_every_reason(center, acct)
    for it in ReconItem.objects.filter(opened_in=r1, reason="AM"):
        recon_item_explain(item=it, note="已查明", actor=SYS, business_date=D1)
    # D2: the bank settles S2 (sent late on D1), the books record the receipt B6 and the fee B7; B3 stays open
    _post(center, acct, D2, [("in", 800_00, "B6")])
    _post(center, acct, D2, [("out", 60_00, "B7")], description="银行手续费", counter="41199")
    _post(center, acct, D2, [("in", 123_45, "B11")])
    _load(acct, D2, OPENING + 1790_00, [("B10", "out", 400_00, "S2"), ("B11", "in", 123_45, "")])
    r2 = _run(acct, D2)
    assert r2.carried_items == 6 and r2.carried_closed == 3 and r2.items_new == 0
    closed = ReconItem.objects.filter(closed_in=r2)
    assert {(i.reason, i.ref_key) for i in closed} == {("KO", "S2"), ("BI", "B6"), ("BO", "B7")}
    assert all(i.closed_on == D2 and i.close_kind == "matched" for i in closed)
    # still open: B3 (单位已收银行未收, carried: no longer a timing difference) and the explained 金额不符 pair
    assert r2.items_open == 3 and r2.items_unexplained == 1 and r2.difference == 0
    assert r2.status == Reconciliation.Status.UNEXPLAINED
    # the D1 table is history: its items were open at the end of D1
    r1.refresh_from_db()
    assert r1.items_open == 6 and r1.status == Reconciliation.Status.BALANCED
    recon_item_explain(item=ReconItem.objects.get(ref_key="B3"), note="银行次日入账，已核实回单", actor=SYS,
                       business_date=D2)
    r2.refresh_from_db()
    assert r2.status == Reconciliation.Status.BALANCED
    # D3: the bank finally shows B3 → closed after two days
    _load(acct, D3, OPENING + 1790_00 - 400_00 + 123_45, [("B3", "in", 700_00, "")])
    r3 = _run(acct, D3)
    assert ReconItem.objects.get(ref_key="B3").closed_in == r3
    assert r3.items_open == 2 and r3.status == Reconciliation.Status.BALANCED
    assert all(c.ok for c in run_checks(["reconciliation.bank_balance"]))


def test_split_reversal_and_bank_return_are_matched_not_flagged(center, acct):
    _post(center, acct, D1, [("in", 600_00, "B1"), ("in", 400_00, "B1")])  # one receipt booked in two parts
    wrong = _post(center, acct, D1, [("in", 333_00, "B2")])
    manual = _post(center, acct, D1, [("out", 77_00, "")], description="手工凭证")
    with business_day(center, D1):
        entry_reverse(entry=wrong, business_date=D1, actor=finance_clerk(), reason="重复记账")  # the reversal line has no bank_ref
        entry_reverse(entry=manual, business_date=D1, actor=finance_clerk(), reason="记错")
    _load(acct, D1, OPENING, [("B1", "in", 1000_00, ""), ("B8", "out", 900_00, "S9"), ("B9", "in", 900_00, "S9")])
    r = _run(acct, D1)
    assert _items(r) == set()
    assert (r.matched_by_sum, r.cancelled, r.matched_by_key) == (3, 6, 0)
    assert r.status == Reconciliation.Status.BALANCED and r.difference == 0


def test_duplicate_instruction_at_the_bank_is_not_paired_with_a_manual_voucher(center, acct):
    _post(center, acct, D1, [("out", 500_00, "S1")])
    _post(center, acct, D1, [("out", 500_00, "")], description="手工付款凭证")
    # the bank executed S1 twice and also paid something the manual voucher stands for
    _load(acct, D1, OPENING, [("B1", "out", 500_00, "S1"), ("B2", "out", 500_00, "S1"), ("B3", "out", 500_00, "")])
    r = _run(acct, D1)
    assert _items(r) == {("BO", "bank", "S1", 500_00)}
    line = ReconItem.objects.get(opened_in=r).statement_line
    assert line.bank_seq == "B2"


def test_opening_difference_shows_and_is_resolved_by_a_correcting_entry(center, acct):
    # the bank opened 1 元 higher than the books: the first day cannot balance
    _post(center, acct, D1, [("in", 50_00, "B1")])
    _load(acct, D1, OPENING + 100, [("B1", "in", 50_00, "")])
    r = _run(acct, D1)
    assert r.difference == 100 and r.status == Reconciliation.Status.UNEXPLAINED
    assert not run_checks(["reconciliation.bank_balance"])[0].ok
    ok, problems = reconciliation_day_ok(center=center, on=D1)
    assert not ok and "调节后差额 1.00 元" in problems[0]
    # finance books the missing 1 元 (no bank counterpart today) and re-runs: the correcting line is an item…
    _post(center, acct, D1, [("in", 100, "")], description="补记期初差额", counter="40199")
    r = _run(acct, D1)
    item = ReconItem.objects.get(opened_in=r)
    assert (item.reason, item.amount, r.difference) == ("KI", 100, 100)
    # …that cannot simply disappear unless it brings the table to balance — which it does here
    with pytest.raises(DomainError) as e:
        recon_items_resolve(items=[item], note="", actor=SYS, business_date=D1)
    assert e.value.code == "NOTE_REQUIRED"
    recon_items_resolve(items=[item], note="期初差额已补记（凭证见摘要）", actor=SYS, business_date=D1)
    r.refresh_from_db()
    assert (r.difference, r.items_open, r.status) == (0, 0, Reconciliation.Status.BALANCED)
    assert run_checks(["reconciliation.bank_balance"])[0].ok


def test_resolve_refuses_a_real_difference(center, acct):
    _post(center, acct, D1, [("in", 700_00, "B3")])
    _load(acct, D1, OPENING, [])
    r = _run(acct, D1)
    item = ReconItem.objects.get(opened_in=r)
    with pytest.raises(DomainError) as e:
        recon_items_resolve(items=[item], note="不想要了", actor=SYS, business_date=D1)
    assert e.value.code == "RESOLVE_UNBALANCED"
    assert ReconItem.objects.get(pk=item.pk).closed_on is None


def test_offsetting_bank_error_and_refund_resolve_together(center, acct):
    _load(acct, D1, OPENING, [("B1", "out", 15_00, "")])  # the bank took a fee by mistake
    r1 = _run(acct, D1)
    _load(acct, D2, OPENING - 15_00, [("B2", "in", 15_00, "")])  # and refunded it the next day
    r2 = _run(acct, D2)
    assert {(i.reason, i.ref_key) for i in ReconItem.objects.filter(closed_on__isnull=True)} == {("BO", "B1"), ("BI", "B2")}
    assert r2.status == Reconciliation.Status.UNEXPLAINED  # B1 is carried, not a timing difference any more
    recon_items_resolve(items=list(ReconItem.objects.filter(closed_on__isnull=True)), note="银行误扣手续费已退回",
                        actor=SYS, business_date=D2)
    r2.refresh_from_db()
    r1.refresh_from_db()
    assert (r2.items_open, r2.status, r2.difference) == (0, Reconciliation.Status.BALANCED, 0)
    assert r1.items_open == 1  # history: at the end of D1 the fee was open


# ---------------------------------------------------------------- re-runs, order, late postings


def test_rerun_replaces_the_day_and_keeps_explanations(center, acct):
    r = _day_with_every_reason(center, acct)
    am = ReconItem.objects.filter(opened_in=r, reason="AM").order_by("side")
    for it in am:
        recon_item_explain(item=it, note="已查明", actor=SYS, business_date=D1)
    before = _items(r)
    matches = ReconMatch.objects.filter(reconciliation=r).count()
    again = _run(acct, D1)
    assert again.pk == r.pk and _items(again) == before
    assert ReconMatch.objects.filter(reconciliation=r).count() == matches
    assert ReconItem.objects.count() == len(before)
    assert set(ReconItem.objects.filter(reason="AM").values_list("status", "note")) == {("explained", "已查明")}
    assert again.status == Reconciliation.Status.BALANCED
    # a line posted after the run with the same business date is taken by the re-run
    _post(center, acct, D1, [("in", 800_00, "B6")])
    again = _run(acct, D1)
    assert ("BI", "bank", "B6", 800_00) not in _items(again) and again.difference == 0


def test_late_posting_with_an_earlier_date_is_taken_by_the_next_day(center, acct):
    _post(center, acct, D1, [("in", 10_00, "B1")])
    _load(acct, D1, OPENING, [("B1", "in", 10_00, ""), ("B2", "in", 20_00, "")])
    r1 = _run(acct, D1)
    assert _items(r1) == {("BI", "bank", "B2", 20_00)}
    _post(center, acct, D1, [("in", 20_00, "B2")])  # back-dated to D1 after D1 was reconciled
    check = run_checks(["reconciliation.bank_balance"])[0]
    assert not check.ok and "专户 1202020100000001" in check.breaches[0]  # hpf verify sees the books moved
    _load(acct, D2, OPENING + 30_00, [])
    r2 = _run(acct, D2)
    assert r2.carried_closed == 1 and r2.items_open == 0 and r2.status == Reconciliation.Status.BALANCED
    assert run_checks(["reconciliation.bank_balance"])[0].ok


def test_order_of_days_is_enforced(center, acct):
    with pytest.raises(DomainError) as e:
        _run(acct, D1)
    assert e.value.code == "STATEMENT_MISSING"
    _load(acct, D1, OPENING, [])
    _load(acct, D2, OPENING, [])
    with pytest.raises(DomainError) as e:
        _run(acct, D2)
    assert e.value.code == "RECON_EARLIER_PENDING"
    _run(acct, D1)
    _run(acct, D2)
    with pytest.raises(DomainError) as e:
        _run(acct, D1)
    assert e.value.code == "RECON_LATER_EXISTS"
    with pytest.raises(DomainError) as e:
        reconcile(bank_account=acct, on=D3 + timedelta(days=1), actor=SYS, business_date=D3)
    assert e.value.code == "RECON_FUTURE"


def test_day_end_gate(center, acct):
    ok, problems = reconciliation_day_ok(center=center, on=D1)  # no statement: the account is 未对账, not "ok"
    assert not ok and "未对账（尚无对账单" in problems[0]
    _load(acct, D1, OPENING, [])
    ok, problems = reconciliation_day_ok(center=center, on=D1)
    assert not ok and "未对账（对账单已载入，尚未运行对账）" in problems[0]
    _run(acct, D1)
    assert reconciliation_day_ok(center=center, on=D1) == (True, [])


def test_day_end_gate_names_when_a_newly_linked_account_starts(center, acct):
    BankAccount.objects.filter(pk=acct.pk).update(reconcile_from=D2)
    gate = reconciliation_gate(center=center, on=D1)
    assert gate.ok and gate.accounts == 0 and gate.problems == []
    assert gate.notes == [f"专户 工商银行杭州分行 1202020100000001：自 {D2} 起对账（此前不参加日终对账检查）"]
    gate = reconciliation_gate(center=center, on=D2)
    assert not gate.ok and gate.notes == [] and "未对账" in gate.problems[0]


def test_verify_check_is_cheap_and_passes_without_reconciliations(db):
    (res,) = run_checks(["reconciliation.bank_balance"])
    assert res.ok and "不适用" in res.detail


def test_permission(center, acct, staff):
    _load(acct, D1, OPENING, [])
    with pytest.raises(PermissionDenied) as e:
        reconcile(bank_account=acct, on=D1, actor=staff, business_date=D3)  # a teller may not reconcile
    assert e.value.code == "FORBIDDEN"


# ---------------------------------------------------------------- statements


def _lines(opening, spec):
    bal, out = opening, []
    for seq, d, a in spec:
        bal += a if d == "in" else -a
        out.append({"bank_seq": seq, "direction": d, "amount": a, "balance": bal, "ref": ""})
    return out, bal


def test_statement_load_is_idempotent_and_replaceable_until_reconciled(center, acct):
    lines, closing = _lines(OPENING, [("B1", "in", 100), ("B2", "out", 30)])
    kw = dict(bank_account=acct, stmt_date=D1, opening_balance=OPENING, closing_balance=closing, actor=SYS,
              business_date=D3)
    s1 = statement_load(lines=lines, **kw)
    assert (s1.line_count, s1.total_in, s1.total_out) == (2, 100, 30)
    s2 = statement_load(lines=iter(lines), **kw)
    assert s2.pk == s1.pk and s2.digest == s1.digest and StatementLine.objects.count() == 2
    other, closing2 = _lines(OPENING, [("B1", "in", 100), ("B3", "out", 40)])
    s3 = statement_load(lines=other, **{**kw, "closing_balance": closing2})
    assert s3.pk == s1.pk and s3.digest != s1.digest
    assert list(StatementLine.objects.order_by("line_no").values_list("bank_seq", flat=True)) == ["B1", "B3"]
    _run(acct, D1)
    with pytest.raises(DomainError) as e:
        statement_load(lines=lines, **kw)
    assert e.value.code == "STATEMENT_RECONCILED"
    assert statement_load(lines=other, **{**kw, "closing_balance": closing2}).pk == s1.pk  # the same one: no-op


@pytest.mark.parametrize("break_it, expect", [
    (lambda ls: ls[1].update(balance=ls[1]["balance"] + 1), "余额不连续"),
    (lambda ls: ls[2].update(bank_seq="B1"), "银行流水号 B1 重复"),
    (lambda ls: ls[0].update(amount=0), "金额应为正整数"),
    (lambda ls: ls[0].update(amount=100.0), "金额应为正整数"),
    (lambda ls: ls[0].update(direction="收"), "收支方向应为 in 或 out"),
    (lambda ls: ls[0].update(bank_seq=""), "缺少银行流水号"),
])
def test_invalid_statement_is_refused_with_nothing_written(center, acct, break_it, expect):
    lines, closing = _lines(OPENING, [("B1", "in", 100), ("B2", "out", 30), ("B3", "in", 5)])
    break_it(lines)
    with pytest.raises(DomainError) as e:
        statement_load(bank_account=acct, stmt_date=D1, opening_balance=OPENING, closing_balance=closing,
                       lines=lines, actor=SYS, business_date=D3)
    assert e.value.code == "STATEMENT_INVALID" and expect in e.value.message
    assert e.value.details["errors"]
    assert BankStatement.objects.count() == 0 and StatementLine.objects.count() == 0


def test_statement_closing_must_follow_from_the_lines(center, acct):
    lines, closing = _lines(OPENING, [("B1", "in", 100)])
    with pytest.raises(DomainError) as e:
        statement_load(bank_account=acct, stmt_date=D1, opening_balance=OPENING, closing_balance=closing + 1,
                       lines=lines, actor=SYS, business_date=D3)
    assert "≠ 期末余额" in e.value.message
    with pytest.raises(DomainError) as e:
        statement_load(bank_account=acct, stmt_date=D3 + timedelta(days=1), opening_balance=OPENING,
                       closing_balance=OPENING, lines=[], actor=SYS, business_date=D3)
    assert e.value.code == "STATEMENT_FUTURE"
    assert BankStatement.objects.count() == 0


# ---------------------------------------------------------------- thousands of lines, 0.1 % injected


@pytest.mark.parametrize("n", [6000])
def test_injected_discrepancies_are_all_found_and_nothing_else(center, acct, n):
    day = Day(center_code=center.code, day=D1, n=n, opening=OPENING)
    day.prepare()
    assert len({k for k, *_ in day.expected}) == 5  # every kind is injected
    book_insert(center_id=center.pk, gl=acct.gl_account, scenario=day, per_entry=500, opening=False)
    stmt = statement_load(bank_account=acct, stmt_date=D1, opening_balance=day.opening, closing_balance=day.closing,
                          lines=day.statement_lines(), actor=SYS, business_date=D3)
    assert stmt.line_count == day.statement_count
    r = _run(acct, D1)
    found = {(i.reason, i.side, i.ref_key) for i in ReconItem.objects.filter(opened_in=r)}
    assert found == day.expected
    assert r.book_lines == day.book_count and r.difference == 0
    assert r.matched_by_key > 0.8 * n and r.matched_by_amount > 0 and r.matched_by_sum > 0 and r.cancelled > 0
    # and a re-run gives the same
    again = _run(acct, D1)
    assert {(i.reason, i.side, i.ref_key) for i in ReconItem.objects.filter(opened_in=again)} == day.expected
    assert again.matched_by_key == r.matched_by_key


def test_statement_checks_across_lines_run_in_sql_and_list_every_problem_at_once(center, acct):
    """Duplicate serials and a broken running balance are rules of the validation engine over the loaded lines:
    all are listed together with the per-line problems; a balance that is wrong once breaks only its own line
    (the next line follows from the balance stated before it)."""
    lines, closing = _lines(OPENING, [("B1", "in", 100), ("B2", "out", 30), ("B3", "in", 5), ("B4", "in", 7)])
    lines[1]["balance"] += 1          # line 2 does not follow from line 1
    lines[2]["balance"] += 1          # line 3 follows from line 2's stated balance: no second break
    lines[3]["balance"] += 1          # and line 4 likewise
    lines[3]["bank_seq"] = "B1"       # line 4 repeats line 1's serial
    lines[3]["direction"] = "收"      # and has a bad direction (a per-line problem)
    with pytest.raises(DomainError) as e:
        statement_load(bank_account=acct, stmt_date=D1, opening_balance=OPENING, closing_balance=closing,
                       lines=lines, actor=SYS, business_date=D3)
    errors = e.value.details["errors"]
    assert [x for x in errors if "余额不连续" in x] == [
        f"第 2 行：余额不连续：上笔余额 − 金额 = {format_fen(OPENING + 100 - 30)} 元，对账单为 {format_fen(OPENING + 71)} 元"]
    assert "第 4 行：银行流水号 B1 重复" in errors and any(x.startswith("第 4 行：收支方向") for x in errors)
    assert BankStatement.objects.count() == 0 and StatementLine.objects.count() == 0
