"""The counter repayment through the API and `hpf loan repay`, `GET …/due`, and `hpf loan cob`: 409 while the COB
holds the loan, accepted after it; other dates refused in Chinese."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import business_day, grant_role
from openhpf.ledger.models import JournalLine

from ..models import Loan, LoanPayment
from .conftest import token
from .factories import make_active_loan, make_due

ON = date(2026, 11, 30)
OWED = 15_421 + 237_500 + 176_057  # test_payments: penalty 154.21 元 on 2026-11-30, interest, principal


@pytest.fixture
def setup(center, bank, django_user_model):
    acct = make_account(center, make_employer(center, 1), 1)
    ln = make_active_loan(center, acct)
    make_due(ln, 1, overdue_on=date(2026, 1, 21))
    teller = grant_role(django_user_model.objects.create_user("cob_teller", is_staff=True), "teller", center=center)
    return {"loan": Loan.objects.get(pk=ln.pk), "h": token(teller, center), "bank": bank}


def test_due_and_repay_409_during_cob(client, setup):
    ln, h = setup["loan"], setup["h"]
    r = client.get(f"/api/v1/loans/{ln.number}/due", **h)
    assert r.status_code == 200 and r.json()["total"] == OWED
    Loan.objects.filter(pk=ln.pk).update(cob_date=ON)
    body = {"amount": OWED, "reference": "GT20261130001"}
    r = client.post(f"/api/v1/loans/{ln.number}/repayments", body, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="k1", **h)
    assert r.status_code == 409 and r.json()["code"] == "LOAN_IN_COB"
    assert LoanPayment.objects.count() == 0
    Loan.objects.filter(pk=ln.pk).update(cob_date=None)
    r = client.post(f"/api/v1/loans/{ln.number}/repayments", body, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="k1", **h)
    assert r.status_code == 201, r.content
    out = r.json()
    assert (out["penalty"], out["overdue_interest"], out["overdue_principal"]) == (15_421, 237_500, 176_057)
    again = client.post(f"/api/v1/loans/{ln.number}/repayments", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k1", **h)
    assert again.status_code == 201 and again.json() == out and LoanPayment.objects.count() == 1
    assert out["loan_outstanding"] == 100_000_000 - 176_057
    p = LoanPayment.objects.get()
    code = setup["bank"].gl_account.code
    assert sorted((x.account.code, x.debit, x.credit) for x in JournalLine.objects.filter(entry=p.entry)) == sorted(
        [(code, OWED, 0), ("122", 0, 176_057), ("40103", 0, 237_500), ("40103", 0, 15_421)])
    assert p.source == LoanPayment.Source.COUNTER and p.bank_ref == "GT20261130001"


def test_repay_needs_loans_operate(client, setup, django_user_model, center):
    reviewer = grant_role(django_user_model.objects.create_user("cob_rev", is_staff=True), "reviewer", center=center)
    r = client.post(f"/api/v1/loans/{setup['loan'].number}/repayments", {"amount": 100, "reference": "X"},
                    content_type="application/json", **token(reviewer, center))
    assert r.status_code == 403


def test_cli_repay_and_cob(setup, center):
    ln = setup["loan"]
    out = StringIO()
    call_command("loan", "repay", "--loan", ln.number, "--amount", "1000.00", "--reference", "GT1", "--as",
                 "cob_teller", stdout=out)
    got = json.loads(out.getvalue())
    assert (got["penalty"], got["overdue_interest"]) == ("154.21", "845.79")
    with pytest.raises(CommandError) as e:
        call_command("loan", "cob", "--business-date", "2026-11-01", "--quiet")
    assert "LOAN_COB_DATE" in str(e.value) and "只能对当前业务日期 2026-11-30" in str(e.value)
    out = StringIO()
    with business_day(center, ON):
        call_command("loan", "cob", "--quiet", stdout=out)
    got = json.loads(out.getvalue())
    assert got["status"] == "succeeded" and got["steps"]["loan_release"] == "done"
