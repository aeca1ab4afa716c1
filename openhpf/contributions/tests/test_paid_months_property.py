"""Property: whatever the sequence of 汇缴, skipped months, 补缴 (full and individual), 退缴, seals and unseals,
the paid-up-to month, the arrears list and continuity derived from the paid-month store agree with a
recomputation from the detail rows (the posted roster lines). `make test` runs the "ci" hypothesis profile,
`make test-slow` the "full" one (conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.paidmonths import paid_months
from openhpf.accounts.services import member_account_seal, member_account_unseal
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.contributions.models import Remittance, RemittanceLine
from openhpf.contributions.relief.arrears import arrears_list
from openhpf.contributions.relief.hardship import continuity_months
from openhpf.contributions.remittance.services import back_payment_create, remittance_confirm
from openhpf.contributions.tests.test_paid_months import AFTER_DEADLINE, SYS, pay, receive, refund
from openhpf.core.errors import DomainError
from openhpf.ledger.models import SubLedgerRow

FIRST, LAST = "202601", "202611"  # the center's business month is 2026-11
OPENED = date(2025, 12, 10)
ACTIONS = st.lists(st.tuples(st.sampled_from(["remit", "skip", "back", "adhoc", "refund", "seal", "unseal"]),
                             st.integers(0, 30)), min_size=1, max_size=8)


class _Undo(Exception):
    """Raised at the end of an example: its writes roll back, the next example starts from the fixture."""


def _months(first: str, last: str) -> list[str]:
    out, y, m = [], int(first[:4]), int(first[4:])
    while f"{y:04d}{m:02d}" <= last:
        out.append(f"{y:04d}{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _paid_from_lines(account_id: int) -> set[str]:
    """Independent: the months of the posted roster lines that pay a month (汇缴, full and individual 补缴)."""
    return set(RemittanceLine.objects.filter(
        account_id=account_id, remittance__status=Remittance.Status.POSTED,
        remittance__back_kind__in=["", "full", "adhoc"]).values_list("remittance__month", flat=True))


def _owes_from(account_id: int) -> str:
    """Independent: the month after the last 启封 detail row, else the month after opening (2025-12: 2026-01)."""
    moved = SubLedgerRow.objects.filter(sub_account_id=account_id, biz_type="04").order_by("-business_date").first()
    if moved is None:
        return "202601"
    d = moved.business_date
    return f"{d.year + d.month // 12:04d}{d.month % 12 + 1:02d}"


def _check(center, staff, accts) -> None:
    report = arrears_list(center=center, month=LAST, user=staff, on=AFTER_DEADLINE)
    owed = {m.account_no: m.months for m in report.members}
    for a in MemberAccount.objects.filter(pk__in=[x.pk for x in accts]):
        window = _months(_owes_from(a.pk), LAST)
        paid = _paid_from_lines(a.pk)
        assert set(paid_months(a)) == paid
        assert a.paid_up_to == (max(paid) if paid else "")
        expected_owed = len([m for m in window if m not in paid]) if a.status == "01" else 0
        assert owed.get(a.account_no, 0) == expected_owed
        run = 0
        for m in reversed(_months("202512", LAST)):
            if m not in paid:
                break
            run += 1
        assert continuity_months(a, LAST) == run


def _act(center, e, accts, staff, checker, cursor: str, action: str, k: int) -> str:
    """One step; returns the month cursor (the next 汇缴 month)."""
    bd = center.business_date
    normal = [a for a in MemberAccount.objects.filter(pk__in=[x.pk for x in accts]).order_by("pk") if a.status == "01"]
    sealed = [a for a in MemberAccount.objects.filter(pk__in=[x.pk for x in accts]).order_by("pk") if a.status == "02"]
    earlier = _months(FIRST, min(cursor, LAST))[:-1] or [FIRST]
    if action in ("remit", "skip"):
        if cursor > LAST:
            return cursor
        if action == "remit":
            pay(center, e, cursor)
        return _months(cursor, "209912")[1]
    if action == "back" and cursor > FIRST:
        pay(center, e, earlier[k % len(earlier)], back="漏缴补缴")
    elif action == "adhoc" and normal and cursor > FIRST:
        a = normal[k % len(normal)]
        with transaction.atomic():
            r = back_payment_create(employer=e, month=earlier[k % len(earlier)], back_kind="adhoc", reason="个别补缴",
                                    actor=SYS, business_date=bd, lines=[(a.account_no, a.employer_amount,
                                                                         a.member_amount)])
            remittance_confirm(remittance=r, actor=SYS, business_date=bd)
        receive(center, e, r)
    elif action == "refund":
        posted = list(Remittance.objects.filter(employer=e, status=Remittance.Status.POSTED).order_by("pk"))
        if posted:
            refund(center, posted[k % len(posted)], staff, checker)
    elif action == "seal" and normal:
        with transaction.atomic():
            member_account_seal(account=normal[k % len(normal)], reason="离职", actor=SYS, business_date=bd)
    elif action == "unseal" and sealed:
        with transaction.atomic():
            member_account_unseal(account=sealed[k % len(sealed)], employer=e, actor=SYS, business_date=bd)
    return cursor


@pytest.fixture
def history(center):
    e = make_employer(center, 1)
    accts = [make_account(center, e, n) for n in (1, 2, 3)]
    MemberAccount.objects.filter(employer=e).update(opened_date=OPENED)
    return e, accts


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=ACTIONS)
def test_paid_months_agree_with_the_detail_rows(center, history, staff, checker, actions):
    e, accts = history
    with pytest.raises(_Undo), transaction.atomic():
        cursor = FIRST
        for action, k in actions:
            try:
                with transaction.atomic():
                    cursor = _act(center, e, accts, staff, checker, cursor, action, k)
            except DomainError:
                if action in ("remit", "skip"):
                    cursor = _months(cursor, "209912")[1]
            _check(center, staff, accts)
        raise _Undo
