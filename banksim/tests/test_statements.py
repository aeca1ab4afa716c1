"""Statements (BDC113), balances (BDC123) and account-change notices (SBDC100 by BDC124)."""

from __future__ import annotations

import time

from .conftest import balance, lines

D1, D2, D3 = "2026-11-02", "2026-11-03", "2026-11-04"


def statement(sim, account, day, page=1, page_size=10000):
    return sim.bdc("BDC113", {"account": account, "date": day, "page": page, "page_size": page_size})["body"]


def test_opening_plus_in_minus_out_is_closing_over_days_and_pages(sim, new_account):
    acct = new_account(balance=1_000)
    sim.credit(acct, 500, date=D1, counter_account="9550000000000001", counter_name="某单位", summary="汇缴")
    sim.debit(acct, 20, date=D1, summary="手续费")
    pay = sim.bdc("BDC101", {"account": acct, "payee_account": "6217000000000001", "payee_name": "张三",
                             "amount": 300, "biz_type": "02", "summary": "提取"}, date=D2)
    sim.credit_bulk(acct, [{"amount": n, "counter_account": f"C{n}", "counter_name": "", "summary": "汇缴"}
                           for n in range(1, 26)], date=D2)
    day1, day2, day3 = (statement(sim, acct, d) for d in (D1, D2, D3))
    assert (day1["opening_balance"], day1["closing_balance"], day1["count"]) == (1_000, 1_480, 2)
    assert day2["opening_balance"] == day1["closing_balance"]
    assert day2["count"] == 26 and day2["closing_balance"] == 1_480 - 300 + 325 == balance(sim, acct)
    assert day3["opening_balance"] == day3["closing_balance"] == day2["closing_balance"] and day3["lines"] == []
    assert day3["pages"] == 0
    first = day2["lines"][0]
    assert (first["ref"], first["bank_seq"], first["balance"]) == (pay["seq"], pay["bank_seq"], 1_180)
    # paged 10 at a time: 3 pages, the same lines in the same order, balances running across pages
    paged = [ln for page in (1, 2, 3) for ln in statement(sim, acct, D2, page, 10)["lines"]]
    assert statement(sim, acct, D2, 1, 10)["pages"] == 3
    assert paged == day2["lines"]
    running = day2["opening_balance"]
    for ln in paged:
        running += ln["amount"] if ln["direction"] == "in" else -ln["amount"]
        assert ln["balance"] == running
    assert running == day2["closing_balance"]
    money_in = sum(ln["amount"] for ln in paged if ln["direction"] == "in")
    money_out = sum(ln["amount"] for ln in paged if ln["direction"] == "out")
    assert day2["opening_balance"] + money_in - money_out == day2["closing_balance"]
    assert (day2["total_in"], day2["total_out"]) == (money_in, money_out)
    assert [ln["ref"] for ln in day1["lines"]] == ["", ""]  # others' money has no ref


def test_a_back_dated_line_keeps_statements_consistent(sim, new_account):
    acct = new_account(balance=100)
    sim.credit(acct, 10, date=D2)
    sim.credit(acct, 5, date=D1)  # arrives later but is booked on the earlier date
    day1, day2 = statement(sim, acct, D1), statement(sim, acct, D2)
    assert (day1["opening_balance"], day1["closing_balance"]) == (100, 105)
    assert (day2["opening_balance"], day2["closing_balance"]) == (105, 115)
    assert day2["lines"][0]["balance"] == 115


def test_a_page_of_10000_lines_is_fast(sim, new_account):
    acct = new_account()
    items: list[dict] = [{"amount": 100 + n % 7, "counter_account": f"9550{n:012d}", "counter_name": f"单位{n}",
              "summary": "汇缴"} for n in range(10_000)]
    t0 = time.perf_counter()
    out = sim.credit_bulk(acct, items, date=D1)
    bulk = time.perf_counter() - t0
    sim.credit_bulk(acct, items, date=D1)
    assert out["count"] == 10_000 and out["first_bank_seq"] < out["last_bank_seq"]
    t0 = time.perf_counter()
    page = statement(sim, acct, D1, page=2, page_size=10_000)
    elapsed = time.perf_counter() - t0
    assert len(page["lines"]) == 10_000 and page["count"] == 20_000 and page["pages"] == 2
    assert page["lines"][-1]["balance"] == page["closing_balance"] == 2 * sum(i["amount"] for i in items)
    assert elapsed < 1.0, f"BDC113 page of 10,000 lines took {elapsed:.3f}s"
    assert bulk < 5.0, f"credit-bulk of 10,000 took {bulk:.3f}s"
    t0 = time.perf_counter()
    for _ in range(20):
        sim.credit(acct, 1, date=D1)
    per_credit = (time.perf_counter() - t0) / 20
    assert per_credit < 0.05, f"/sim/credit took {per_credit * 1000:.1f} ms"
    print(f"\nBDC113 10,000-line page {elapsed * 1000:.0f} ms; credit-bulk 10,000 {bulk * 1000:.0f} ms; "
          f"/sim/credit {per_credit * 1000:.1f} ms")


def test_notices_one_per_line_pulled_with_a_cursor(sim, new_account):
    acct = new_account(balance=1_000)
    start = sim.bdc("BDC124", {"after": 0, "limit": 10_000})["body"]
    while start["more"]:
        start = sim.bdc("BDC124", {"after": start["next"], "limit": 10_000})["body"]
    cursor = start["next"]
    sim.credit(acct, 70, counter_account="9550000000000001", counter_name="某单位", summary="汇缴")
    p = sim.bdc("BDC101", {"account": acct, "payee_account": "6217000000000001", "payee_name": "张三",
                           "amount": 30, "biz_type": "02", "summary": "提取"})
    got = sim.bdc("BDC124", {"after": cursor, "limit": 1})["body"]
    assert len(got["notices"]) == 1 and got["more"] is True
    rest = sim.bdc("BDC124", {"after": got["next"], "limit": 100})["body"]
    assert rest["more"] is False
    n1, n2 = got["notices"][0], rest["notices"][0]
    assert n1 == {"code": "SBDC100", "notice_id": n1["notice_id"], "account": acct, "date": "2026-11-30",
                  "bank_seq": n1["bank_seq"], "direction": "in", "amount": 70, "balance": 1_070,
                  "counter_account": "9550000000000001", "counter_name": "某单位", "summary": "汇缴", "ref": ""}
    assert (n2["direction"], n2["amount"], n2["balance"], n2["ref"], n2["bank_seq"]) == ("out", 30, 1_040, p["seq"],
                                                                                         p["bank_seq"])
    assert n1["notice_id"] != n2["notice_id"]
    # statement lines and notices agree one to one
    assert [ln["bank_seq"] for ln in lines(sim, acct)] == [n1["bank_seq"], n2["bank_seq"]]
    # nothing new: the cursor stays
    assert sim.bdc("BDC124", {"after": rest["next"]})["body"] == {"notices": [], "next": rest["next"],
                                                                  "more": False}
    # one account's notices only
    mine = sim.bdc("BDC124", {"after": cursor, "account": acct})["body"]["notices"]
    assert [n["notice_id"] for n in mine] == [n1["notice_id"], n2["notice_id"]]


def test_accounts_opened_without_notify_make_no_notices(sim, new_account):
    quiet = new_account(balance=100, notify=False)
    before = sim.state()["counts"]["notices"]
    sim.credit(quiet, 1)
    assert sim.state()["counts"]["notices"] == before
    assert len(lines(sim, quiet)) == 1
