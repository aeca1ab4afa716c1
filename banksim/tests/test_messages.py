"""BDC messages one by one against a running simulator: happy paths, refusals, idempotency by seq, format errors."""

from __future__ import annotations

import re

import pytest

from .conftest import DAY, balance, lines


def pay(sim, account, amount, payee="6217000000009999", seq=None, **kw):
    body = {"account": account, "payee_account": payee, "payee_name": "张三", "amount": amount, "biz_type": "02",
            "summary": "部分提取", **kw}
    return sim.bdc("BDC101", body, seq=seq)


def test_sign_in_and_out(sim):
    a = sim.bdc("BDC001", {})
    assert a["result"] == "0000" and a["state"] == "S" and a["body"]["session"].startswith("S20261130")
    assert sim.bdc("BDC002", {})["result"] == "0000"


def test_single_payment_to_another_bank(sim, new_account):
    acct = new_account(balance=100_000)
    a = pay(sim, acct, 12_345, seq="P-ext-1")
    assert a["result"] == "0000" and a["state"] == "S" and a["duplicate"] is False
    assert re.fullmatch(r"B20261130\d{10}", a["bank_seq"])
    assert balance(sim, acct) == 100_000 - 12_345
    [line] = lines(sim, acct)
    assert line == {"bank_seq": a["bank_seq"], "direction": "out", "amount": 12_345, "balance": 87_655,
                    "counter_account": "6217000000009999", "counter_name": "张三", "summary": "部分提取",
                    "ref": "P-ext-1"}


def test_single_payment_between_accounts_of_the_bank(sim, new_account):
    center, member = new_account(balance=50_000), new_account(name="李四")
    a = pay(sim, center, 20_000, payee=member)
    assert a["result"] == "0000"
    assert balance(sim, center) == 30_000 and balance(sim, member) == 20_000
    [line] = lines(sim, member)
    assert line["direction"] == "in" and line["counter_account"] == center and line["ref"] == a["seq"]


def test_single_collection_and_loan_debit_with_split(sim, new_account):
    center, borrower = new_account(), new_account(balance=5_000, name="借款人")
    a = sim.bdc("BDC102", {"account": center, "payer_account": "9550000000000001", "payer_name": "某单位",
                           "amount": 70_000, "biz_type": "01", "summary": "汇缴"})
    assert a["result"] == "0000" and balance(sim, center) == 70_000
    debit = sim.bdc("BDC105", {"account": center, "payer_account": borrower, "payer_name": "借款人",
                               "amount": 3_000, "biz_type": "05", "summary": "贷款扣款", "loan_account": "L001"})
    assert debit["result"] == "0000"
    assert balance(sim, borrower) == 2_000 and balance(sim, center) == 73_000
    # the borrower cannot pay a second instalment of 3,000 from 2,000
    short = sim.bdc("BDC105", {"account": center, "payer_account": borrower, "payer_name": "借款人",
                               "amount": 3_000, "biz_type": "05", "summary": "贷款扣款", "loan_account": "L001"})
    assert short["result"] == "1001" and short["state"] == "F" and balance(sim, borrower) == 2_000
    # 本息分解 of the settled debit: must add up, and only once
    bad = sim.bdc("BDC106", {"orig_seq": debit["seq"], "principal": 2_000, "interest": 999})
    assert bad["result"] == "1004" and "不等于" in bad["message"]
    ok = sim.bdc("BDC106", {"orig_seq": debit["seq"], "principal": 2_400, "interest": 600})
    assert ok["result"] == "0000"
    again = sim.bdc("BDC106", {"orig_seq": debit["seq"], "principal": 2_400, "interest": 600})
    assert again["result"] == "1004"
    q = sim.bdc("BDC110", {"orig_seq": debit["seq"]})["body"]
    assert q["split"] == {"principal": 2_400, "interest": 600, "seq": ok["seq"]}
    assert sim.bdc("BDC106", {"orig_seq": short["seq"], "principal": 3_000, "interest": 0})["result"] == "1004"


def test_insufficient_funds_moves_nothing(sim, new_account):
    acct = new_account(balance=999)
    a = pay(sim, acct, 1_000)
    assert (a["result"], a["state"], a["message"]) == ("1001", "F", "余额不足")
    assert balance(sim, acct) == 999 and lines(sim, acct) == []
    q = sim.bdc("BDC110", {"orig_seq": a["seq"]})["body"]
    assert q["state"] == "F" and q["result"] == "1001" and q["orig_code"] == "BDC101"


@pytest.mark.parametrize(("status", "result"), [("frozen", "1003"), ("closed", "1003"), ("void", "1002")])
def test_account_status_refuses(sim, new_account, status, result):
    acct = new_account(balance=10_000, status=status)
    assert pay(sim, acct, 100)["result"] == result
    payer = new_account(balance=10_000)
    payee = new_account(status=status)
    assert pay(sim, payer, 100, payee=payee)["result"] == result
    assert balance(sim, payer) == 10_000
    # thawed, it works again
    sim.open_account(payee, status="normal")
    assert pay(sim, payer, 100, payee=payee)["result"] == "0000"


def test_unknown_account(sim):
    assert pay(sim, "6222999999999999", 100)["result"] == "1002"
    assert sim.bdc("BDC123", {"account": "6222999999999999"})["result"] == "1002"
    assert sim.bdc("BDC113", {"account": "6222999999999999", "date": DAY})["result"] == "1002"


def test_frozen_account_is_still_queried(sim, new_account):
    acct = new_account(balance=500, status="frozen")
    body = sim.bdc("BDC123", {"account": acct})["body"]
    assert body["balance"] == 500 and body["available"] == 0


def test_same_seq_same_content_is_a_duplicate(sim, new_account):
    acct = new_account(balance=10_000)
    first = pay(sim, acct, 1_000, seq="DUP-0001")
    second = pay(sim, acct, 1_000, seq="DUP-0001")
    assert second["duplicate"] is True
    assert {**second, "duplicate": False} == first
    assert balance(sim, acct) == 9_000 and len(lines(sim, acct)) == 1
    # a refused one is recorded too: the repeat gets the same refusal, not a second try
    poor = new_account(balance=10)
    r1 = pay(sim, poor, 100, seq="DUP-0002")
    sim.credit(poor, 1_000)
    r2 = pay(sim, poor, 100, seq="DUP-0002")
    assert r1["result"] == r2["result"] == "1001" and r2["duplicate"] is True and balance(sim, poor) == 1_010


def test_same_seq_different_content_is_9009(sim, new_account):
    acct = new_account(balance=10_000)
    pay(sim, acct, 1_000, seq="DUP-0100")
    other = pay(sim, acct, 2_000, seq="DUP-0100")
    assert (other["result"], other["state"], other["message"]) == ("9009", "F", "流水号重复且内容不同")
    other_code = sim.bdc("BDC102", {"account": acct, "payer_account": "X1", "payer_name": "", "amount": 1_000,
                                    "biz_type": "01", "summary": "部分提取"}, seq="DUP-0100")
    assert other_code["result"] == "9009"
    assert sim.bdc("BDC123", {"account": acct}, seq="DUP-0100")["result"] == "9009"
    assert balance(sim, acct) == 9_000


def test_queries_are_not_recorded(sim, new_account):
    acct = new_account(balance=10_000)
    q1 = sim.bdc("BDC123", {"account": acct}, seq="Q-0001")
    pay(sim, acct, 500)
    q2 = sim.bdc("BDC123", {"account": acct}, seq="Q-0001")
    assert q1["body"]["balance"] == 10_000 and q2["body"]["balance"] == 9_500 and not q2["duplicate"]
    assert sim.bdc("BDC110", {"orig_seq": "Q-0001"})["body"]["state"] == "N"


def test_result_query(sim, new_account):
    acct = new_account(balance=10_000)
    a = pay(sim, acct, 4_321)
    q = sim.bdc("BDC110", {"orig_seq": a["seq"]})
    assert q["result"] == "0000"
    b = q["body"]
    assert (b["state"], b["orig_code"], b["result"], b["bank_seq"], b["amount"]) == (
        "S", "BDC101", "0000", a["bank_seq"], 4_321)
    never = sim.bdc("BDC110", {"orig_seq": "NEVER-SENT"})["body"]
    assert never["state"] == "N" and never["orig_code"] == "" and never["bank_seq"] == ""


@pytest.mark.parametrize(("envelope", "fragment"), [
    ({"code": "BDC101", "center": "330100", "date": DAY, "body": {}}, "seq"),
    ({"code": "BDC999", "seq": "M1", "center": "330100", "date": DAY, "body": {}}, "未知交易码"),
    ({"code": "BDC101", "seq": "M1", "center": "330100", "date": "2026-13-01", "body": {}}, "date"),
    ({"code": "BDC101", "seq": "X" * 33, "center": "330100", "date": DAY, "body": {}}, "seq"),
    ({"code": "BDC101", "seq": "M1", "center": "330100", "date": DAY, "body": []}, "body"),
    ({"code": "BDC101", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "payee_account": "B", "payee_name": "", "biz_type": "02", "summary": ""}},
     "body.amount"),
    ({"code": "BDC101", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "payee_account": "B", "payee_name": "", "amount": 12.5, "biz_type": "02",
               "summary": ""}}, "正整数"),
    ({"code": "BDC101", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "payee_account": "B", "payee_name": "", "amount": -5, "biz_type": "02",
               "summary": ""}}, "正整数"),
    ({"code": "BDC101", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "payee_account": "B", "payee_name": "", "amount": "100", "biz_type": "02",
               "summary": ""}}, "正整数"),
    ({"code": "BDC114", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "amount": 100, "term_months": 3, "rate": 1.5, "summary": ""}}, "rate"),
    ({"code": "BDC117", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "amount": 100, "notice_days": 3, "rate": "1.00"}}, "notice_days"),
    ({"code": "BDC113", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "date": DAY, "page_size": 10001}}, "page_size"),
    ({"code": "BDC103", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "biz_type": "02", "summary": "", "count": 2, "total": 300,
               "items": [{"item": "1", "counter_account": "B", "counter_name": "", "amount": 100},
                         {"item": "2", "counter_account": "C", "counter_name": "", "amount": 100}]}}, "total"),
    ({"code": "BDC103", "seq": "M1", "center": "330100", "date": DAY,
      "body": {"account": "A", "biz_type": "02", "summary": "", "count": 2, "total": 200,
               "items": [{"item": "1", "counter_account": "B", "counter_name": "", "amount": 100},
                         {"item": "1", "counter_account": "C", "counter_name": "", "amount": 100}]}}, "重复"),
])
def test_malformed_is_9001_and_nothing_done(sim, new_account, envelope, fragment):
    before = sim.state()["counts"]
    a = sim.send(envelope)
    assert (a["result"], a["state"]) == ("9001", "F")
    assert a["message"].startswith("报文格式错误") and fragment in a["message"]
    assert sim.state()["counts"] == before


def test_not_json_is_9001(sim):
    status, a = sim.request("POST", "/bdc", None)
    assert status == 200 and a["result"] == "9001"
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    conn.request("POST", "/bdc", body=b"{not json", headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    assert resp.status == 200 and b'"9001"' in resp.read()
    conn.close()


def test_malformed_seq_is_not_consumed(sim, new_account):
    acct = new_account(balance=1_000)
    bad = sim.bdc("BDC101", {"account": acct, "payee_account": "X", "payee_name": "", "amount": 0, "biz_type": "02",
                             "summary": ""}, seq="FIX-ME-1")
    assert bad["result"] == "9001"
    assert sim.bdc("BDC110", {"orig_seq": "FIX-ME-1"})["body"]["state"] == "N"
    assert pay(sim, acct, 100, seq="FIX-ME-1")["result"] == "0000"


def test_bank_seq_is_deterministic_and_dated(sim, new_account):
    acct = new_account(balance=10_000)
    a = pay(sim, acct, 1)
    b = sim.bdc("BDC101", {"account": acct, "payee_account": "X", "payee_name": "", "amount": 1, "biz_type": "02",
                           "summary": ""}, date="2026-12-01")
    assert a["bank_seq"][:9] == "B20261130" and b["bank_seq"][:9] == "B20261201"
    assert int(b["bank_seq"][9:]) == int(a["bank_seq"][9:]) + 1


def test_sim_control_errors(sim, new_account):
    status, body = sim.request("POST", "/sim/credit", {"account": "nope", "amount": 1, "date": DAY})
    assert status == 404 and body["ok"] is False
    acct = new_account(balance=10)
    status, body = sim.request("POST", "/sim/debit", {"account": acct, "amount": 11, "date": DAY})
    assert status == 409 and body["result"] == "1001"
    status, body = sim.request("POST", "/sim/credit", {"account": acct, "amount": 1.5, "date": DAY})
    assert status == 400
    status, body = sim.request("POST", "/sim/faults", {"fault": "meteor"})
    assert status == 400
    assert sim.request("GET", "/nowhere")[0] == 404
    assert sim.debit(acct, 10, counter_name="手续费")["balance"] == 0


def test_state_and_health(sim, new_account):
    acct = new_account(balance=100)
    pay(sim, acct, 1)
    state = sim.state()
    assert state["transactions"]["BDC101"] >= 1
    assert any(a["account"] == acct and a["balance"] == 99 for a in state["accounts"])
    assert sim.health()["ok"] is True


def test_setting_a_balance_books_an_adjustment_line(sim, new_account):
    acct = new_account(balance=1_000)
    sim.credit(acct, 500)
    sim.open_account(acct, balance=200)  # has lines: the change is a statement line, so statements still add up
    body = sim.bdc("BDC113", {"account": acct, "date": DAY})["body"]
    assert body["opening_balance"] == 1_000 and body["closing_balance"] == 200 == balance(sim, acct)
    assert [(ln["direction"], ln["amount"]) for ln in body["lines"]] == [("in", 500), ("out", 1_300)]
