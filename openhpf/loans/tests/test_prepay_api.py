"""The prepayment API (quote, pay once per Idempotency-Key, permission), payoff, the certificate download, the
collateral feed and its handling; and `hpf loan`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ..models import CollateralEvent, Loan, LoanPayment
from .factories import make_active_loan, make_due


def _post(client, url, headers, body=None, **extra):
    return client.post(url, body or {}, content_type="application/json", **headers, **extra)


@pytest.fixture
def loan(world):
    ln = make_active_loan(world["center"], world["borrower"])
    for k in range(1, 12):
        make_due(ln, k)
    return ln


def test_prepay_payoff_certificate_and_collateral_api(client, world, loan):
    base = f"/api/v1/loans/{loan.number}"
    q = _post(client, f"{base}/prepay/quote", world["teller_h"], {"amount": 10_000_000, "mode": "payment"})
    assert q.status_code == 200 and q.json()["total"] == 14_557_044  # test_prepay: 145,570.44 元
    assert _post(client, f"{base}/prepay/quote", world["fin_h"],
                 {"amount": 10_000_000, "mode": "payment"}).status_code == 403
    body = {"amount": 10_000_000, "mode": "payment", "bank_ref": "B100", "account": "10101",
            "expected_total": 14_557_044}
    r = _post(client, f"{base}/prepay", world["teller_h"], body, HTTP_IDEMPOTENCY_KEY="pp-1")
    assert r.status_code == 200, r.content
    assert r.json()["schedule"]["payment"] == 371_375 and r.json()["schedule"]["version"] == 2
    again = _post(client, f"{base}/prepay", world["teller_h"], body, HTTP_IDEMPOTENCY_KEY="pp-1")
    assert again.json() == r.json() and LoanPayment.objects.count() == 1
    q = _post(client, f"{base}/payoff/quote", world["teller_h"]).json()
    assert q["principal"] == 98_040_211 - 10_000_000 and q["dues"] == 0
    r = _post(client, f"{base}/payoff", world["teller_h"],
              {"bank_ref": "B101", "account": "10101", "expected_total": q["total"]}, HTTP_IDEMPOTENCY_KEY="po-1")
    assert r.status_code == 200 and r.json()["status"] == Loan.Status.SETTLED
    assert client.get(f"{base}/certificate", **world["teller_h"]).status_code == 404  # not issued yet
    assert _post(client, f"{base}/certificate", world["teller_h"]).status_code == 200
    pdf = client.get(f"{base}/certificate", **world["fin_h"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    r = _post(client, f"{base}/collateral/release", world["teller_h"])
    assert r.status_code == 200 and r.json()["letter_no"].startswith("JY")
    # the feed and the disposal
    ln2 = make_active_loan(world["center"], world["spouse"])
    r = _post(client, f"/api/v1/loans/{ln2.number}/collateral-events", world["teller_h"],
              {"status": "sold", "source_ref": "ZY-1", "detail": "转移登记"})
    assert r.status_code == 200 and r.json()["handling"] == "warning"
    ev = CollateralEvent.objects.get(source_ref="ZY-1")
    r = _post(client, f"/api/v1/loans/collateral-events/{ev.pk}/handle", world["teller_h"],
              {"to": "closed", "note": "借款人已提前结清"})
    assert r.status_code == 200 and r.json()["handling"] == "closed"
    items = client.get(f"/api/v1/loans/{ln2.number}/collateral-events", **world["fin_h"]).json()["items"]
    assert [(i["status"], i["handling"]) for i in items] == [("sold", "closed")]


def test_loan_command_quotes_and_refuses_money_without_a_person(world, loan):
    out = StringIO()
    call_command("loan", "payoff", loan.number, stdout=out)
    assert "合计应付 1,026,669.53 元" in out.getvalue()  # 45,491.27 + 980,402.11 + 776.15
    with pytest.raises(CommandError) as e:
        call_command("loan", "prepay", loan.number, "--amount", "100000", "--mode", "term", "--bank-ref", "B9")
    assert "--as" in str(e.value)
    with pytest.raises(CommandError) as e:
        call_command("loan", "certificate", loan.number)
    assert "LOAN_NOT_SETTLED" in str(e.value)
