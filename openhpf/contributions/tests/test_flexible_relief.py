"""Flexible-employment voluntary contributors (灵活就业): agreement lifecycle and the amount due."""

from datetime import date
from decimal import Decimal

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.contributions.relief.flexible import (
    flexible_agreement_end,
    flexible_agreement_resume,
    flexible_agreement_sign,
    flexible_agreement_suspend,
    flexible_employer,
    flexible_expected_amount,
    flexible_expected_amounts,
    is_flexible_employer,
)
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError


def _sign(center, n=1, **kw):
    args = dict(center=center, name=f"李灵活{n}", id_number=resident_id(40 + n), base=600000, ratio="0.10",
                start=date(2026, 12, 1), actor=SystemActor("test"), business_date=center.business_date)
    args.update(kw)
    return flexible_agreement_sign(**args)


def test_agreement_lifecycle(center, staff):
    ag = _sign(center, actor=staff)
    acct = ag.account
    emp = flexible_employer(center=center, business_date=center.business_date)
    assert acct.employer_id == emp.pk and emp.name == "灵活就业人员" and is_flexible_employer(emp)
    assert (acct.employer_ratio, acct.member_ratio, acct.base) == (Decimal("0.10"), Decimal("0.10"), 600000)
    assert flexible_expected_amount(ag, "202611") == 0            # before the start
    assert flexible_expected_amount(ag, "202612") == 120000       # 6,000 × 10% × 2 sides
    assert [(p.account_no, p.amount) for p in flexible_expected_amounts(center=center, month="2026-12")] == [
        (acct.account_no, 120000)]
    ag = flexible_agreement_suspend(agreement=ag, reason="暂时无力缴存", actor=staff, business_date=center.business_date)
    assert ag.status == "suspended" and flexible_expected_amount(ag, "202612") == 0
    with pytest.raises(DomainError) as exc:
        flexible_agreement_suspend(agreement=ag, reason="x", actor=staff, business_date=center.business_date)
    assert exc.value.code == "ILLEGAL_TRANSITION"
    ag = flexible_agreement_resume(agreement=ag, reason="恢复", actor=staff, business_date=center.business_date)
    assert flexible_expected_amount(ag, "202701") == 120000
    ag = flexible_agreement_end(agreement=ag, reason="已就业", actor=staff, business_date=center.business_date)
    ag.account.refresh_from_db()
    assert ag.status == "ended" and ag.account.status == "02" and flexible_expected_amount(ag, "202701") == 0
    # signing again moves the sealed account back in (启封), at the new terms
    ag2 = _sign(center, ratio="0.12", base=500000, actor=staff)
    assert ag2.account_id == acct.pk and ag2.account.status == "01" and ag2.account.member_ratio == Decimal("0.12")
    assert flexible_expected_amount(ag2, "202612") == 120000


def test_agreement_rules(center):
    for kw, code in ((dict(ratio="0.13"), "RATIO_NOT_ALLOWED"), (dict(ratio="0.055"), "RATIO_NOT_ALLOWED"),
                     (dict(base=5000000), "BASE_ABOVE_CAP"), (dict(base=100000), "BASE_BELOW_FLOOR"),
                     (dict(start=date(2026, 10, 1)), "START_PAST"),
                     (dict(end=date(2026, 11, 30)), "TERM_ORDER")):
        with pytest.raises(DomainError) as exc:
            _sign(center, **kw)
        assert exc.value.code == code, kw
    emp = make_employer(center, 1)
    worker = make_account(center, emp, 7)
    with pytest.raises(DomainError) as exc:
        _sign(center, name=worker.member.name, id_number=worker.member.id_number)
    assert exc.value.code == "EMPLOYED_CONTRIBUTOR"
    _sign(center)
    with pytest.raises(DomainError) as exc:
        _sign(center)
    assert exc.value.code == "AGREEMENT_EXISTS"
    ag = _sign(center, 2, end=date(2027, 3, 31))
    assert flexible_expected_amount(ag, "202703") == 120000 and flexible_expected_amount(ag, "202704") == 0
