"""Issue 13 items 1 and 2, each attack reproduced: one finance user sends ¥10,000,000 to any outside account;
a channel URL repointed through the web UI. Now a payment at or above the threshold, or to a payee not
registered, waits for a checker and reaches the bank only after approval; a channel change waits for one too."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_reject, command_submit
from openhpf.audit.models import AuditRecord
from openhpf.conftest import finance_clerk
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.ledger.selectors import gl_balance
from openhpf.settlement import four_eyes
from openhpf.settlement.checks import check_in_transit
from openhpf.settlement.models import BankChannel, Instruction, Payee
from openhpf.settlement.services import (
    bank_account_available,
    bank_channel_link_local,
    batch_payment_submit,
    instruction_send,
    instructions_process,
    notices_pull,
    payment_submit,
)

from .conftest import CENTER_ACCOUNT, reviewer
from .test_source_ref import operator

S = Instruction.State
BIG = 1_000_000_000  # ¥10,000,000.00
STRANGER = ("6230000000000666", "某某贸易有限公司")  # an outside account nobody registered
URL = "/api/v1/settlement/payments"


@pytest.fixture
def rich(center, bank, sim):
    """The 专户 holding ¥11,000,000.00 at the bank and on the books."""
    sim.credit(account=CENTER_ACCOUNT, amount=BIG, counter_account="9550000000000098", counter_name="期初资金",
               summary="期初", date=center.business_date.isoformat())
    notices_pull(center=center, actor=SystemActor("test"), business_date=center.business_date)
    return bank


def _sent(sim, code: str = "BDC101") -> int:
    return int(sim.state()["transactions"].get(code, 0))


def _pay(center, bank, amount, payee=STRANGER, actor=None, **kw):
    return payment_submit(center=center, bank_account=bank, amount=amount, payee_account=payee[0],
                          payee_name=payee[1], biz_type="20", book_account="21902", summary="付款",
                          actor=actor or finance_clerk(), business_date=center.business_date, **kw)


def test_ten_million_by_one_finance_user_through_the_api_waits_for_a_checker(
        client, center, rich, sim, django_capture_on_commit_callbacks):
    alice, auth = operator(center, "alice")
    body = {"account_no": CENTER_ACCOUNT, "amount": BIG, "payee_account": STRANGER[0], "payee_name": STRANGER[1],
            "book_account": "21902", "biz_type": "20", "summary": "货款"}
    r = client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big-1", **auth)
    assert r.status_code == 202, r.content
    out = r.json()
    assert out["state"] == "held" and out["hold"]["code"] == "INSTRUCTION_HELD" and "复核" in out["hold"]["message"]
    assert _sent(sim) == 0
    ins = Instruction.objects.get(seq=out["seq"])
    assert ins.reserved == BIG and bank_account_available(ins.bank_account) == 100_000_000  # reserved meanwhile
    cmd = PendingCommand.objects.get(pk=int(ins.release_command or 0))
    assert cmd.name == "settlement.instruction_release" and cmd.maker == alice and cmd.amount == BIG
    assert "10,000,000.00" in cmd.summary and "未登记" in cmd.summary and "复核限额" in cmd.summary
    # nothing sends it: not the resolve endpoint, not the day-end's instruction step, not the console
    r = client.post(f"/api/v1/settlement/instructions/{ins.seq}/resolve", HTTP_IDEMPOTENCY_KEY="big-2", **auth)
    assert r.status_code == 409 and r.json()["code"] == "INSTRUCTION_HELD"
    instructions_process(center=center, actor=SystemActor("dayend"), business_date=center.business_date)
    assert instruction_send(instruction=ins, actor=alice, business_date=center.business_date).state == S.HELD
    assert _sent(sim) == 0
    # the maker cannot approve it, nor a colleague without approvals.approve
    with pytest.raises(DomainError) as e:
        command_approve(command=cmd, actor=alice, business_date=center.business_date)
    assert e.value.code == "SELF_APPROVAL"
    bob, _ = operator(center, "bob")
    with pytest.raises(PermissionDenied):
        command_approve(command=cmd, actor=bob, business_date=center.business_date)
    assert _sent(sim) == 0
    # a checker approves: sent once the approval commits
    with django_capture_on_commit_callbacks(execute=True):
        assert command_approve(command=cmd, actor=reviewer(), business_date=center.business_date).status == "applied"
    ins.refresh_from_db()
    assert ins.state == S.SUCCEEDED and _sent(sim) == 1
    rel = AuditRecord.objects.get(action="settlement.instruction.release")
    assert (rel.after or {})["maker"] == "user:alice" and (rel.after or {})["checker"] == "user:rev1"
    # the idempotent replay answers the same held answer, never a second payment
    r = client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big-1", **auth)
    assert r.status_code == 202 and r.json()["seq"] == ins.seq and Instruction.objects.filter(amount=BIG).count() == 1


def test_ten_million_through_the_cli_waits_for_a_checker(center, rich, sim):
    finance_clerk()
    out = io.StringIO()
    call_command("settlement", "pay", "--account", CENTER_ACCOUNT, "--amount", "10000000.00", "--payee-account",
                 STRANGER[0], "--payee-name", STRANGER[1], "--book", "21902", "--as", "fin1", stdout=out)
    got = json.loads(out.getvalue())
    assert got["state"] == "held" and got["hold"]["code"] == "INSTRUCTION_HELD" and got["hold"]["command"]
    assert _sent(sim) == 0
    ins = Instruction.objects.get(seq=got["seq"])
    command_approve(command=ins.release_command, actor=reviewer(), business_date=center.business_date)
    assert instruction_send(instruction=ins, actor=finance_clerk(), business_date=center.business_date).state == S.SUCCEEDED
    assert _sent(sim) == 1


def test_the_threshold_and_the_registry_decide(center, bank, sim):
    registered = ("6217000000000777", "张三")
    assert _pay(center, bank, 4_999_999, payee=registered).state == S.CREATED  # below ¥50,000, registered
    assert _pay(center, bank, 5_000_000, payee=registered).state == S.HELD  # at the threshold
    assert _pay(center, bank, 100, payee=STRANGER).state == S.HELD  # one fen… to a stranger
    assert _pay(center, bank, 100, payee=("6217000000000777", "冒名")).state == S.HELD  # a registered number, other name
    assert _sent(sim) == 0


def test_a_rejected_release_cancels_the_payment_and_frees_its_money(center, bank, sim):
    before = bank_account_available(bank)
    ins = _pay(center, bank, 2_000_00)
    assert ins.state == S.HELD and bank_account_available(bank) == before - 2_000_00
    cmd = command_reject(command=ins.release_command, actor=reviewer(), reason="收款人未核实",
                         business_date=center.business_date)
    ins.refresh_from_db()
    assert cmd.status == "rejected" and ins.state == S.CANCELLED and ins.reserved == 0 and ins.entry is None
    assert bank_account_available(bank) == before and _sent(sim) == 0
    assert check_in_transit().ok
    # the maker withdrawing their own release cancels it the same way
    mine = _pay(center, bank, 3_000_00)
    command_reject(command=mine.release_command, actor=finance_clerk(), reason="录错", business_date=center.business_date)
    mine.refresh_from_db()
    assert mine.state == S.CANCELLED and bank_account_available(bank) == before


def test_a_batch_with_a_stranger_is_held_and_a_rejection_returns_its_money(center, bank, sim):
    items = [{"counter_account": "6217000000000001", "counter_name": "张三", "amount": 100_00},
             {"counter_account": STRANGER[0], "counter_name": STRANGER[1], "amount": 200_00}]
    ins = batch_payment_submit(center=center, bank_account=bank, items=items, biz_type="20", book_account="21902",
                               summary="批量退回", actor=finance_clerk(), business_date=center.business_date)
    assert ins.state == S.HELD and gl_balance(center=center, code_prefix="21903") == -300_00
    assert instruction_send(instruction=ins, actor=finance_clerk(), business_date=center.business_date).state == S.HELD
    command_reject(command=ins.release_command, actor=reviewer(), reason="不予放行", business_date=center.business_date)
    ins.refresh_from_db()
    assert ins.state == S.CANCELLED and gl_balance(center=center, code_prefix="21903") == 0
    assert check_in_transit().ok and _sent(sim, "BDC103") == 0


def test_a_release_is_only_the_one_submitted_with_the_instruction(center, bank):
    ins = _pay(center, bank, 6_000_000)
    other, _ = operator(center, "mallory")
    with pytest.raises(DomainError) as e:  # a second release command for the same instruction is refused
        command_submit(name="settlement.instruction_release", params={"seq": ins.seq, "amount": ins.amount},
                       actor=other, center=center, business_date=center.business_date)
    assert e.value.code == "INSTRUCTION_NOT_HELD"


def test_a_deposit_and_a_transfer_at_the_threshold_are_held(center, bank, sim):
    from openhpf.settlement.deposits import deposit_open, value_added_transfer
    from openhpf.settlement.services import bank_account_open

    dep = deposit_open(center=center, bank_account=bank, kind="time", amount=5_000_000, rate="1.25", term_months=3,
                       actor=finance_clerk(), business_date=center.business_date)
    assert dep.open_instruction.state == S.HELD
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="6222000000000102",
                      account_name=center.name, kind="102", actor=finance_clerk(), business_date=center.business_date)
    assert value_added_transfer(center=center, amount=5_000_000, actor=finance_clerk(),
                                business_date=center.business_date).state == S.HELD
    # the center's own account is a payee without registration: below the threshold a transfer goes straight
    assert value_added_transfer(center=center, amount=1_000_00, actor=finance_clerk(),
                                business_date=center.business_date).state == S.CREATED
    assert _sent(sim, "BDC114") == 0


def test_an_application_approved_by_another_counts_as_checked(center, bank, monkeypatch):
    """A withdrawal or loan pays its approved application's recorded payee without a second approval."""
    approved = {"APP-1": [("6230000000000777", "赵六", 12_000_000)]}

    def check(*, center, source_ref, payees):
        return approved.get(source_ref) == payees

    monkeypatch.setitem(four_eyes._APPLICATION_SOURCES, "test.withdrawal", check)
    payee = ("6230000000000777", "赵六")
    assert _pay(center, bank, 12_000_000, payee=payee, source="test.withdrawal", source_ref="APP-1").state == S.CREATED
    # another payee, another amount, an unknown application, or another source: held
    assert _pay(center, bank, 12_000_000, payee=STRANGER, source="test.withdrawal", source_ref="APP-2").state == S.HELD
    assert _pay(center, bank, 11_000_000, payee=payee, source="test.withdrawal", source_ref="APP-3").state == S.HELD
    assert _pay(center, bank, 12_000_000, payee=payee, source="erp", source_ref="APP-1").state == S.HELD


def test_a_payee_counts_only_after_a_checker_approves_it(client, center, bank):
    alice, auth = operator(center, "alice")
    body = {"account_no": "6230000000000888", "account_name": "杭州物业管理有限公司", "bank_name": "建设银行"}
    r = client.post("/api/v1/settlement/payees", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p-1",
                    **auth)
    assert r.status_code == 202 and r.json()["name"] == "settlement.payee_add", r.content
    assert not Payee.objects.filter(account_no="6230000000000888").exists()
    payee = ("6230000000000888", "杭州物业管理有限公司")
    assert _pay(center, bank, 100_00, payee=payee).state == S.HELD
    with pytest.raises(DomainError):
        command_approve(command=r.json()["command"], actor=alice, business_date=center.business_date)
    command_approve(command=r.json()["command"], actor=reviewer(), business_date=center.business_date)
    p = Payee.objects.get(account_no="6230000000000888")
    assert p.created_by == "user:alice" and p.approved_by == "user:rev1"
    assert _pay(center, bank, 100_00, payee=payee).state == S.CREATED
    listed = client.get("/api/v1/settlement/payees", **auth).json()
    assert [x for x in listed if x["account_no"] == "6230********0888"]  # listed masked (test_payee_masking)
    bad = client.post("/api/v1/settlement/payees", {"account_no": "abc", "account_name": ""},
                      content_type="application/json", HTTP_IDEMPOTENCY_KEY="p-2", **auth)
    assert bad.status_code == 400 and bad.json()["code"] == "PAYEE_ACCOUNT"


# ---------------------------------------------------------------- item 2: redirecting a bank


def test_a_url_given_with_an_account_does_not_repoint_the_bank(client, center, bank, sim):
    _alice, auth = operator(center, "alice")
    real = BankChannel.objects.get(center=center, bank_code="ICBC").url
    body = {"bank_code": "ICBC", "bank_name": "工商银行", "account_no": "6222000000000555", "url": "http://evil.example.com/bdc"}
    r = client.post("/api/v1/settlement/accounts", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a-1",
                    **auth)
    assert r.status_code == 422 and r.json()["code"] == "CHANNEL_HOST_NOT_ALLOWED"  # not on the allow-list
    assert not PendingCommand.objects.exists()
    # an allowed host still only asks a checker
    r = client.post("/api/v1/settlement/accounts", {**body, "url": "http://127.0.0.1:9/fake"},
                    content_type="application/json", HTTP_IDEMPOTENCY_KEY="a-2", **auth)
    assert r.status_code == 200 and r.json()["channel"]["status"] == "pending", r.content
    assert BankChannel.objects.get(center=center, bank_code="ICBC").url == real
    assert not AuditRecord.objects.filter(action="settlement.channel.set").exists()
    # payments still reach the real bank
    ins = _pay(center, bank, 1_000_00, payee=("6217000000000777", "张三"))
    assert instruction_send(instruction=ins, actor=finance_clerk(), business_date=center.business_date).state == S.SUCCEEDED
    # approved by a checker: changed, audited with both people
    command_approve(command=r.json()["channel"]["command"], actor=reviewer(), business_date=center.business_date)
    assert BankChannel.objects.get(center=center, bank_code="ICBC").url == "http://127.0.0.1:9/fake"
    rec = AuditRecord.objects.get(action="settlement.channel.set")
    assert (rec.before or {})["url"] == real and (rec.after or {})["approved_by"] == "user:rev1"


def test_a_push_token_never_reaches_a_command_or_the_trail_in_clear(client, center, bank):
    _alice, auth = operator(center, "alice")
    token = "push-token-0123456789abcdef"
    r = client.post("/api/v1/settlement/channels", {"bank_code": "ICBC", "url": "http://127.0.0.1:8/bdc",
                                                     "notify_token": token},
                    content_type="application/json", HTTP_IDEMPOTENCY_KEY="c-1", **auth)
    assert r.status_code == 202, r.content
    cmd = PendingCommand.objects.get(pk=r.json()["command"])
    assert token not in json.dumps(cmd.params) and len(cmd.params["notify_token_hash"]) == 64
    assert not [a for a in AuditRecord.objects.all() if token in json.dumps([a.before, a.after], default=str)]


@override_settings(HPF_BANK_CHANNEL_DEV=False, HPF_BANK_URL_ALLOWLIST=["bank.example.cn", "10.1.2.3:8443"])
def test_production_allows_only_the_allow_list_and_refuses_the_simulator_link(center, bank):
    assert four_eyes.channel_url_check("https://bank.example.cn/bdc") == "https://bank.example.cn/bdc"
    assert four_eyes.channel_url_check("https://10.1.2.3:8443/bdc")
    for url in ("http://127.0.0.1:8765/bdc", "http://localhost/bdc", "https://10.1.2.3:9443/bdc",
                "https://bank.example.cn.evil.com/bdc", "https://user:pw@bank.example.cn/bdc", "ftp://bank.example.cn/"):
        with pytest.raises(DomainError) as e:
            four_eyes.channel_url_check(url)
        assert e.value.code in ("CHANNEL_HOST_NOT_ALLOWED", "CHANNEL_URL"), url
    with pytest.raises(DomainError) as e:
        bank_channel_link_local(center=center, bank_code="ICBC", url="http://127.0.0.1:8765/bdc", actor=SystemActor("t"))
    assert e.value.code == "CHANNEL_LOCAL_LINK"
    with pytest.raises(CommandError, match="CHANNEL_LOCAL_LINK"):
        call_command("bank_sim_link", "--url", "http://127.0.0.1:9", stdout=io.StringIO())


def test_development_links_the_local_simulator_without_a_checker(center):
    with pytest.raises(DomainError) as e:  # but never anything else
        bank_channel_link_local(center=center, bank_code="ICBC", url="http://evil.example.com/bdc",
                                actor=SystemActor("t"))
    assert e.value.code == "CHANNEL_HOST_NOT_ALLOWED"
    ch = bank_channel_link_local(center=center, bank_code="ICBC", url="http://localhost:8765/bdc", actor=SystemActor("t"))
    assert ch.url == "http://localhost:8765/bdc"
    assert AuditRecord.objects.filter(action="settlement.channel.local_link").count() == 1
