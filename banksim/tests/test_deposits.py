"""Time and notice deposits (BDC114–121): interest = principal × rate × days / 360, half up to the fen, with the
days counted between the request dates. Every expected figure below is worked out by hand in its comment."""

from __future__ import annotations

import pytest

from banksim.bank import add_months, interest

from .conftest import balance, lines


@pytest.mark.parametrize(("principal", "parts", "expected"), [
    # 100,000,000 × 1.75 × 365 / 36000 = 1,774,305.56 → 1,774,306
    (100_000_000, [("1.75", 365)], 1_774_306),
    # 5,000,000 × 0.35 × 45 / 36000 = 2,187.5 exactly → half up 2,188
    (5_000_000, [("0.35", 45)], 2_188),
    # 1,000,000 × (1.20 × 28 + 0.36 × 10) / 36000 = 37,200,000 / 36000 = 1,033.33 → 1,033
    (1_000_000, [("1.20", 28), ("0.36", 10)], 1_033),
    # 3 × 1.5 × 1 / 36000 = 0.000125 → 0
    (3, [("1.5", 1)], 0),
    # 12,000 × 1.5 × 1 / 36000 = 0.5 → 1 (half up, not to even)
    (12_000, [("1.5", 1)], 1),
])
def test_interest_by_hand(principal, parts, expected):
    assert interest(principal, parts) == expected


def test_add_months_clamps_to_month_end():
    from datetime import date

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)


def time_deposit(sim, acct, amount, months, rate, day):
    return sim.bdc("BDC114", {"account": acct, "amount": amount, "term_months": months, "rate": rate,
                              "summary": "定期存入"}, date=day)


def test_time_deposit_held_to_maturity(sim, new_account):
    acct = new_account(balance=150_000_000)
    a = time_deposit(sim, acct, 100_000_000, 12, "1.75", "2026-01-15")
    assert a["result"] == "0000" and a["body"]["maturity_date"] == "2027-01-15"
    no = a["body"]["deposit_no"]
    assert no.startswith("TD20260115")
    assert balance(sim, acct) == 50_000_000
    dep = sim.bdc("BDC116", {"deposit_no": no})["body"]
    assert (dep["kind"], dep["principal"], dep["rate"], dep["status"]) == ("time", 100_000_000, "1.75", "open")
    w = sim.bdc("BDC115", {"account": acct, "deposit_no": no, "demand_rate": "0.35"}, date="2027-01-15")
    assert w["result"] == "0000"
    assert (w["body"]["principal"], w["body"]["interest"]) == (100_000_000, 1_774_306)  # 365 days at 1.75
    assert balance(sim, acct) == 150_000_000 + 1_774_306
    [line] = lines(sim, acct, "2027-01-15")
    assert (line["direction"], line["amount"], line["ref"]) == ("in", 101_774_306, w["seq"])
    assert sim.bdc("BDC116", {"deposit_no": no})["body"]["status"] == "closed"
    again = sim.bdc("BDC115", {"account": acct, "deposit_no": no, "demand_rate": "0.35"}, date="2027-01-16")
    assert again["result"] == "1003"


def test_time_deposit_taken_early_earns_demand_rate(sim, new_account):
    acct = new_account(balance=5_000_000)
    no = time_deposit(sim, acct, 5_000_000, 6, "1.45", "2026-03-01")["body"]["deposit_no"]
    w = sim.bdc("BDC115", {"account": acct, "deposit_no": no, "demand_rate": "0.35"}, date="2026-04-15")
    assert w["body"]["interest"] == 2_188 and w["body"]["days"] == 45  # 5,000,000 × 0.35 × 45 / 360 % = 2,187.5
    assert balance(sim, acct) == 5_002_188


def test_time_deposit_past_maturity_earns_demand_rate_after(sim, new_account):
    acct = new_account(balance=1_000_000)
    a = time_deposit(sim, acct, 1_000_000, 1, "1.20", "2026-01-31")
    assert a["body"]["maturity_date"] == "2026-02-28"  # 28 days at 1.20, then 10 days at 0.36
    w = sim.bdc("BDC115", {"account": acct, "deposit_no": a["body"]["deposit_no"], "demand_rate": "0.36"},
                date="2026-03-10")
    assert w["body"]["interest"] == 1_033


def test_time_deposit_refusals(sim, new_account):
    acct, other = new_account(balance=1_000), new_account(balance=1_000)
    assert time_deposit(sim, acct, 2_000, 3, "1.10", "2026-01-01")["result"] == "1001"
    no = time_deposit(sim, acct, 1_000, 3, "1.10", "2026-01-01")["body"]["deposit_no"]
    assert sim.bdc("BDC115", {"account": other, "deposit_no": no, "demand_rate": "0.35"})["result"] == "1004"
    assert sim.bdc("BDC115", {"account": acct, "deposit_no": "TD-NONE", "demand_rate": "0.35"})["result"] == "1002"
    assert sim.bdc("BDC118", {"deposit_no": no, "amount": 1, "withdraw_date": "2026-02-01"},
                   date="2026-01-02")["result"] == "1004"  # not a notice deposit
    assert sim.bdc("BDC116", {"deposit_no": "TD-NONE"})["result"] == "1002"


def test_notice_deposit_with_and_without_notice(sim, new_account):
    acct = new_account(balance=20_000_000)
    a = sim.bdc("BDC117", {"account": acct, "amount": 20_000_000, "notice_days": 7, "rate": "1.00"},
                date="2026-05-01")
    assert a["result"] == "0000"
    no = a["body"]["deposit_no"]
    assert no.startswith("ND20260501") and balance(sim, acct) == 0
    # a notice less than 7 days ahead is refused; 7 days is fine
    early = sim.bdc("BDC118", {"deposit_no": no, "amount": 10_000_000, "withdraw_date": "2026-05-07"},
                    date="2026-05-01")
    assert early["result"] == "1004"
    ok = sim.bdc("BDC118", {"deposit_no": no, "amount": 10_000_000, "withdraw_date": "2026-05-08"},
                 date="2026-05-01")
    assert ok["result"] == "0000"
    assert sim.bdc("BDC116", {"deposit_no": no})["body"]["notice"] == {"amount": 10_000_000,
                                                                       "withdraw_date": "2026-05-08"}
    # withdrawn as noticed: the notice rate for 7 days. 10,000,000 × 1.00 × 7 / 36000 = 1,944.44 → 1,944
    w1 = sim.bdc("BDC120", {"account": acct, "deposit_no": no, "amount": 10_000_000, "demand_rate": "0.35"},
                 date="2026-05-08")
    assert (w1["body"]["principal"], w1["body"]["interest"], w1["body"]["remaining"]) == (10_000_000, 1_944,
                                                                                          10_000_000)
    # the rest without a notice: the demand rate for 31 days. 10,000,000 × 0.35 × 31 / 36000 = 3,013.89 → 3,014
    w2 = sim.bdc("BDC120", {"account": acct, "deposit_no": no, "amount": 10_000_000, "demand_rate": "0.35"},
                 date="2026-06-01")
    assert (w2["body"]["interest"], w2["body"]["remaining"]) == (3_014, 0)
    assert balance(sim, acct) == 20_000_000 + 1_944 + 3_014
    assert sim.bdc("BDC116", {"deposit_no": no})["body"]["status"] == "closed"


def test_notice_cancelled_earns_demand_rate(sim, new_account):
    acct = new_account(balance=3_600_000)
    no = sim.bdc("BDC117", {"account": acct, "amount": 3_600_000, "notice_days": 1, "rate": "0.80"},
                 date="2026-07-01")["body"]["deposit_no"]
    assert sim.bdc("BDC119", {"deposit_no": no}, date="2026-07-01")["result"] == "1004"  # nothing to cancel
    assert sim.bdc("BDC118", {"deposit_no": no, "amount": 3_600_000, "withdraw_date": "2026-07-02"},
                   date="2026-07-01")["result"] == "0000"
    assert sim.bdc("BDC118", {"deposit_no": no, "amount": 1_000, "withdraw_date": "2026-07-05"},
                   date="2026-07-01")["result"] == "1004"  # one notice at a time
    assert sim.bdc("BDC119", {"deposit_no": no}, date="2026-07-01")["result"] == "0000"
    # 3,600,000 × 0.30 × 10 / 36000 = 300 exactly
    w = sim.bdc("BDC120", {"account": acct, "deposit_no": no, "amount": 3_600_000, "demand_rate": "0.30"},
                date="2026-07-11")
    assert w["body"]["interest"] == 300 and w["body"]["rate"] == "0.30"
    too_much = sim.bdc("BDC120", {"account": acct, "deposit_no": no, "amount": 1, "demand_rate": "0.30"},
                       date="2026-07-12")
    assert too_much["result"] == "1003"  # closed


def test_deposit_list(sim, new_account):
    acct = new_account(balance=3_000)
    t = time_deposit(sim, acct, 1_000, 3, "1.10", "2026-01-01")["body"]["deposit_no"]
    n = sim.bdc("BDC117", {"account": acct, "amount": 2_000, "notice_days": 1, "rate": "0.55"},
                date="2026-01-01")["body"]["deposit_no"]
    deps = sim.bdc("BDC121", {"account": acct})["body"]["deposits"]
    assert {(d["deposit_no"], d["kind"], d["principal"]) for d in deps} == {(t, "time", 1_000),
                                                                             (n, "notice", 2_000)}
    assert sim.bdc("BDC121", {"account": "6222000000000000"})["result"] == "1002"
