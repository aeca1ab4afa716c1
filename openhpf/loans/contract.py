"""借款合同: drawn from an approved application, signed by every borrower, sealed by the center.

- `contract_draw` (permission `loans.operate`, the application approved): the contract number, the terms as
  approved — the rate of the home order the rules determined (认房/认贷) and of the term's band, the first due
  date one month after the day it is drawn —, the schedule (`calculations.schedule`), the PDF in Chinese with
  the schedule, stored as a document (借款合同, 30 years). The `Loan` is made (已审批待放款) with its parties, and
  the seller's or developer's account goes into settlement's payee registry, approved by the application's last
  reviewer (the payee the approval recorded).
- `contract_sign`: one borrower signs. Electronically (电子签名法: a reliable electronic signature): the SM2
  signature over the contract's SM3 and the signer's public key (from the signer's certificate) are verified and
  kept as evidence; or on paper at the counter: the signed pages are scanned and stored as a document. When every
  party has signed, the center seals the contract: its SM2 signature over the document (`document_sign`), and
  the contract is 已签订."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from openhpf.access.selectors import check_permission
from openhpf.accounts.models import Member
from openhpf.applications.models import Application, ReviewDecision, State
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import RepaymentMethod, RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_id_number
from openhpf.core.money import format_fen
from openhpf.documents.models import DocType, Document
from openhpf.documents.pdf import Col, amount_in_words, printed_pdf
from openhpf.documents.services import document_sign, document_store
from openhpf.security.crypto import sm2_verify
from openhpf.settlement.four_eyes import payee_register

from . import terms
from .calculations import Installment, add_months, schedule
from .handlers import PROPERTY_KINDS, household_inputs
from .models import ContractSignature, HomeOrder, Loan, LoanContract, LoanGuarantor, LoanParty

OPERATE = "loans.operate"
SIG = ContractSignature.Way


@dataclass(frozen=True)
class Signer:
    role: str  # borrower, spouse, co_borrower
    name: str
    member_id: int | None


def signers(app: Application) -> list[Signer]:
    """Who must sign: the borrower, the spouse, every co-borrower (members here or named on another center's
    proof)."""
    out = [Signer("borrower", app.member.name, app.member_id)] if app.member is not None else []
    p = app.payload
    for role, party in [("spouse", p.get("spouse")), *[("co_borrower", c) for c in p.get("co_borrowers") or []]]:
        if not party:
            continue
        if party.get("member_id"):
            m = Member.objects.get(pk=party["member_id"])
            out.append(Signer(role, m.name, m.pk))
        else:
            out.append(Signer(role, party.get("name") or "", None))
    return out


def _approved(app: Application) -> None:
    if app.state != State.APPROVED:
        raise DomainError(ErrorCode.LOAN_NOT_APPROVED, number=app.number, status=app.get_state_display())


def _locked_app(app: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("center", "member").get(pk=app.pk)


def _last_reviewer(app: Application) -> str:
    d = ReviewDecision.objects.filter(application=app, decision=ReviewDecision.Decision.PASS).order_by("-pk").first()
    return actor_label(d.reviewer) if d is not None else ""


# ---------------------------------------------------------------- the PDF


def contract_pdf(*, center_name: str, contract_no: str, app: Application, principal: int, rate: Decimal,
                 months: int, method: str, first_due: date, home_order: str, rows: list[Installment],
                 drawn_on: date) -> bytes:
    p, member = app.payload, app.member
    assert member is not None  # a person item: the engine requires the member
    prop = p["property"]
    pdf = printed_pdf(center_name=center_name, title="个人住房公积金借款合同", printed_on=drawn_on,
                      subtitle=f"合同编号：{contract_no}")
    pdf.heading()
    parties = [("贷款人（委托人）", center_name), ("借款人", member.name),
               ("证件号码", mask_id_number(member.id_number)), ("申请编号", app.number)]
    for s in signers(app)[1:]:
        parties.append(("配偶" if s.role == "spouse" else "共同借款人", s.name))
    pdf.facts(parties, per_row=2)
    pdf.ln(2)
    pdf.paragraph("第一条 借款用途：用于购买下列自住住房，不得挪作他用。", size=9)
    pdf.facts([("网签备案号", prop["contract_no"]), ("房屋类型", PROPERTY_KINDS.get(prop["kind"], prop["kind"])),
               ("房屋总价", f"{format_fen(prop['price'])} 元"), ("建筑面积", f"{prop['area']} 平方米"),
               ("房屋坐落", prop.get("address") or "—"), ("住房套数认定", HomeOrder(home_order).label)], per_row=2)
    pdf.ln(1)
    pdf.paragraph("第二条 借款金额、期限、利率与还款方式：", size=9)
    pdf.facts([("借款金额", f"{format_fen(principal)} 元"), ("大写", amount_in_words(principal)),
               ("借款期限", f"{months} 个月"), ("年利率", f"{rate}%"),
               ("还款方式", RepaymentMethod(method).label), ("首次还款日", first_due.isoformat())], per_row=2)
    pdf.paragraph("利率按国家规定的住房公积金贷款利率执行；遇利率调整，自次年1月1日起按相应档次利率重新确定。"
                  "首期利息按整月计算。", size=8.5)
    c = p.get("commercial")
    if c:
        pdf.paragraph("组合贷款：本合同为组合贷款的住房公积金部分；商业贷款部分由下列银行另行发放，月还款额已计入还款能力审核。",
                      size=8.5)
        pdf.facts([("商业贷款银行", c["bank"]), ("商业贷款合同编号", c["contract_no"]),
                   ("商业贷款金额", f"{format_fen(int(c['amount']))} 元"), ("商业贷款期限", f"{c['months']} 个月"),
                   ("商业贷款月还款额", f"{format_fen(int(c['payment']))} 元"),
                   ("两部分合计", f"{format_fen(principal + int(c['amount']))} 元")], per_row=2)
    pdf.paragraph("第三条 担保：借款人以所购住房设定抵押；期房在办妥抵押登记前由开发企业提供阶段性担保。"
                  "放款以担保条件成就为前提。", size=8.5)
    guarantors = p.get("guarantors") or []
    if guarantors:
        pdf.facts([(f"保证人{n}", f"{g['name']}（{mask_id_number(g['id_number'])}），担保方式：保证")
                   for n, g in enumerate(guarantors, 1)], per_row=1)
    pdf.paragraph(f"第四条 放款：贷款人将借款直接划入售房人（开发企业）账户：{prop['payee_account']}"
                  f"（{prop.get('payee_bank') or ''}）。", size=8.5)
    pdf.paragraph("第五条 还款计划（单位：元）：", size=9)
    pdf.data_table([Col("期次", 0.6, "C"), Col("应还日期", 1.2, "C"), Col("月供", 1.1, "R"), Col("本金", 1.1, "R"),
                    Col("利息", 1.0, "R"), Col("剩余本金", 1.3, "R")],
                   [(str(r.period), r.due_date.isoformat(), format_fen(r.payment), format_fen(r.principal),
                     format_fen(r.interest), format_fen(r.balance)) for r in rows],
                   totals=[("合计", "", format_fen(sum(r.payment for r in rows)),
                            format_fen(sum(r.principal for r in rows)), format_fen(sum(r.interest for r in rows)), "")])
    pdf.ln(3)
    pdf.paragraph("借款人、配偶及共同借款人以可靠电子签名或在本合同纸质文本上签字确认；全部当事人签署后，"
                  "贷款人加盖电子印章（SM2 数字签名），合同成立。", size=8.5)
    pdf.signoff(tuple(["贷款人（盖章）", *[("借款人" if s.role == "borrower" else "配偶" if s.role == "spouse"
                                      else "共同借款人") + "（签字）" for s in signers(app)]]))
    return pdf.to_bytes()


# ---------------------------------------------------------------- draw


def _new_numbers(app: Application, on: date) -> tuple[str, str]:
    return f"JK{app.center.code}{on:%Y}{app.pk:08d}", f"DK{on:%Y%m%d}{app.pk:08d}"


@transaction.atomic
def contract_draw(*, application: Application, actor: Actor, business_date: date) -> LoanContract:
    app = _locked_app(application)
    check_permission(actor, OPERATE, center=app.center)
    _approved(app)
    existing = LoanContract.objects.filter(application=app).first()
    if existing is not None:
        raise DomainError(ErrorCode.LOAN_CONTRACT_EXISTS, number=app.number, contract_no=existing.contract_no)
    ev = app.evaluations.order_by("-id").first()
    homes = ev.inputs.get("homes") if ev is not None else None
    second = (ev.inputs.get("second_home") if ev is not None else None)
    if second is None:  # the registry never answered: the reviewers decided on the loan history alone
        second = bool(household_inputs(app, app.payload, homes=homes, verified=True).get("second_home"))
    p = app.payload
    principal, months, method = int(p["amount"]), int(p["months"]), p["method"]
    rate = terms.rate_for(second_home=bool(second), months=months, center=app.center_id, on=business_date)
    first_due = add_months(business_date, 1)
    rows = schedule(principal, rate, months, method, first_due)
    contract_no, loan_no = _new_numbers(app, business_date)
    order = HomeOrder.SECOND if second else HomeOrder.FIRST
    content = contract_pdf(center_name=app.center.name, contract_no=contract_no, app=app, principal=principal,
                           rate=rate, months=months, method=method, first_due=first_due, home_order=order,
                           rows=rows, drawn_on=business_date)
    doc = document_store(center=app.center, content=content, original_name=f"借款合同-{contract_no}.pdf",
                         doc_type=DocType.LOAN_CONTRACT, retention=RetentionClass.LONG_30Y, actor=actor,
                         business_date=business_date, obj=app, content_type="application/pdf")
    loan = Loan.objects.create(
        center=app.center, number=loan_no, contract_no=contract_no, borrower_id=int(app.member_id or 0),
        application=app,
        product_code=f"{order}.{'le5' if months <= 60 else 'gt5'}", principal=principal, annual_rate=rate,
        months=months, method=method, first_due=first_due, maturity=rows[-1].due_date, outstanding=0)
    for s in signers(app):
        if s.member_id is not None:
            LoanParty.objects.get_or_create(loan=loan, member_id=s.member_id, defaults={"role": s.role})
    contract = LoanContract.objects.create(
        center=app.center, application=app, loan=loan, contract_no=contract_no, principal=principal,
        annual_rate=rate, months=months, method=method, first_due=first_due, home_order=order, document=doc,
        drawn_on=business_date, created_by=actor_label(actor),
        **{f"commercial_{k}": v for k, v in (p.get("commercial") or {}).items()})
    for g in p.get("guarantors") or []:
        if not LoanGuarantor.objects.filter(application=app, id_number=g["id_number"]).exists():
            LoanGuarantor.objects.create(application=app, id_number=g["id_number"], name=g["name"],
                                         guarantee_type="03")
    kind = "seller" if p["property"]["kind"] == "second_hand" else "developer"
    payee_register(center=app.center, account_no=p["property"]["payee_account"],
                   account_name=p["property"]["payee_name"], kind=kind, actor=actor, source=f"贷款申请 {app.number}",
                   bank_name=p["property"].get("payee_bank") or "", approved_by=_last_reviewer(app))
    audit_log(actor=actor, action=AuditEvent.LOANS_CONTRACT_DRAW, obj=contract, center=app.center_id,
              business_date=business_date,
              after={"application": app.number, "contract_no": contract_no, "loan": loan_no, "principal": principal,
                     "rate": str(rate), "months": months, "method": method, "home_order": order, "sm3": doc.sm3})
    return contract


# ---------------------------------------------------------------- sign and seal


def _contract(app: Application) -> LoanContract:
    c = LoanContract.objects.select_for_update().select_related("document", "loan").filter(application=app).first()
    if c is None:
        raise DomainError(ErrorCode.LOAN_CONTRACT_MISSING, number=app.number)
    return c


def missing_signers(contract: LoanContract) -> list[Signer]:
    done = {(s.role, s.signer_name) for s in contract.signatures.all()}
    return [s for s in signers(contract.application) if (s.role, s.name) not in done]


ROLE_NAMES = {"borrower": "借款人", "spouse": "配偶", "co_borrower": "共同借款人"}


@transaction.atomic
def contract_sign(*, application: Application, role: str, name: str, way: str, actor: Actor, business_date: date,
                  public_key: str = "", signature: str = "", evidence: str = "", scan: Document | None = None
                  ) -> LoanContract:
    """One party signs (see the module's doc). The last signature seals the contract."""
    app = _locked_app(application)
    check_permission(actor, OPERATE, center=app.center)
    contract = _contract(app)
    if contract.status != LoanContract.Status.DRAFTED:
        raise DomainError(ErrorCode.LOAN_CONTRACT_SIGNED, contract_no=contract.contract_no)
    who = next((s for s in missing_signers(contract) if s.role == role and (not name or s.name == name)), None)
    if who is None:
        raise DomainError(ErrorCode.LOAN_SIGNER_UNKNOWN, role=f"{ROLE_NAMES.get(role, role)}{name}",
                          contract_no=contract.contract_no, field="role")
    sm3 = contract.document.sm3
    if way == SIG.ELECTRONIC:
        if not public_key or not signature:
            raise DomainError(ErrorCode.LOAN_SIGNATURE_INVALID, detail="缺少签署人的公钥或签名值", field="signature")
        try:
            ok = sm2_verify(public_key, bytes.fromhex(sm3), signature)
        except (ValueError, TypeError):
            ok = False
        if not ok:
            raise DomainError(ErrorCode.LOAN_SIGNATURE_INVALID, detail="签名与合同文本（SM3）或公钥不符",
                              field="signature")
        proof = f"SM2:{public_key[:16]}…:{signature[:16]}…{(' ' + evidence) if evidence else ''}"[:200]
    elif way == SIG.PAPER:
        if scan is None:
            raise DomainError(ErrorCode.LOAN_SIGNATURE_INVALID, detail="纸质签署须上传签字页扫描件", field="scan")
        proof = f"扫描件 SM3 {scan.sm3[:16]}"
    else:
        raise DomainError(ErrorCode.LOAN_SIGNATURE_WAY, field="way")
    ContractSignature.objects.create(
        contract=contract, member_id=who.member_id, role=who.role, signer_name=who.name, way=way, contract_sm3=sm3,
        evidence=proof, scan=scan, signed_on=business_date, recorded_by=actor_label(actor))
    audit_log(actor=actor, action=AuditEvent.LOANS_CONTRACT_SIGN, obj=contract, center=app.center_id,
              business_date=business_date,
              after={"contract_no": contract.contract_no, "role": who.role, "way": way, "contract_sm3": sm3})
    if not missing_signers(contract):
        sig = document_sign(document=contract.document, actor=actor)
        contract.status, contract.signed_on = LoanContract.Status.SIGNED, business_date
        contract.save(update_fields=["status", "signed_on"])
        audit_log(actor=actor, action=AuditEvent.LOANS_CONTRACT_SEAL, obj=contract, center=app.center_id,
                  business_date=business_date,
                  after={"contract_no": contract.contract_no, "sm3": sm3, "signature": sig.signature})
    return contract


def contract_of(app: Application) -> LoanContract | None:
    return LoanContract.objects.filter(application=app).select_related("loan", "document").first()


def contract_rows(contract: LoanContract) -> list[Installment]:
    return schedule(contract.principal, contract.annual_rate, contract.months, contract.method, contract.first_due)


def signature_rows(contract: LoanContract) -> list[dict[str, Any]]:
    return [{"role": s.role, "role_label": ROLE_NAMES.get(s.role, s.role), "way": s.way,
             "way_label": s.get_way_display(), "signed_on": s.signed_on, "evidence": s.evidence}
            for s in contract.signatures.order_by("pk")]
