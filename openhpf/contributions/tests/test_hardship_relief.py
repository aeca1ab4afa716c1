"""Hardship relief: 降低缴存比例 and 缓缴 through maker-checker, automatic end, arrears and continuity."""

from datetime import date
from decimal import Decimal

import pytest

from openhpf.accounts.models import Employer, MemberAccount
from openhpf.accounts.services import member_account_change_ratio
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.approvals.services import command_approve
from openhpf.contributions.models import HardshipApplication
from openhpf.contributions.relief.hardship import (
    continuity_months,
    deferral_arrears,
    hardship_apply,
    hardship_expire,
    hardship_reject,
)
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.documents.models import Document

from .relief_helpers import set_paid

DOCS = [("职代会决议.pdf", b"%PDF-1.4 resolution"), ("财务报表.pdf", b"%PDF-1.4 accounts")]


@pytest.fixture
def setup(center):
    emp = make_employer(center, 1)
    return emp, [make_account(center, emp, n) for n in (1, 2)]


def _approve(app, checker, on):
    cmd = command_approve(command=app.command_id, actor=checker, business_date=on)
    assert cmd.status == "applied", cmd.apply_error
    app.refresh_from_db()
    return app


def test_reduced_ratio_accepted_during_term_refused_after(center, setup, staff, checker):
    emp, (a, _b) = setup
    app = hardship_apply(employer=emp, kind="reduce", valid_from=date(2026, 12, 1), valid_to=date(2027, 5, 31),
                         reason="经营困难", vote_date=date(2026, 11, 20), employer_ratio="0.03", member_ratio="0.03",
                         documents=DOCS, actor=staff, business_date=center.business_date)
    docs = Document.objects.filter(object_type="contributions.hardshipapplication", object_id=str(app.pk))
    assert docs.count() == 2 and all(len(d.sm3) == 64 for d in docs)
    with pytest.raises(DomainError) as exc:   # maker ≠ checker
        command_approve(command=app.command_id, actor=staff, business_date=center.business_date)
    assert exc.value.code == "SELF_APPROVAL"
    app = _approve(app, checker, center.business_date)
    assert app.status == "approved" and app.reduction is not None   # starts 12/1
    assert hardship_expire(center=center, on=date(2026, 12, 1)) == {"started": 1, "ended": 0}
    for acct in MemberAccount.objects.filter(employer=emp):
        assert (acct.employer_ratio, acct.member_ratio) == (Decimal("0.03"), Decimal("0.03"))
        assert acct.employer_amount == 30000
    # during the term the accounts rules accept a ratio down to the floor
    member_account_change_ratio(account=a, employer_ratio="0.04", member_ratio="0.04", actor=SystemActor("test"),
                                business_date=date(2027, 1, 15))
    with pytest.raises(DomainError) as exc:
        member_account_change_ratio(account=a, employer_ratio="0.02", member_ratio="0.02", actor=SystemActor("test"),
                                    business_date=date(2027, 1, 15))
    assert exc.value.code == "RATIO_BELOW_REDUCED"
    assert hardship_expire(center=center, on=date(2027, 5, 31)) == {"started": 0, "ended": 0}
    assert hardship_expire(center=center, on=date(2027, 6, 1)) == {"started": 0, "ended": 1}
    app.refresh_from_db()
    assert app.status == "ended"
    for acct in MemberAccount.objects.filter(employer=emp):   # back to the ratios before the term
        assert (acct.employer_ratio, acct.member_ratio, acct.employer_amount) == (Decimal("0.12"), Decimal("0.12"),
                                                                                   120000)
    assert Employer.objects.get(pk=emp.pk).employer_ratio == Decimal("0.12")
    with pytest.raises(DomainError) as exc:   # after expiry: refused
        member_account_change_ratio(account=a, employer_ratio="0.04", member_ratio="0.04", actor=SystemActor("test"),
                                    business_date=date(2027, 6, 1))
    assert exc.value.code == "RATIO_TOO_LOW"
    assert hardship_expire(center=center, on=date(2027, 6, 2)) == {"started": 0, "ended": 0}


def test_application_rules(center, setup, staff, checker):
    emp, _ = setup
    kw = dict(employer=emp, valid_from=date(2026, 12, 1), valid_to=date(2027, 5, 31), reason="困难", actor=staff,
              business_date=center.business_date)
    for extra, code in (
        (dict(kind="reduce", employer_ratio="0.05", member_ratio="0.03", documents=DOCS), "RATIO_NOT_REDUCED"),
        (dict(kind="reduce", employer_ratio="0.005", member_ratio="0.03", documents=DOCS), "RATIO_BELOW_REDUCED"),
        (dict(kind="defer"), "DOCUMENTS_REQUIRED"),
        (dict(kind="defer", documents=DOCS, valid_to=date(2028, 1, 1)), "TERM_TOO_LONG"),
    ):
        with pytest.raises(DomainError) as exc:
            hardship_apply(**{**kw, **extra})
        assert exc.value.code == code
    app = hardship_apply(**kw, kind="defer", documents=DOCS)
    with pytest.raises(DomainError) as exc:
        hardship_apply(**kw, kind="defer", documents=DOCS)
    assert exc.value.code == "HARDSHIP_OVERLAP"
    hardship_reject(application=app, actor=checker, reason="材料不全", business_date=center.business_date)
    assert HardshipApplication.objects.get(pk=app.pk).status == "rejected"


def test_deferral_arrears_and_continuity(center, setup, staff, checker):
    emp, (a, b) = setup
    Employer.objects.filter(pk=emp.pk).update(paid_up_to="202611")
    emp.refresh_from_db()
    set_paid(a, "202611", opened=date(2026, 6, 1))
    set_paid(b, "202610", opened=date(2026, 6, 1))
    assert continuity_months(a, "202611") == 6          # 2026-06 … 2026-11
    app = hardship_apply(employer=emp, kind="defer", valid_from=date(2026, 12, 1), valid_to=date(2027, 2, 28),
                         reason="疫情停产", documents=DOCS, actor=staff, business_date=center.business_date)
    assert continuity_months(a, "202612") == 0          # not approved yet: December is a gap
    _approve(app, checker, center.business_date)
    hardship_expire(center=center, on=date(2026, 12, 1))
    assert Employer.objects.get(pk=emp.pk).status == "03"
    assert continuity_months(a, "202702") == 9          # 6 paid + 3 deferred: not broken
    assert continuity_months(b, "202702") == 3          # b missed November: only the deferral counts
    owed = deferral_arrears(emp, upto="202702")
    assert owed.months == ["202612", "202701", "202702"]
    assert [(m.account_no, m.months, m.amount) for m in owed.members] == [
        (a.account_no, ["202612", "202701", "202702"], 3 * 240000),
        (b.account_no, ["202612", "202701", "202702"], 3 * 240000)]
    assert owed.total == 6 * 240000
    assert deferral_arrears(emp, upto="202612").total == 2 * 240000
    hardship_expire(center=center, on=date(2027, 3, 1))
    assert Employer.objects.get(pk=emp.pk).status == "01"
    assert continuity_months(a, "202702") == 9          # ended deferrals still count
    assert deferral_arrears(emp, upto="202703").months == ["202612", "202701", "202702"]
