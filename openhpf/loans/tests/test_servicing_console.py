"""Counter repayment, manual classification, their API, the servicing page, the collection work queue and the
portfolio dashboard. Amounts hand-computed: a 1,000,000.00 元 loan over 360 months at 2.85 % pays 4,135.57 元 a
month; period 1 (2026-01-20: principal 1,760.57, interest 2,375.00) overdue from 2026-01-21; on 2026-11-30 the
penalty is 413,557 × 0.0285 / 360 × 1.5 × 314 = 15,420.51 fen → 154.21 元; all due 4,289.78 元."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.iam.models import StaffProfile
from openhpf.ledger.models import JournalLine
from openhpf.settlement.services import bank_account_open, bank_channel_link_local

from ..models import CollectionAction, CollectionCase, Loan, LoanClassChange, LoanPayment
from ..override import class_override_set
from ..repay import repayment_counter
from ..servicing_selectors import portfolio_dashboard
from .conftest import token
from .factories import make_active_loan, make_due

ON = date(2026, 11, 30)
SYS = SystemActor("test")
DUE = 428_978  # 154.21 + 2,375.00 + 1,760.57 元


@pytest.fixture
def fund(center):
    """The center's 专户 (GL 101xx) with a channel, as fund_account_for_payments finds it; no bank needed."""
    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="1202000000000001",
                             account_name=center.name, actor=SYS, business_date=center.business_date)
    bank_channel_link_local(center=center, bank_code="ICBC", url="http://127.0.0.1:9/bdc", actor=SYS)
    return acct.gl_account.code


@pytest.fixture
def loan(center, fund):
    acct = make_account(center, make_employer(center, 1), 1)
    ln = make_active_loan(center, acct, number="DK330100000001")
    make_due(ln, 1, overdue_on=date(2026, 1, 21))
    ln.refresh_from_db()
    return ln


def _staff(model, name, role, center):
    user = grant_role(model.objects.create_user(name, is_staff=True), role, center=center)
    StaffProfile.objects.get_or_create(user=user, defaults={"center": center})
    return user


@pytest.fixture
def teller(center, django_user_model):
    return _staff(django_user_model, "sv_teller", "teller", center)


@pytest.fixture
def reviewer(center, django_user_model):
    return _staff(django_user_model, "sv_rev", "reviewer", center)


def _gl(entry):
    return sorted((x.account.code, x.debit, x.credit) for x in JournalLine.objects.filter(entry=entry))


# ---------------------------------------------------------------- services


def test_counter_repayment_allocates_and_posts_to_the_fund_account(loan, fund, teller):
    p = repayment_counter(loan_number=loan.number, amount=DUE, reference="GT001", actor=teller, business_date=ON)
    assert (p.source, p.penalty, p.overdue_interest, p.overdue_principal) == ("counter", 15_421, 237_500, 176_057)
    assert p.bank_ref == "GT001"
    assert _gl(p.entry) == sorted([(fund, DUE, 0), ("122", 0, 176_057), ("40103", 0, 237_500), ("40103", 0, 15_421)])
    again = repayment_counter(loan_number=loan.number, amount=DUE, reference="GT001", actor=teller, business_date=ON)
    assert again.pk == p.pk and LoanPayment.objects.count() == 1
    loan.refresh_from_db()
    assert (loan.outstanding, loan.overdue_principal, loan.overdue_since) == (100_000_000 - 176_057, 0, None)


def test_counter_repayment_refusals(loan, reviewer, teller):
    with pytest.raises(PermissionDenied):
        repayment_counter(loan_number=loan.number, amount=1_000, reference="X1", actor=reviewer, business_date=ON)
    with pytest.raises(DomainError) as e:
        repayment_counter(loan_number=loan.number, amount=DUE + 1, reference="X2", actor=teller, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_PAYMENT_INVALID
    with pytest.raises(DomainError) as e:
        repayment_counter(loan_number="DK404", amount=1, reference="X3", actor=teller, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_NOT_FOUND
    with pytest.raises(DomainError) as e:
        repayment_counter(loan_number=loan.number, amount=1, reference=" ", actor=teller, business_date=ON)
    assert e.value.field == "reference"
    assert LoanPayment.objects.count() == 0


def test_class_override(loan, teller, reviewer):
    for kw, field in (({"to_class": "09"}, "to_class"), ({"reason": ""}, "reason"), ({"until": None}, "until"),
                      ({"until": ON}, "until")):
        args = {"loan_number": loan.number, "to_class": "03", "reason": "借款人失业", "until": date(2027, 3, 31),
                "actor": teller, "business_date": ON, **kw}
        with pytest.raises(DomainError) as e:
            class_override_set(**args)
        assert e.value.code == ErrorCode.LOAN_CLASS_OVERRIDE_INVALID and e.value.field == field
    with pytest.raises(PermissionDenied):
        class_override_set(loan_number=loan.number, to_class="03", reason="x", until=date(2027, 3, 31),
                           actor=reviewer, business_date=ON)
    ch = class_override_set(loan_number=loan.number, to_class="03", reason="借款人失业", until=date(2027, 3, 31),
                            actor=teller, business_date=ON)
    loan.refresh_from_db()
    assert (loan.risk_class, loan.class_override, loan.class_override_until) == ("03", "03", date(2027, 3, 31))
    assert (ch.from_class, ch.to_class, ch.manual, ch.overdue_days) == ("01", "03", True, 314)  # 2026-01-20 → 11-30: 11 + 303
    assert LoanClassChange.objects.count() == 1


# ---------------------------------------------------------------- API


def test_api_due_repay_payments_class(client, loan, teller, center):
    h = token(teller, center)
    r = client.get(f"/api/v1/loans/{loan.number}/due", **h)
    assert r.status_code == 200, r.content
    d = r.json()
    assert (d["penalty"], d["overdue_interest"], d["overdue_principal"], d["total"]) == (15_421, 237_500, 176_057, DUE)
    assert d["overdue_days"] == 314 and d["dues"][0]["penalty"] == 15_421

    url = f"/api/v1/loans/{loan.number}/repayments"
    r = client.post(url, {"amount": DUE + 100, "reference": "A0"}, content_type="application/json", **h)
    assert r.status_code == 422 and r.json()["code"] == "LOAN_PAYMENT_INVALID"
    Loan.objects.filter(pk=loan.pk).update(cob_date=ON)
    r = client.post(url, {"amount": 100_000, "reference": "A1"}, content_type="application/json", **h)
    assert r.status_code == 409 and r.json()["code"] == "LOAN_IN_COB"
    Loan.objects.filter(pk=loan.pk).update(cob_date=None)
    key = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    r = client.post(url, {"amount": 100_000, "reference": "A1"}, content_type="application/json", **h, **key)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["penalty"], body["overdue_interest"], body["overdue_principal"]) == (15_421, 84_579, 0)
    r2 = client.post(url, {"amount": 100_000, "reference": "A1"}, content_type="application/json", **h, **key)
    assert r2.status_code == 201 and r2.json() == body and LoanPayment.objects.count() == 1
    r3 = client.post(url, {"amount": 200_000, "reference": "A2"}, content_type="application/json", **h, **key)
    assert r3.status_code == 422 and r3.json()["code"] == "IDEMPOTENCY_KEY_REUSED"

    r = client.get(f"/api/v1/loans/{loan.number}/payments", **h)
    assert r.status_code == 200 and [p["reference"] for p in r.json()["items"]] == ["A1"]

    r = client.post(f"/api/v1/loans/{loan.number}/class", {"to_class": "02", "reason": "借款人住院"},
                    content_type="application/json", **h)
    assert r.status_code == 422 and r.json()["field"] == "until"
    r = client.post(f"/api/v1/loans/{loan.number}/class",
                    {"to_class": "02", "reason": "借款人住院", "until": "2027-02-28"},
                    content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["risk_class_label"] == "关注"


def test_api_refuses_a_reader_without_operate(client, loan, reviewer, center):
    h = token(reviewer, center)
    assert client.get(f"/api/v1/loans/{loan.number}/due", **h).status_code == 200
    r = client.post(f"/api/v1/loans/{loan.number}/repayments", {"amount": 1_000, "reference": "R"},
                    content_type="application/json", **h)
    assert r.status_code == 403


# ---------------------------------------------------------------- pages


def test_servicing_page_and_counter_repayment_htmx(client, loan, teller):
    client.force_login(teller)
    page = client.get(f"/loans/{loan.number}/").content.decode()
    for text in ("应还与逾期", "柜台还款", "还款记录", "计划版本", "五级分类", "抵押物", "催收", "4,289.78", "154.21"):
        assert text in page, text
    hx = {"HTTP_HX_REQUEST": "true"}
    r = client.post(f"/loans/{loan.number}/repay/", {"step": "preview", "amount": "1000.00", "reference": "H1"}, **hx)
    html = r.content.decode()
    assert r.status_code == 200 and "确认还款入账" in html and "154.21" in html and "845.79" in html  # 1000 − 154.21
    assert LoanPayment.objects.count() == 0
    r = client.post(f"/loans/{loan.number}/repay/", {"step": "apply", "amount": "1000.00", "reference": "H1"}, **hx)
    html = r.content.decode()
    assert "已入账" in html and 'hx-swap-oob="true"' in html and "H1" in html
    p = LoanPayment.objects.get()
    assert p.entry.voucher_no in html and (p.penalty, p.overdue_interest) == (15_421, 84_579)
    r = client.post(f"/loans/{loan.number}/repay/", {"step": "preview", "amount": "1.005", "reference": "H2"}, **hx)
    assert "两位小数" in r.content.decode()


def test_class_override_form(client, loan, teller):
    client.force_login(teller)
    r = client.post(f"/loans/{loan.number}/class/", {"to_class": "03", "reason": "借款人失业", "until": "2027-03-31"},
                    follow=True)
    assert "已认定为「次级」" in r.content.decode()
    assert "人工认定" in r.content.decode()
    loan.refresh_from_db()
    assert loan.class_override == "03"


def test_cases_queue(client, loan, center, reviewer):
    case = CollectionCase.objects.create(center=center, loan=loan, opened_on=date(2026, 2, 1), assignee="王催收")
    CollectionAction.objects.create(case=case, kind=CollectionAction.Kind.NOTICE, on=date(2026, 3, 1),
                                    created_by="test")
    client.force_login(reviewer)
    html = client.get("/loans/cases/").content.decode()
    assert loan.number in html and "王催收" in html and "催收通知书" in html and "4,135.57" in html  # 1,760.57+2,375
    assert ">314<" in html  # overdue since 2026-01-20
    assert loan.borrower.name not in html  # masked
    assert loan.number not in client.get("/loans/cases/?days=400").content.decode()
    assert loan.number not in client.get("/loans/cases/?class=03").content.decode()


def test_dashboard_figures(client, loan, teller, center):
    d = portfolio_dashboard(actor=teller, center=center, on=ON)
    assert (d["balance"], d["overdue"], d["rate"]) == (100_000_000, 176_057, Decimal("1.76"))  # 1.76057 ‰
    months = {m.month: m for m in d["months"]}
    assert months["2025-12"].overdue == 0 and months["2026-01"].overdue == 176_057
    assert d["mix"][0]["count"] == 1 and d["vintage"][0]["quarter"] == "2025Q4"
    repayment_counter(loan_number=loan.number, amount=DUE, reference="D1", actor=teller, business_date=ON)
    d = portfolio_dashboard(actor=teller, center=center, on=ON)
    months = {m.month: m for m in d["months"]}
    assert (d["balance"], d["rate"]) == (100_000_000 - 176_057, Decimal("0.00"))
    assert months["2026-10"].balance == 100_000_000 and months["2026-10"].overdue == 176_057
    assert d["collected_month"] == DUE
    client.force_login(teller)
    html = client.get("/loans/dashboard/").content.decode()
    assert "贷款风险看板" in html and "998,239.43" in html and "loan-dash-data" in html


def test_cli_repay(loan, teller):
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--as"):
        call_command("loan", "repay", "--loan", loan.number, "--amount", "4289.78", "--reference", "C9")
    out = StringIO()
    call_command("loan", "repay", "--loan", loan.number, "--amount", "4289.78", "--reference", "C9", "--as",
                 teller.username, stdout=out)
    got = json.loads(out.getvalue())
    assert (got["penalty"], got["overdue_interest"], got["overdue_principal"]) == ("154.21", "2375.00", "1760.57")
    assert got["voucher_no"] == LoanPayment.objects.get(reference="C9").entry.voucher_no
