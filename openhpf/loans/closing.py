"""After settlement (已结清): the 贷款结清证明 and the release of the mortgage (解除抵押).

- `certificate_issue` (`loans.operate`): for a settled loan, once: a PDF in Chinese — the center's name, the
  borrower masked as on every certificate (姓名 and 证件号码 masked), the loan number and contract, the amount
  lent, what was repaid (principal, interest, penalty), the dates of disbursement and settlement — stored as a
  document (30 years) and sealed with the center's SM2 key like the contract (`documents.document_sign`), so
  `document_signature_problem` verifies it. Asking again returns the one issued.
- `certificate_read` (a personal-data read, audited): the certificate of a loan for a staff member of its center
  (`loans.view`) or for a member who is a party to the loan (the portal: `MemberActor`, scope checked; another
  member's loan is "not found").
- `collateral_release` (`loans.operate`): for a settled loan, once: the 解除抵押通知书 (PDF, sealed), sent to
  the real-estate registry as an exchange of the property source (`verification.verify`, question `release`:
  the letter's number and the certificate; a real registry adapter acts on it, the local one answers the
  ownership), `Loan.collateral_status = released` and a `CollateralEvent` (已解押)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum

from openhpf.access.selectors import check_permission
from openhpf.core.actors import Actor, MemberActor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_id_number, mask_name
from openhpf.core.money import format_fen
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.documents.models import DocType, Document
from openhpf.documents.pdf import amount_in_words, printed_pdf
from openhpf.documents.services import document_sign, document_store
from openhpf.verification.models import Status as AnswerStatus
from openhpf.verification.services import verify

from .models import (
    Collateral,
    CollateralEvent,
    CollateralRelease,
    Loan,
    LoanParty,
    LoanPayment,
    LoanSettlementCertificate,
)

OPERATE = "loans.operate"
RELEASED = CollateralEvent.Status.RELEASED


def _settled(loan: Loan, what: str) -> None:
    if loan.status != Loan.Status.SETTLED:
        raise DomainError(ErrorCode.LOAN_NOT_SETTLED, number=loan.number, status=loan.get_status_display(), what=what)


def repaid(loan: Loan) -> dict[str, int]:
    """What the loan's payments repaid (fen): principal, interest, penalty."""
    s = LoanPayment.objects.filter(loan=loan).aggregate(
        p=Sum("principal"), op=Sum("overdue_principal"), pp=Sum("prepaid_principal"), i=Sum("interest"),
        oi=Sum("overdue_interest"), pen=Sum("penalty"))
    return {"principal": (s["p"] or 0) + (s["op"] or 0) + (s["pp"] or 0),
            "interest": (s["i"] or 0) + (s["oi"] or 0), "penalty": s["pen"] or 0}


def certificate_pdf(loan: Loan, *, number: str, on: date) -> bytes:
    b = loan.borrower
    paid = repaid(loan)
    pdf = printed_pdf(center_name=loan.center.name, title="个人住房公积金贷款结清证明", printed_on=on,
                      subtitle=f"证明编号：{number}")
    pdf.heading()
    pdf.facts([("借款人", mask_name(b.name)), ("证件号码", mask_id_number(b.id_number)),
               ("贷款账号", loan.number), ("借款合同编号", loan.contract_no or "—"),
               ("贷款金额", f"{format_fen(loan.principal)} 元"), ("大写", amount_in_words(loan.principal)),
               ("放款日期", loan.disbursed_on.isoformat() if loan.disbursed_on else "—"),
               ("结清日期", loan.settled_on.isoformat() if loan.settled_on else "—"),
               ("累计归还本金", f"{format_fen(paid['principal'])} 元"),
               ("累计归还利息", f"{format_fen(paid['interest'])} 元"),
               ("累计缴纳罚息", f"{format_fen(paid['penalty'])} 元"), ("贷款余额", "0.00 元")], per_row=2)
    pdf.ln(3)
    pdf.paragraph(f"兹证明：上述借款人在本中心的个人住房公积金贷款（贷款账号 {loan.number}）本金、利息及相关费用"
                  f"已于 {loan.settled_on or on:%Y年%m月%d日} 全部结清，借款合同项下的债务已履行完毕。"
                  "抵押登记的注销以本中心出具的解除抵押通知书为准。", size=9.5)
    pdf.paragraph("本证明加盖本中心电子印章（SM2 数字签名），可凭证明编号向本中心核验真伪。", size=8.5)
    pdf.signoff(("贷款人（盖章）",))
    return pdf.to_bytes()


@transaction.atomic
def certificate_issue(*, loan: Loan, actor: Actor, business_date: date) -> LoanSettlementCertificate:
    ln = Loan.objects.select_for_update().select_related("center", "borrower").get(pk=loan.pk)
    check_permission(actor, OPERATE, center=ln.center)
    _settled(ln, "出具贷款结清证明")
    existing = LoanSettlementCertificate.objects.filter(loan=ln).select_related("document").first()
    if existing is not None:
        return existing
    number = f"JQ{ln.center.code}{business_date:%Y%m%d}{ln.pk:08d}"
    doc = document_store(center=ln.center, content=certificate_pdf(ln, number=number, on=business_date),
                         original_name=f"贷款结清证明-{ln.number}.pdf", doc_type=DocType.LOAN_CONTRACT,
                         retention=RetentionClass.LONG_30Y, actor=actor, business_date=business_date, obj=ln,
                         content_type="application/pdf")
    sig = document_sign(document=doc, actor=actor)
    cert = LoanSettlementCertificate.objects.create(center=ln.center, loan=ln, number=number, document=doc,
                                                    issued_on=business_date, created_by=actor_label(actor))
    audit_log(actor=actor, action=AuditEvent.LOANS_CERTIFICATE_ISSUE, obj=ln, center=ln.center_id,
              business_date=business_date,
              after={"loan": ln.number, "certificate": number, "sm3": doc.sm3, "signature": sig.signature})
    return cert


def _member_loan(member_id: int, loan: Loan) -> bool:
    return loan.borrower_id == member_id or LoanParty.objects.filter(loan=loan, member_id=member_id).exists()


@personal_read(AuditEvent.LOANS_CERTIFICATE_VIEW, perm="loans.view", portal=True)
def certificate_read(*, actor: Any, read: PersonalRead, number: str, center: Any = None) -> LoanSettlementCertificate:
    """The certificate of loan `number` (贷款账号 or 借款合同编号) within the actor's scope (see the module doc)."""
    qs = Loan.objects.filter(number=number) | Loan.objects.filter(contract_no=number).exclude(contract_no="")
    if isinstance(actor, MemberActor):
        loan = next((x for x in qs if _member_loan(actor.member_id, x)), None)
    else:
        loan = read.scope(qs, branch_field=None).first()
    cert = (LoanSettlementCertificate.objects.filter(loan=loan).select_related("document", "loan").first()
            if loan is not None else None)
    if cert is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=number, field="number")
    read.about(cert.loan)
    read.note(loan=cert.loan.number, certificate=cert.number)
    return cert


def certificate_document(cert: LoanSettlementCertificate) -> Document:
    return cert.document


# ---------------------------------------------------------------- release


def release_pdf(loan: Loan, collateral: Collateral | None, *, letter_no: str, on: date) -> bytes:
    b = loan.borrower
    pdf = printed_pdf(center_name=loan.center.name, title="解除抵押通知书", printed_on=on,
                      subtitle=f"编号：{letter_no}")
    pdf.heading()
    pdf.paragraph("不动产登记机构：", size=9.5)
    pdf.facts([("抵押人", mask_name(b.name)), ("证件号码", mask_id_number(b.id_number)),
               ("不动产权证号", collateral.certificate_no if collateral else "—"),
               ("抵押登记证明号", (collateral.registration_no or collateral.preliminary_no) if collateral else "—"),
               ("贷款账号", loan.number), ("借款合同编号", loan.contract_no or "—"),
               ("结清日期", loan.settled_on.isoformat() if loan.settled_on else "—"),
               ("通知日期", on.isoformat())], per_row=2)
    pdf.ln(2)
    pdf.paragraph("上述抵押担保的个人住房公积金贷款已全部结清，本中心同意解除该不动产的抵押，请办理抵押权注销登记。",
                  size=9.5)
    pdf.signoff(("抵押权人（盖章）",))
    return pdf.to_bytes()


def _collateral(loan: Loan) -> Collateral | None:
    return Collateral.objects.filter(application_id=loan.application_id).first() if loan.application_id else None


@transaction.atomic
def collateral_release(*, loan: Loan, actor: Actor, business_date: date) -> CollateralRelease:
    ln = Loan.objects.select_for_update().select_related("center", "borrower").get(pk=loan.pk)
    check_permission(actor, OPERATE, center=ln.center)
    _settled(ln, "解除抵押")
    existing = CollateralRelease.objects.filter(loan=ln).first()
    if existing is not None:
        return existing
    c = _collateral(ln)
    letter_no = f"JY{ln.center.code}{business_date:%Y%m%d}{ln.pk:08d}"
    doc = document_store(center=ln.center, content=release_pdf(ln, c, letter_no=letter_no, on=business_date),
                         original_name=f"解除抵押通知书-{ln.number}.pdf", doc_type=DocType.MORTGAGE_CONTRACT,
                         retention=RetentionClass.LONG_30Y, actor=actor, business_date=business_date, obj=ln,
                         content_type="application/pdf")
    document_sign(document=doc, actor=actor)
    answer = verify("property", subject=ln.borrower.id_number, purpose=f"贷款结清解除抵押 {ln.number}",
                    requester=actor, center=ln.center,
                    question={"certificate_no": c.certificate_no if c else "", "release": letter_no,
                              "registration_no": c.registration_no if c else "", "on": business_date})
    rel = CollateralRelease.objects.create(
        center=ln.center, loan=ln, letter_no=letter_no, certificate_no=c.certificate_no if c else "",
        registration_no=c.registration_no if c else "", document=doc, registry_query=answer.query_id,
        registry_status=answer.status, released_on=business_date, created_by=actor_label(actor))
    CollateralEvent.objects.get_or_create(
        loan=ln, source_ref=letter_no,
        defaults={"center": ln.center, "status": RELEASED, "on": business_date, "created_by": actor_label(actor),
                  "detail": f"贷款结清解除抵押，通知书 {letter_no}（登记机构答复：{AnswerStatus(answer.status).label}）"[:300]})
    Loan.objects.filter(pk=ln.pk).update(collateral_status=RELEASED)
    audit_log(actor=actor, action=AuditEvent.LOANS_COLLATERAL_RELEASE, obj=ln, center=ln.center_id,
              business_date=business_date,
              after={"loan": ln.number, "letter": letter_no, "sm3": doc.sm3, "registry": answer.status,
                     "registry_query": answer.query_id})
    return rel
