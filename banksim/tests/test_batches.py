"""Batches (BDC103/104): accepted with 2001, settled item by item, one statement line for the succeeded total,
results by BDC107/108."""

from __future__ import annotations

import time

from .conftest import balance, lines


def batch(sim, code, account, items, summary="批量提取"):
    body = {"account": account, "biz_type": "02", "summary": summary, "count": len(items),
            "total": sum(i["amount"] for i in items),
            "items": [{"item": str(n), **i} for n, i in enumerate(items, 1)]}
    return sim.bdc(code, body)


def wait_done(sim, seq, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = sim.bdc("BDC107", {"orig_seq": seq})["body"]
        if body["state"] != "P":
            return body
        time.sleep(0.05)
    raise AssertionError(f"batch {seq} still processing")


def test_batch_payment_with_failing_items(sim, new_account):
    center = new_account(balance=1_000, name="中心专户")
    member = new_account(name="李四")
    closed = new_account(name="王五", status="closed")
    void = new_account(name="赵六", status="void")
    items = [
        {"counter_account": "6217000000000001", "counter_name": "张三", "amount": 300},  # another bank's: paid
        {"counter_account": member, "counter_name": "李四", "amount": 200},  # ours: paid and credited
        {"counter_account": closed, "counter_name": "王五", "amount": 100},  # 1003
        {"counter_account": void, "counter_name": "赵六", "amount": 100},  # 1002
        {"counter_account": "6217000000000005", "counter_name": "钱七", "amount": 600},  # only 500 left: 1001
        {"counter_account": "6217000000000006", "counter_name": "孙八", "amount": 500},  # exactly what is left
    ]
    a = batch(sim, "BDC103", center, items)
    assert (a["result"], a["state"]) == ("2001", "P")
    assert a["body"] == {"count": 6, "total": 1_800}
    done = wait_done(sim, a["seq"])
    assert done == {"state": "S", "bank_seq": a["bank_seq"], "count": 6, "total": 1_800, "succeeded": 3,
                    "failed": 3, "succeeded_amount": 1_000, "failed_amount": 800}
    results = sim.bdc("BDC108", {"orig_seq": a["seq"]})["body"]["items"]
    assert [(r["item"], r["state"], r["result"]) for r in results] == [
        ("1", "S", "0000"), ("2", "S", "0000"), ("3", "F", "1003"), ("4", "F", "1002"), ("5", "F", "1001"),
        ("6", "S", "0000")]
    assert all(r["bank_seq"] for r in results if r["state"] == "S")
    assert len({r["bank_seq"] for r in results if r["state"] == "S"}) == 3
    assert all(r["message"] for r in results)
    assert balance(sim, center) == 0 and balance(sim, member) == 200
    # ONE statement line for the succeeded total, ref = the batch seq
    [line] = lines(sim, center)
    assert (line["direction"], line["amount"], line["ref"], line["bank_seq"]) == ("out", 1_000, a["seq"],
                                                                                   a["bank_seq"])
    [credited] = lines(sim, member)
    assert credited["amount"] == 200 and credited["ref"] == a["seq"]
    q = sim.bdc("BDC110", {"orig_seq": a["seq"]})["body"]
    assert q["state"] == "S" and q["succeeded_amount"] == 1_000 and q["failed_amount"] == 800
    # the repeat of the batch seq is the recorded acceptance, nothing settles twice
    again = sim.send(sim.envelope("BDC103", {"account": center, "biz_type": "02", "summary": "批量提取", "count": 6,
                                             "total": 1_800, "items": [{"item": str(n), **i} for n, i in
                                                                       enumerate(items, 1)]}, seq=a["seq"]))
    assert again["duplicate"] is True and again["result"] == "2001"
    assert balance(sim, center) == 0 and len(lines(sim, center)) == 1


def test_batch_collection_with_a_poor_payer(sim, new_account):
    center = new_account(name="中心专户")
    rich, poor = new_account(balance=5_000), new_account(balance=50)
    items = [{"counter_account": rich, "counter_name": "甲", "amount": 4_000},
             {"counter_account": poor, "counter_name": "乙", "amount": 100},
             {"counter_account": "9550000000000123", "counter_name": "外行单位", "amount": 700}]
    a = batch(sim, "BDC104", center, items, summary="批量扣款")
    done = wait_done(sim, a["seq"])
    assert (done["succeeded"], done["succeeded_amount"], done["failed"], done["failed_amount"]) == (2, 4_700, 1, 100)
    assert balance(sim, center) == 4_700 and balance(sim, rich) == 1_000 and balance(sim, poor) == 50
    [line] = lines(sim, center)
    assert (line["direction"], line["amount"], line["ref"]) == ("in", 4_700, a["seq"])


def test_batch_refused_on_acceptance(sim, new_account):
    frozen = new_account(balance=10_000, status="frozen")
    a = batch(sim, "BDC103", frozen, [{"counter_account": "X1", "counter_name": "", "amount": 10}])
    assert (a["result"], a["state"]) == ("1003", "F")
    assert sim.bdc("BDC107", {"orig_seq": a["seq"]})["body"]["state"] == "F"
    [item] = sim.bdc("BDC108", {"orig_seq": a["seq"]})["body"]["items"]
    assert (item["state"], item["result"]) == ("F", "1003")
    assert balance(sim, frozen) == 10_000


def test_batch_stays_processing_until_due(sim, new_account):
    center = new_account(balance=1_000)
    sim.configure(batch_delay=0.6)
    try:
        a = batch(sim, "BDC103", center, [{"counter_account": "X1", "counter_name": "", "amount": 10}])
        p = sim.bdc("BDC107", {"orig_seq": a["seq"]})["body"]
        assert p["state"] == "P" and p["succeeded"] == 0
        assert [i["state"] for i in sim.bdc("BDC108", {"orig_seq": a["seq"]})["body"]["items"]] == ["P"]
        assert sim.bdc("BDC110", {"orig_seq": a["seq"]})["body"]["state"] == "P"
        assert balance(sim, center) == 1_000
    finally:
        sim.configure(batch_delay=0)
    assert wait_done(sim, a["seq"])["succeeded_amount"] == 10
    assert balance(sim, center) == 990


def test_batch_queries_on_a_single_payment_are_9001(sim, new_account):
    acct = new_account(balance=100)
    a = sim.bdc("BDC101", {"account": acct, "payee_account": "X", "payee_name": "", "amount": 1, "biz_type": "02",
                           "summary": ""})
    assert sim.bdc("BDC107", {"orig_seq": a["seq"]})["result"] == "9001"
    assert sim.bdc("BDC107", {"orig_seq": "NO-SUCH-BATCH"})["body"]["state"] == "N"


def test_large_batch_settles_quickly(sim, new_account):
    center = new_account(balance=10**12)
    items: list[dict] = [{"counter_account": f"62170{n:011d}", "counter_name": f"成员{n}", "amount": 100 + n % 50}
             for n in range(10_000)]
    t0 = time.perf_counter()
    a = batch(sim, "BDC103", center, items)
    done = wait_done(sim, a["seq"], timeout=20)
    elapsed = time.perf_counter() - t0
    assert done["succeeded"] == 10_000 and done["succeeded_amount"] == sum(i["amount"] for i in items)
    assert len(sim.bdc("BDC108", {"orig_seq": a["seq"]})["body"]["items"]) == 10_000
    assert elapsed < 10, f"10,000-item batch took {elapsed:.2f}s"


def test_batch_loan_debit_and_split_to_the_value_added_account(sim, new_account):
    """BDC104 with biz type 05, then BDC106 for its succeeded items: the interest moves to the 102 专户."""
    fund, income = new_account(name="公积金专户"), new_account(name="增值收益专户")
    a_card, b_card = new_account(balance=500_000), new_account(balance=100)
    items = [{"counter_account": a_card, "counter_name": "甲", "amount": 413_557},
             {"counter_account": b_card, "counter_name": "乙", "amount": 200_000}]  # 1001: only 1.00 元 there
    body = {"account": fund, "biz_type": "05", "summary": "贷款扣款", "count": 2, "total": 613_557,
            "items": [{"item": str(n), **i} for n, i in enumerate(items, 1)]}
    a = sim.bdc("BDC104", body)
    done = wait_done(sim, a["seq"])
    assert (done["succeeded"], done["succeeded_amount"], done["failed"]) == (1, 413_557, 1)
    split = {"orig_seq": a["seq"], "principal": 176_057, "interest": 237_500, "interest_account": income}
    # a failed item cannot be split, and the parts must add up to what the item collected
    assert sim.bdc("BDC106", {**split, "principal": 376_057, "interest": 237_500, "items": [
        {"item": "1", "principal": 176_057, "interest": 237_500},
        {"item": "2", "principal": 200_000, "interest": 0}]})["result"] == "1004"
    assert sim.bdc("BDC106", {**split, "items": [{"item": "1", "principal": 176_057, "interest": 237_499}]}
                   )["result"] == "1004"
    assert balance(sim, income) == 0
    ok = sim.bdc("BDC106", {**split, "items": [{"item": "1", "principal": 176_057, "interest": 237_500}]})
    assert ok["result"] == "0000"
    assert balance(sim, fund) == 176_057 and balance(sim, income) == 237_500
    [moved_in] = lines(sim, income)
    assert (moved_in["direction"], moved_in["amount"], moved_in["ref"]) == ("in", 237_500, ok["seq"])
    assert [(x["direction"], x["amount"]) for x in lines(sim, fund)] == [("in", 413_557), ("out", 237_500)]
    # once only; the repeat of the same seq is the recorded answer, nothing moves twice
    again = sim.send(sim.envelope("BDC106", {**split, "items": [{"item": "1", "principal": 176_057,
                                                                   "interest": 237_500}]}, seq=ok["seq"]))
    assert again["duplicate"] is True and balance(sim, income) == 237_500
    assert sim.bdc("BDC106", {**split, "items": [{"item": "1", "principal": 176_057, "interest": 237_500}]}
                   )["result"] == "1004"
    assert sim.bdc("BDC110", {"orig_seq": a["seq"]})["body"]["split"]["interest_account"] == income
    # a batch of another business type is not a loan debit
    other = sim.bdc("BDC104", {**body, "biz_type": "01", "count": 1, "total": 100,
                               "items": [{"item": "1", "counter_account": "9550000000000123", "counter_name": "外行",
                                          "amount": 100}]})
    wait_done(sim, other["seq"])
    assert sim.bdc("BDC106", {"orig_seq": other["seq"], "principal": 100, "interest": 0,
                              "items": [{"item": "1", "principal": 100, "interest": 0}]})["result"] == "1004"
