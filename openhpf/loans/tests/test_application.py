"""The loan application through the API, end to end: apply → every rule's result → three review levels →
contract drawn (PDF with the schedule), signed by the borrower (SM2 electronic signature) and the spouse (paper
scan), sealed by the center → collateral registered → disbursed once through the bank simulator although the
answer to BDC101 is lost (BDC110 settles it) → an active loan with its stored schedule, Dr 121 / Cr 101.
Bad input is refused with every reason at once and nothing written. `hpf verify` runs after each test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from openhpf.accounts.models import PaidMonths
from openhpf.accounts.tests.factories import make_account, resident_id
from openhpf.applications import services as engine
from openhpf.applications.forms import IntakeForm
from openhpf.applications.models import Application, State
from openhpf.catalog.models import IdentityLevel
from openhpf.catalog.selectors import item_for_center
from openhpf.core.actors import SystemActor
from openhpf.core.codes import RetentionClass
from openhpf.documents.models import DocType, Document
from openhpf.documents.services import document_store
from openhpf.ledger.models import JournalLine
from openhpf.ledger.services import Line, entry_post
from openhpf.loans.calculations import schedule
from openhpf.loans.models import Disbursement, Loan, LoanContract, LoanInstallment, LoanParty
from openhpf.loans.selectors import member_loans
from openhpf.security.crypto import sm2_generate_keypair, sm2_sign
from openhpf.security.models import DocumentSignature
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import instruction_resolve
from openhpf.withdrawals.loanlink import member_hpf_loans

from .conftest import application_body, b64, paid

pytestmark = pytest.mark.django_db


def _post(client, url, headers, body=None, **extra):
    return client.post(url, body or {}, content_type="application/json", **headers, **extra)


def _apply(client, w, **over):
    return _post(client, "/api/v1/loans/applications", w["teller_h"], application_body(w, **over))


def test_apply_review_contract_collateral_disburse_once(client, world, bank, sim, django_capture_on_commit_callbacks):
    w = world
    r = _apply(client, w)
    assert r.status_code == 201, r.content
    app = r.json()
    number = app["number"]
    assert app["state"] == State.UNDER_REVIEW
    results = {x["code"]: x for x in app["evaluations"][0]["results"]}
    assert len(results) == 14 and all(x["holds"] for x in results.values()), results  # every result shown
    inputs = app["evaluations"][0]["inputs"]
    assert inputs["months_continuous"] == 23 and inputs["homes"] == 0 and inputs["second_home"] is False
    assert inputs["cap_highest"] == 120_000_000 and inputs["cap_down_payment"] == 80_000_000  # HPF couple cap; 20% down
    assert inputs["cap_balance"] == 15 * 15_000_000  # the household's balances × 15
    a = Application.objects.get(number=number)
    assert a.legal_due == date(2026, 12, 15) and len(a.stages_required) == 3  # 15 日 from 受理; above 500,000 元

    for who in ("r1", "r2", "r3"):  # 初审, 复审, 审批 (above 500,000.00 元)
        r = _post(client, f"/api/v1/applications/{number}/review", w[f"{who}_h"], {"decision": "pass"})
        assert r.status_code == 200, r.content
    assert r.json()["state"] == State.APPROVED

    r = _post(client, f"/api/v1/loans/applications/{number}/contract", w["teller_h"])
    assert r.status_code == 201, r.content
    c = r.json()["contract"]
    assert c["annual_rate"] == "2.6000" and c["months"] == 360 and c["status"] == "drafted"  # first home, > 5 years
    contract = LoanContract.objects.get(contract_no=c["contract_no"])
    assert contract.document.doc_type == "loan_contract"
    with contract.document.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"

    # disbursing before signing and registering is refused, nothing sent
    r = _post(client, f"/api/v1/loans/applications/{number}/disburse", w["fin_h"], HTTP_IDEMPOTENCY_KEY="early-1")
    assert r.status_code == 200 and r.json()["state"] == State.EXECUTION_FAILED
    assert not Instruction.objects.filter(source="loan").exists()

    private, public = sm2_generate_keypair()
    bad = sm2_sign(private, b"not the contract", public_hex=public)
    r = _post(client, f"/api/v1/loans/applications/{number}/sign", w["teller_h"],
              {"role": "borrower", "way": "electronic", "public_key": public, "signature": bad})
    assert r.status_code == 422 and r.json()["code"] == "LOAN_SIGNATURE_INVALID"
    good = sm2_sign(private, bytes.fromhex(contract.document.sm3), public_hex=public)
    r = _post(client, f"/api/v1/loans/applications/{number}/sign", w["teller_h"],
              {"role": "borrower", "way": "electronic", "public_key": public, "signature": good,
               "evidence": "CFCA 证书 2026-0001"})
    assert r.status_code == 200, r.content
    assert r.json()["contract"]["status"] == "drafted"  # the spouse has not signed yet
    assert not DocumentSignature.objects.filter(document=contract.document).exists()
    r = _post(client, f"/api/v1/loans/applications/{number}/sign", w["teller_h"],
              {"role": "spouse", "way": "paper", "scan_file_name": "签字页.pdf", "scan_base64": b64("signed")})
    assert r.status_code == 200 and r.json()["contract"]["status"] == "signed", r.content
    assert DocumentSignature.objects.filter(document=contract.document).count() == 1  # sealed (SM2) by the center

    r = _post(client, f"/api/v1/loans/applications/{number}/collateral", w["teller_h"],
              {"certificate_no": "浙(2026)杭州市不动产权第0012345号", "appraised_value": 95_000_000,
               "registration": "preliminary", "preliminary_no": "YG2026-001"})
    assert r.status_code == 200 and r.json()["ltv"] == "0.6316", r.content
    r = _post(client, f"/api/v1/loans/applications/{number}/collateral", w["teller_h"],
              {"certificate_no": "浙(2026)杭州市不动产权第0012345号", "appraised_value": 95_000_000,
               "registration": "registered", "preliminary_no": "YG2026-001", "registration_no": "DY2026-009"})
    assert r.status_code == 200 and r.json()["registration"] == "registered"

    sim.faults("drop_answer", code="BDC101")
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(client, f"/api/v1/loans/applications/{number}/disburse", w["fin_h"], HTTP_IDEMPOTENCY_KEY="pay-1")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == State.EXECUTING
    again = _post(client, f"/api/v1/loans/applications/{number}/disburse", w["fin_h"], HTTP_IDEMPOTENCY_KEY="pay-1")
    assert again.status_code == 200 and again.json() == r.json()  # the same answer, nothing submitted twice
    ins = Instruction.objects.get(source="loan")
    assert ins.state == Instruction.State.UNKNOWN and ins.biz_type == "04" and ins.book_account == "121"
    assert ins.counter_account == "6222000011112222"
    loan = Loan.objects.get(application__number=number)
    assert loan.status == Loan.Status.APPROVED and not LoanInstallment.objects.filter(loan=loan).exists()

    ins = instruction_resolve(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    assert ins.state == Instruction.State.SUCCEEDED
    instruction_resolve(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)  # asked again
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE and loan.outstanding == 60_000_000
    assert Application.objects.get(number=number).state == State.COMPLETED
    lines = JournalLine.objects.filter(entry__lines__bank_ref=ins.seq).distinct()
    assert {(ln.account.code, ln.debit, ln.credit) for ln in lines} == {("121", 60_000_000, 0),
                                                                         (ins.bank_account.gl_account.code, 0, 60_000_000)}
    assert Instruction.objects.filter(source="loan").count() == 1
    assert Disbursement.objects.get(loan=loan).state == Disbursement.State.PAID

    rows = list(LoanInstallment.objects.filter(loan=loan).order_by("period"))
    expected = schedule(60_000_000, Decimal("2.6"), 360, "01", loan.first_due)
    assert len(rows) == 360 and sum(x.principal for x in rows) == 60_000_000 and rows[-1].balance == 0
    assert [(x.principal, x.interest) for x in rows] == [(e.principal, e.interest) for e in expected]

    r = client.get(f"/api/v1/loans/{loan.number}", **w["r1_h"])
    assert r.status_code == 200, r.content
    body = r.json()
    assert len(body["schedule"]) == 360 and body["totals"]["principal"] == 60_000_000
    assert body["borrower"] != w["borrower"].member.name or "*" not in body["borrower"]
    assert {p["role"] for p in body["parties"]} == {"borrower", "spouse"}
    page = client.get("/api/v1/loans?status=active&page_size=10", **w["r1_h"]).json()
    assert page["total"] == 1 and page["items"][0]["number"] == loan.number and page["page_size"] == 10
    assert client.get("/api/v1/loans?status=settled", **w["r1_h"]).json()["total"] == 0

    # withdrawals see the loan for both spouses
    for member in (w["borrower"].member, w["spouse"].member):
        found = member_hpf_loans(member.pk, w["center"].business_date)
        assert len(found) == 1 and found[0].outstanding_principal == 60_000_000 and not found[0].overdue
    assert member_loans(w["spouse"].member.pk, w["center"].business_date)[0].role == "spouse"

    # the console: the portfolio, the loan with its schedule, the contract, the officer's review section
    console = Client()
    console.force_login(w["r1"])
    page = console.get("/loans/?status=active").content.decode()
    assert loan.number in page and "共 1 笔" in page and "首套 · 5年以上" in page
    page = console.get(f"/loans/{loan.number}/").content.decode()
    assert "还款计划（360 期）" in page and "600,000.00" in page and w["borrower"].member.name not in page
    pdf = console.get(f"/loans/{loan.number}/contract.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    page = console.get(f"/applications/{number}/").content.decode()
    for text in ("贷款审查", "首付比例限额", "800,000.00 元", "住房套数认定", "首套住房", "抵押登记", "放款条件", "已具备"):
        assert text in page, text
    assert console.get("/loans/DK-NONE/").status_code == 404


def _existing_loan(w, member, role="borrower"):
    loan = Loan.objects.create(center=w["center"], number=f"DKOLD{member.pk}", contract_no=f"JKOLD{member.pk}",
                               borrower=member, principal=10_000_000, annual_rate=Decimal("2.6"), months=120,
                               method="01", first_due=date(2025, 1, 1), status=Loan.Status.ACTIVE,
                               outstanding=8_000_000)
    LoanParty.objects.create(loan=loan, member=member, role=role)
    entry_post(center=w["center"], business_date=w["center"].business_date, source="test", actor=SystemActor("test"),
               lines=[Line("121", debit=8_000_000), Line("10101", credit=8_000_000)], description="测试：已发放的贷款")
    return loan


def test_bad_input_refused_with_every_reason_and_nothing_written(client, world, center):
    w = world
    old = make_account(center, w["emp"], 7, id_number=resident_id(7, birth=date(1972, 3, 1), region="110101"))  # 54: + 30 years = 84
    paid(old, gap=True)  # 2026-09 not paid: 2 months continuous
    _existing_loan(w, old.member)  # a second loan while one is outstanding
    _existing_loan(w, w["spouse"].member)  # the spouse already borrowing
    assert PaidMonths.objects.filter(account=old).exists()
    docs = Document.objects.count()  # the household has HPF loans: a second home by 认贷, 30% down
    r = _apply(client, w, account_no=old.account_no, amount=150_000_000, monthly_income=500_000)
    assert r.status_code == 422, r.content
    problems = r.json()["details"]["problems"]
    text = "\n".join(problems)
    for expected in ("借款人连续足额缴存月数不足", "借款人有未结清的住房公积金贷款", "配偶或共同借款人有未结清的住房公积金贷款",
                     # born 1972-03-01, a man: retires at 61 years 10 months (the table), + 5 years → 66 years
                     # 10 months; 360 months from 2026-11 he is 84 years 8 months (compared by month)
                     "借款人年龄加贷款期限超过年龄上限（法定退休年龄后若干年，按月比较）：贷款到期时 84 岁 8 个月，上限 66 岁 10 个月",
                     "贷款金额超过最高贷款额度：最高贷款额度 1,200,000.00 元", "贷款金额超过账户余额倍数额度",
                     "贷款金额超过首付比例限额：首付比例限额 700,000.00 元", "贷款金额超过还款能力限额"):
        assert expected in text, text
    assert len(problems) == 8, problems
    assert not Application.objects.filter(item_code="HPF-P-LOAN").exists()
    assert Document.objects.count() == docs  # the uploaded materials were not kept


def test_payload_problems_listed_at_once(client, world):
    w = world
    body = application_body(w, months=0, method="09", monthly_income=0,
                            property={"contract_no": "", "price": 0, "area": "x", "kind": "villa"},
                            spouse={"name": "王某", "remote": {"center": "上海市公积金管理中心"}},
                            down_payment_application="SQ2026000000")
    r = _post(client, "/api/v1/loans/applications", w["teller_h"], body)
    assert r.status_code == 422
    problems = r.json()["details"]["problems"]
    for expected in ("贷款期限应为至少 1 个月", "还款方式应为等额本息", "家庭月收入应为大于零", "配偶的缴存使用证明缺少",
                     "请填写购房合同网签备案号", "房屋总价应为大于零", "建筑面积应为大于零", "房屋类型应为",
                     "首付款提取办件 SQ2026000000 不存在或不是购买住房提取"):
        assert any(expected in p for p in problems), problems
    assert not Application.objects.filter(item_code="HPF-P-LOAN").exists()


def test_the_counter_form_files_the_same_application(world):
    """The engine's counter intake builds its page from the handler's form: flat fields in 元, folded into the
    payload by the handler."""
    w = world
    c, bd = w["center"], w["center"].business_date
    version = item_for_center("HPF-P-LOAN", c, bd).version
    form = IntakeForm(version=version, data={
        "account_no": w["borrower"].account_no, "p_amount": "600,000.00", "p_months": "360", "p_method": "01",
        "p_monthly_income": "20000", "p_spouse_account_no": w["spouse"].account_no,
        "p_property_contract_no": "WQ-1", "p_property_kind": "new", "p_property_price": "1000000",
        "p_property_area": "89.5", "p_payee_name": "杭州某某置业有限公司", "p_payee_account": "3301000000009999"})
    form.fields = {k: f for k, f in form.fields.items() if not k.startswith("m_")}
    assert form.is_valid(), form.errors
    app = engine.application_create(center=c, item_code="HPF-P-LOAN", channel="counter",
                                    identity_level=IdentityLevel.COUNTER_CHECK, actor=w["teller"], business_date=bd,
                                    payload=form.payload(), member_id=w["borrower"].member_id)
    for code, kind in (("id_card", DocType.ID_PROOF), ("purchase_contract", DocType.PURCHASE_CONTRACT),
                       ("marriage_proof", DocType.MARRIAGE_PROOF), ("income_proof", DocType.INCOME_PROOF),
                       ("credit_consent", DocType.POWER_OF_ATTORNEY)):
        doc = document_store(center=c, content=b"%PDF-1.4 " + code.encode(), original_name=f"{code}.pdf",
                             doc_type=kind, retention=RetentionClass.LONG_30Y, actor=w["teller"], business_date=bd)
        engine.application_attach(application=app, material_code=code, document=doc, actor=w["teller"],
                                  business_date=bd)
    app = engine.application_submit(application=app, actor=w["teller"], business_date=bd)
    assert app.state == State.SUBMITTED and app.amount == 60_000_000
    assert app.payload["property"]["price"] == 100_000_000 and app.payload["spouse"]["member_id"] == w["spouse"].member_id
