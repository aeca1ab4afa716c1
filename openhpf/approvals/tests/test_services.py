"""Maker-checker: submission validates, the maker never approves, approval applies exactly once, a failing
apply leaves nothing half-applied, rejection applies nothing; policy changes and manual corrections use it."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.approvals import registry
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_reject, command_submit, requires_approval
from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import PolicyParameter
from openhpf.core.policy import policy_row, policy_value
from openhpf.core.services import center_advance_business_date, policy_set
from openhpf.ledger.models import JournalEntry, SubAccount
from openhpf.ledger.services import Line, entry_post
from openhpf.ledger.tests.factories import deposit, open_account

BD = date(2026, 11, 30)
CAP = {"key": "contribution.base.cap", "value": 3600000, "value_type": "int", "effective_from": "2027-07-01",
       "source": "杭房金〔2027〕1号"}


def refused(code: str, fn, **kwargs):
    with pytest.raises((DomainError, PermissionDenied)) as e:
        fn(**kwargs)
    assert e.value.code == code, e.value
    assert e.value.message
    return e.value


def submit_cap(center, maker, **over):
    return command_submit(name="core.policy_set", params={**CAP, **over}, actor=maker, center=center, business_date=BD)


def actions(cmd) -> list[str]:
    return list(AuditRecord.objects.filter(object_type="approvals.pendingcommand", object_id=str(cmd.pk))
                .order_by("id").values_list("action", flat=True))


# ---------------------------------------------------------------- policy changes


def test_policy_change_takes_effect_on_its_date(center, maker, approver):
    cmd = submit_cap(center, maker)
    assert cmd.status == "pending" and cmd.maker == maker and cmd.amount is None
    assert "缴存基数上限" in cmd.summary and "36,000.00 元" in cmd.summary and "2027-07-01" in cmd.summary
    assert not PolicyParameter.objects.filter(center=center).exists()  # stored, not applied

    cmd = command_approve(command=cmd, actor=approver, business_date=BD, reason="同意")
    assert cmd.status == "applied" and cmd.checker == approver and cmd.decided_at
    assert policy_value("contribution.base.cap", on=date(2027, 7, 1), center=center) == 3600000
    assert policy_value("contribution.base.cap", on=date(2027, 6, 30), center=center) == 3447000
    assert policy_value("contribution.base.cap", on=date(2027, 7, 1)) == 3447000  # national unchanged
    row = policy_row("contribution.base.cap", on=date(2027, 7, 1), center=center)
    assert row.approved_by == "user:checker2" and row.source == "杭房金〔2027〕1号"
    assert cmd.result == {"policy_id": row.pk, "key": "contribution.base.cap", "value": 3600000,
                          "effective_from": "2027-07-01", "approved_by": "user:checker2"}
    assert actions(cmd) == ["approvals.command.submit", "approvals.command.approve", "approvals.command.apply"]
    audit = AuditRecord.objects.get(action="core.policy.set", object_id=str(row.pk))
    assert audit.after is not None and audit.after["maker"] == "user:maker1" and audit.after["command"] == cmd.pk
    assert audit.actor == "user:checker2"


def test_person_cannot_set_policy_directly(center, maker, approver):
    refused("MAKER_CHECKER_REQUIRED", policy_set, key="contribution.base.cap", value=1, value_type="int",
            effective_from=date(2027, 7, 1), approved_by=approver, actor=maker, center=center)
    pending = submit_cap(center, maker)  # a pending (not approved) command is no pass either
    refused("MAKER_CHECKER_REQUIRED", policy_set, key="contribution.base.cap", value=1, value_type="int",
            effective_from=date(2027, 7, 1), actor=approver, center=center, _approved_command=pending)
    assert not PolicyParameter.objects.filter(center=center).exists()


@pytest.mark.parametrize(("over", "code"), [
    ({"key": "no.such.key"}, "POLICY_KEY"),
    ({"value_type": "float"}, "POLICY_TYPE"),
    ({"value_type": "decimal", "value": "0.1"}, "POLICY_TYPE"),  # the key's values are integers
    ({"value": "36000元"}, "POLICY_VALUE"),
    ({"value": 3.5}, "POLICY_VALUE"),
    ({"effective_from": "2027-13-01"}, "DATE_FORMAT"),
    ({"effective_from": "2026-11-29"}, "POLICY_RETROACTIVE"),
])
def test_bad_policy_params_refused_at_submission(center, maker, over, code):
    refused(code, submit_cap, center=center, maker=maker, **over)
    assert not PendingCommand.objects.exists()


def test_policy_exists_refused_at_submission(center, maker, approver):
    command_approve(command=submit_cap(center, maker), actor=approver, business_date=BD)
    refused("POLICY_EXISTS", submit_cap, center=center, maker=maker, value=3700000)


# ---------------------------------------------------------------- separation of duties


def test_maker_never_approves_own_command(center, maker):
    # the maker's 中心领导 role holds the checker permission too: still refused for their own command
    cmd = submit_cap(center, maker)
    refused("SELF_APPROVAL", command_approve, command=cmd, actor=maker, business_date=BD)
    cmd.refresh_from_db()
    assert cmd.status == "pending" and cmd.checker is None
    assert not PolicyParameter.objects.filter(center=center).exists()


def test_checker_permission_required(center, maker, staff, grant):
    cmd = submit_cap(center, maker)
    refused("FORBIDDEN", command_approve, command=cmd, actor=staff, business_date=BD)
    refused("FORBIDDEN", command_reject, command=cmd, actor=staff, reason="不同意")
    refused("FORBIDDEN", command_approve, command=cmd, actor=SystemActor("test"), business_date=BD)
    cmd.refresh_from_db()
    assert cmd.status == "pending"
    # and the maker needs the command's own permission to submit it
    refused("FORBIDDEN", command_submit, name="core.policy_set", params=CAP, actor=staff, center=center,
            business_date=BD)
    refused("COMMAND_UNKNOWN", command_submit, name="no.such", params={}, actor=maker, center=center,
            business_date=BD)


def test_approve_twice_applies_once(center, maker, approver, grant, django_user_model):
    other = grant(django_user_model.objects.create_user("checker3", is_staff=True), "approver")
    cmd = submit_cap(center, maker)
    first = command_approve(command=cmd, actor=approver, business_date=BD)
    e = refused("ALREADY_DECIDED", command_approve, command=cmd, actor=other, business_date=BD)
    assert e.details == {"status": "applied"}
    refused("ALREADY_DECIDED", command_approve, command=cmd.pk, actor=approver, business_date=BD)
    refused("ALREADY_DECIDED", command_reject, command=cmd, actor=other, reason="晚了")
    assert PolicyParameter.objects.filter(center=center).count() == 1
    cmd.refresh_from_db()
    assert cmd.status == "applied" and cmd.checker == approver and cmd.result == first.result
    assert actions(cmd).count("approvals.command.apply") == 1


def test_reject_applies_nothing(center, maker, approver):
    cmd = submit_cap(center, maker)
    refused("REASON_REQUIRED", command_reject, command=cmd, actor=approver, reason="  ")
    cmd = command_reject(command=cmd, actor=approver, reason="依据文件未下发")
    assert cmd.status == "rejected" and cmd.reason == "依据文件未下发" and cmd.checker == approver
    refused("ALREADY_DECIDED", command_approve, command=cmd, actor=approver, business_date=BD)
    assert not PolicyParameter.objects.filter(center=center).exists()
    assert actions(cmd) == ["approvals.command.submit", "approvals.command.reject"]


def test_maker_may_withdraw_own_command(center, maker):
    cmd = command_reject(command=submit_cap(center, maker), actor=maker, reason="填错了，撤回")
    assert cmd.status == "rejected" and cmd.checker is None
    assert not PolicyParameter.objects.filter(center=center).exists()


def test_idempotent_submission(center, maker, grant, django_user_model):
    a = command_submit(name="core.policy_set", params=CAP, actor=maker, center=center, business_date=BD,
                       idempotency_key="policy-cap-2027")
    b = command_submit(name="core.policy_set", params=CAP, actor=maker, center=center, business_date=BD,
                       idempotency_key="policy-cap-2027")
    assert a.pk == b.pk and PendingCommand.objects.count() == 1
    other = grant(django_user_model.objects.create_user("maker2", is_staff=True), "leader")
    refused("IDEMPOTENCY_KEY_REUSED", command_submit, name="core.policy_set", params=CAP, actor=other,
            center=center, business_date=BD, idempotency_key="policy-cap-2027")


# ---------------------------------------------------------------- failing apply


def _boom_apply(params, actor, business_date):
    cmd = registry.applying()
    entry_post(center=cmd.center, business_date=business_date, lines=[Line("10101", debit=100),
               Line("40199", credit=100)], source="manual", description="写了一半", actor=actor)
    raise DomainError(ErrorCode.JOB_ERROR, "执行到一半出错")


registry.register("test.half_write", apply=_boom_apply, permission="core.policy.change",
                  describe=lambda p: "测试：执行中途失败")


def test_failing_apply_leaves_nothing_half_applied(center, maker, approver):
    cmd = command_submit(name="test.half_write", params={}, actor=maker, center=center, business_date=BD)
    cmd = command_approve(command=cmd, actor=approver, business_date=BD)
    assert cmd.status == "failed" and cmd.apply_error == "[JOB_ERROR] 执行到一半出错" and cmd.result is None
    cmd.refresh_from_db()
    assert cmd.status == "failed" and cmd.checker == approver
    assert not JournalEntry.objects.exists()
    assert not AuditRecord.objects.filter(action="ledger.entry.post").exists()
    assert actions(cmd) == ["approvals.command.submit", "approvals.command.approve", "approvals.command.fail"]
    refused("ALREADY_DECIDED", command_approve, command=cmd, actor=approver, business_date=BD)


def test_policy_command_fails_when_its_date_has_passed(center, maker, approver):
    cmd = submit_cap(center, maker, effective_from="2026-12-01")
    center_advance_business_date(center=center, to=date(2026, 12, 2), actor=SystemActor("test"))
    cmd = command_approve(command=cmd, actor=approver, business_date=date(2026, 12, 2))
    assert cmd.status == "failed" and "POLICY_RETROACTIVE" in cmd.apply_error
    assert not PolicyParameter.objects.filter(center=center).exists()


# ---------------------------------------------------------------- manual corrections


def test_manual_reversal_via_maker_checker(center, maker, approver):
    sub = open_account(center, 1)
    original = deposit(center, sub, 1234567)
    cmd = command_submit(name="ledger.entry_reverse", params={"voucher_no": original.voucher_no, "reason": "重复入账"},
                         actor=maker, center=center, business_date=BD)
    assert cmd.amount == 1234567 and original.voucher_no in cmd.summary and "12,345.67 元" in cmd.summary
    assert JournalEntry.objects.count() == 1  # the dry run at submission left nothing behind
    assert SubAccount.objects.get(pk=sub.pk).balance == 1234567
    cmd = command_approve(command=cmd, actor=approver, business_date=BD)
    assert cmd.status == "applied"
    rev = JournalEntry.objects.get(reversal_of=original)
    assert cmd.result is not None and cmd.result["voucher_no"] == rev.voucher_no and rev.created_by == "user:checker2"
    assert SubAccount.objects.get(pk=sub.pk).balance == 0
    # a second reversal of the same voucher is refused at submission
    refused("ALREADY_REVERSED", command_submit, name="ledger.entry_reverse",
            params={"voucher_no": original.voucher_no, "reason": "再冲一次"}, actor=maker, center=center,
            business_date=BD)


def test_reversal_params_refused_at_submission(center, maker):
    sub = open_account(center, 1)
    original = deposit(center, sub, 100)
    refused("ENTRY_NOT_FOUND", command_submit, name="ledger.entry_reverse", params={"voucher_no": "记-x", "reason": "x"},
            actor=maker, center=center, business_date=BD)
    refused("REASON_REQUIRED", command_submit, name="ledger.entry_reverse",
            params={"voucher_no": original.voucher_no, "reason": ""}, actor=maker, center=center, business_date=BD)
    assert not PendingCommand.objects.exists()


def test_reversal_fails_if_reversed_meanwhile(center, maker, approver):
    sub = open_account(center, 1)
    original = deposit(center, sub, 100)
    params = {"voucher_no": original.voucher_no, "reason": "错账"}
    a = command_submit(name="ledger.entry_reverse", params=params, actor=maker, center=center, business_date=BD)
    b = command_submit(name="ledger.entry_reverse", params=params, actor=maker, center=center, business_date=BD)
    assert command_approve(command=a, actor=approver, business_date=BD).status == "applied"
    b = command_approve(command=b, actor=approver, business_date=BD)
    assert b.status == "failed" and "ALREADY_REVERSED" in b.apply_error
    assert JournalEntry.objects.filter(reversal_of=original).count() == 1


def test_manual_voucher_via_maker_checker(center, maker, approver):
    lines = [{"account": "10101", "debit": 8800, "memo": "银行结息补记"},
             {"account": "40199", "credit": 8800, "memo": "其他收入"}]
    cmd = command_submit(name="ledger.entry_post", params={"lines": lines, "description": "补记银行结息"},
                         actor=maker, center=center, business_date=BD)
    assert cmd.amount == 8800 and "88.00 元" in cmd.summary
    assert not JournalEntry.objects.exists()
    cmd = command_approve(command=cmd, actor=approver, business_date=BD)
    entry = JournalEntry.objects.get()
    assert cmd.status == "applied" and entry.source == "manual" and entry.total == 8800
    assert cmd.result is not None and cmd.result["voucher_no"] == entry.voucher_no


def test_a_system_actor_never_makes_or_checks_a_money_movement(center, maker, approver):
    lines = [{"account": "10101", "debit": 8800}, {"account": "40199", "credit": 8800}]
    params = {"lines": lines, "description": "补记银行结息"}
    for system in (SystemActor("cli"), SystemActor("dayend", on_behalf_of=maker)):
        e = refused("FORBIDDEN", command_submit, name="ledger.entry_post", params=params, actor=system,
                    center=center, business_date=BD)
        assert isinstance(e, PermissionDenied) and "系统主体" in e.message and "不能经办" in e.message
    assert not PendingCommand.objects.exists()
    cmd = command_submit(name="ledger.entry_post", params=params, actor=maker, center=center, business_date=BD)
    for system in (SystemActor("cli"), SystemActor("cli", on_behalf_of=approver)):
        e = refused("FORBIDDEN", command_approve, command=cmd, actor=system, business_date=BD)
        assert "系统主体" in e.message and "不能复核" in e.message
    cmd.refresh_from_db()
    assert cmd.status == "pending" and not JournalEntry.objects.exists()
    # nor posts a manual voucher or a reversal directly
    e = refused("FORBIDDEN", entry_post, center=center, business_date=BD, lines=[Line("10101", debit=100),
                Line("40199", credit=100)], source="manual", description="系统手工记账", actor=SystemActor("cli"))
    assert "手工记账" in e.message
    assert command_approve(command=cmd, actor=approver, business_date=BD).status == "applied"


@pytest.mark.parametrize(("params", "code"), [
    ({"lines": [{"account": "10101", "debit": 100}, {"account": "40199", "credit": 90}], "description": "x"},
     "ENTRY_UNBALANCED"),
    ({"lines": [{"account": "10101", "debit": 100}, {"account": "401", "credit": 100}], "description": "x"},
     "GL_ACCOUNT_NOT_LEAF"),
    ({"lines": [{"account": "10101", "debit": 1.5}, {"account": "40199", "credit": 1.5}], "description": "x"},
     "AMOUNT_FEN"),
    ({"lines": [{"account": "10101", "debit": 100}, {"account": "201", "credit": 100}], "description": "x"},
     "CONTROL_MISMATCH"),
    ({"lines": [{"account": "10101", "debit": 100}, {"account": "40199", "credit": 100}], "description": ""},
     "DESCRIPTION_REQUIRED"),
])
def test_bad_manual_voucher_refused_at_submission(center, maker, params, code):
    refused(code, command_submit, name="ledger.entry_post", params=params, actor=maker, center=center,
            business_date=BD)
    assert not PendingCommand.objects.exists() and not JournalEntry.objects.exists()


# ---------------------------------------------------------------- the money threshold


def test_requires_approval_at_policy_threshold(center):
    assert policy_value("maker_checker.money_threshold", on=BD) == 5000000
    assert not requires_approval(amount=4999999, center=center, on=BD)
    assert requires_approval(amount=5000000, center=center, on=BD)
    assert requires_approval(amount=-5000000, center=center, on=BD)
    policy_set(key="maker_checker.money_threshold", value=1000000, value_type="int", effective_from=date(2026, 12, 1),
               approved_by="system:policy", actor=SystemActor("test"), center=center)
    assert not requires_approval(amount=1000000, center=center, on=BD)
    assert requires_approval(amount=1000000, center=center, on=date(2026, 12, 1))
    assert not requires_approval(amount=1000000, center=None, on=date(2026, 12, 1))
