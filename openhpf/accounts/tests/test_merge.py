"""个人账户合并 (member_accounts_merge): one person with two accounts; the balance, this year's 积数 and the paid
months move to the account kept, the emptied one is closed 03 合并销户. The business date is 2026-11-30."""

from datetime import date

import pytest

from openhpf.accounts.models import MemberAccount, PaidMonths
from openhpf.accounts.services import member_account_freeze, member_account_seal, member_accounts_merge
from openhpf.audit.models import AuditRecord
from openhpf.ledger.models import JournalEntry, SubAccount, SubLedgerRow
from openhpf.ledger.services import subaccount_set_reserves
from openhpf.ledger.tests.factories import deposit

from .factories import TEST_ACTOR, make_account, make_employer
from .test_services import refused

BD = date(2026, 11, 30)


@pytest.fixture
def employer(center):
    return make_employer(center, 1)


@pytest.fixture
def pair(center, employer):
    """The same person (张三1, born 1990-01-01, male) opened twice: by resident ID, then by passport."""
    first = make_account(center, employer, 1)
    second_employer = make_employer(center, 2)
    first = member_account_seal(account=first, reason="离职", actor=TEST_ACTOR, business_date=BD)
    second = make_account(center, second_employer, 1, id_type="03", id_number="E12345678",
                          birth_date=date(1990, 1, 1), sex="1")
    return first, second


def test_merge_moves_balance_jishu_and_paid_months(center, staff, pair):
    src, dst = pair
    deposit(center, SubAccount.objects.get(pk=src.pk), 300000, value_date=date(2026, 7, 1))
    deposit(center, SubAccount.objects.get(pk=dst.pk), 100000)
    PaidMonths.objects.create(account_id=src.pk, year=2026, months=0b0000_0011_1111, back=0b0000_0000_0100)
    PaidMonths.objects.create(account_id=dst.pk, year=2026, months=0b0000_1100_0100, back=0b0000_1000_0000)
    MemberAccount.objects.filter(pk=src.pk).update(paid_up_to="202606")
    MemberAccount.objects.filter(pk=dst.pk).update(paid_up_to="202608")
    before_src, before_dst = SubAccount.objects.get(pk=src.pk), SubAccount.objects.get(pk=dst.pk)
    jishu_total = before_src.jishu_current + before_dst.jishu_current

    out = member_accounts_merge(source=src, target=dst, reason="重复开户", actor=staff, business_date=BD)

    assert out.pk == dst.pk
    s, d = SubAccount.objects.get(pk=src.pk), SubAccount.objects.get(pk=dst.pk)
    assert (s.balance, d.balance) == (0, 400000)
    assert s.jishu_current == 0 and d.jishu_current == jishu_total  # no interest lost, none made up
    src.refresh_from_db()
    assert (src.status, src.closed_date) == ("03", BD)
    e = JournalEntry.objects.get(source="accounts.merge")
    assert [(ln.account.code, ln.debit, ln.credit) for ln in e.lines.order_by("line_no")] == [
        ("201", 300000, 0), ("201", 0, 300000)]
    out_row = SubLedgerRow.objects.filter(sub_account_id=src.pk).order_by("-id").first()
    in_row = SubLedgerRow.objects.filter(sub_account_id=dst.pk).order_by("-id").first()
    assert (out_row.amount, out_row.balance_after, out_row.entry_id) == (-300000, 0, e.pk)
    assert (in_row.amount, in_row.balance_after) == (300000, 400000)
    assert out_row.reference == f"合并转出 · 并入 {dst.account_no}"
    pm = PaidMonths.objects.get(account_id=dst.pk, year=2026)
    # months 1–8 paid; month 3 was 补缴 on the source but on time on the target → on time; month 8: 补缴
    assert pm.months == 0b0000_1111_1111
    assert pm.back == 0b0000_1000_0000
    dst.refresh_from_db()
    assert dst.paid_up_to == "202608"
    rec = AuditRecord.objects.filter(action="accounts.member_account.merge").get()
    assert rec.before is not None and rec.after is not None
    assert rec.after["target"] == dst.account_no and rec.after["moved_current"] == 300000
    assert rec.before == {"status": "02"} and rec.after["status"] == "03"


def test_merge_of_an_empty_account_writes_event_rows(center, staff, pair):
    src, dst = pair
    member_accounts_merge(source=src, target=dst, reason="重复开户", actor=staff, business_date=BD)
    assert not JournalEntry.objects.filter(source="accounts.merge").exists()
    last = SubLedgerRow.objects.filter(sub_account_id=dst.pk).order_by("-id").first()
    assert (last.amount, last.reference) == (0, f"合并转入 · 来自 {src.account_no}")


def test_merge_refusals_write_nothing(center, staff, employer, pair):
    src, dst = pair
    other = make_account(center, employer, 2)  # another person
    refused("MEMBER_MERGE_SAME_ACCOUNT", member_accounts_merge, source=src, target=src, reason="重复开户",
            actor=staff, business_date=BD)
    err = refused("MEMBER_MERGE_NOT_SAME_PERSON", member_accounts_merge, source=src, target=other,
                  reason="重复开户", actor=staff, business_date=BD)
    assert err.field == "target"
    refused("REQUIRED", member_accounts_merge, source=src, target=dst, reason=" ", actor=staff, business_date=BD)
    deposit(center, SubAccount.objects.get(pk=src.pk), 50000)
    subaccount_set_reserves(sub_account=SubAccount(pk=src.pk), hold_delta=1000)
    refused("MEMBER_MERGE_HOLD", member_accounts_merge, source=src, target=dst, reason="重复开户", actor=staff,
            business_date=BD)
    subaccount_set_reserves(sub_account=SubAccount(pk=src.pk), hold_delta=-1000)
    member_account_freeze(account=src, kind="2", amount=100, reason="法院协助冻结", actor=staff, business_date=BD)
    refused("ACCOUNT_FROZEN", member_accounts_merge, source=src, target=dst, reason="重复开户", actor=staff,
            business_date=BD)


def test_merge_into_a_closed_account_is_refused(center, staff, pair):
    src, dst = pair
    member_accounts_merge(source=src, target=dst, reason="重复开户", actor=staff, business_date=BD)
    src.refresh_from_db()
    refused("ACCOUNT_CLOSED", member_accounts_merge, source=dst, target=src, reason="重复开户", actor=staff,
            business_date=BD)
    refused("ILLEGAL_TRANSITION", member_accounts_merge, source=src, target=dst, reason="重复开户", actor=staff,
            business_date=BD)
