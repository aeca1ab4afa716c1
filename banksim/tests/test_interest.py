"""活期结息: the simulated bank settles current-account interest on the 20th of the last month of each quarter, on
the daily closing balances since the previous settlement, at its own demand rate; one credit line 活期结息 dated
the 20th with an SBDC100 notice of type interest, booked once however often it is asked."""

from __future__ import annotations

import json
from datetime import date

import pytest

from banksim.bank import Bank, SimError, interest, settlement_days
from banksim.server import demand_rate

ACC = "6222000000000055"


@pytest.fixture
def bank(tmp_path):
    b = Bank(tmp_path / "bank.sqlite3", demand_rate="1.50")
    b.account_set({"account": ACC, "name": "杭州住房公积金管理中心", "bank_code": "ICBC", "balance": 0})
    yield b
    b.close()


def _lines(bank):
    with bank.read() as conn:
        return conn.execute("SELECT date, direction, amount, summary, bank_seq FROM lines WHERE account = ? "
                            "ORDER BY id", (ACC,)).fetchall()


def test_settlement_days_are_the_20th_of_each_quarters_last_month():
    assert settlement_days(date(2026, 11, 1), date(2027, 9, 20)) == [
        date(2026, 12, 20), date(2027, 3, 20), date(2027, 6, 20), date(2027, 9, 20)]


def test_interest_on_daily_balances_booked_on_the_20th_once(bank):
    bank.credit({"account": ACC, "date": "2026-12-01", "amount": 100_000_000, "summary": "汇缴"})
    bank.debit({"account": ACC, "date": "2026-12-11", "amount": 40_000_000, "summary": "提取"})
    assert bank.settle_interest("2026-12-19") == 0  # not yet
    # 12-01..12-10: 10 days at 1,000,000.00; 12-11..12-20: 10 days at 600,000.00 (yuan), 1.50 % a year
    expected = interest(10 * 100_000_000 + 10 * 60_000_000, [("1.50", 1)])
    assert expected == 66_667  # 666.67 元
    assert bank.settle_interest("2026-12-31") == 1
    assert bank.settle_interest("2026-12-31") == 0  # once
    last = _lines(bank)[-1]
    assert last[:4] == ("2026-12-20", "in", expected, "活期结息")
    notices = [json.loads(p) for _, p in bank.undelivered()]
    assert notices[-1]["type"] == "interest" and notices[-1]["amount"] == expected
    assert notices[-1]["bank_seq"] == last[4] and notices[-1]["date"] == "2026-12-20"
    assert all("type" not in n for n in notices[:-1])  # ordinary lines say nothing of a type
    # the next quarter: 12-21..03-20 (90 days) on the balance with the interest in it
    bank.settle_interest("2027-03-20")
    q2 = _lines(bank)[-1]
    assert q2[:2] == ("2027-03-20", "in") and q2[2] == interest(90 * (60_000_000 + expected), [("1.50", 1)])


def test_a_bdc_message_dated_after_the_20th_brings_the_interest_first(bank):
    bank.credit({"account": ACC, "date": "2027-03-01", "amount": 10_000_000, "summary": "汇缴"})
    answer = bank.handle({"code": "BDC113", "seq": "Q1", "center": "330100", "date": "2027-03-20",
                          "body": {"account": ACC, "date": "2027-03-20", "page": 1, "page_size": 50}})
    assert answer["result"] == "0000"
    lines = answer["body"]["lines"]
    assert [ln["summary"] for ln in lines] == ["活期结息"]  # on the statement of the 20th
    assert lines[0]["amount"] == interest(20 * 10_000_000, [("1.50", 1)])


def test_the_rate_is_the_banks_own_setting():
    assert demand_rate("0.35") == "0.35" and demand_rate(1.15) == "1.15"
    for bad in ("abc", "-1", "11", True, "0.123456"):
        with pytest.raises(SimError):
            demand_rate(bad)
