"""个人住房公积金缴存使用证明 (item HPF-P-CERT): the engine's handler and the issue of a certificate.

The member applies online (or a clerk for them at the counter); the item's promised limit is 0 (即时办结) and it
has no review level, so `applications.services.application_process_instant` takes the application from
submitted to completed at once, by the system, and `execute` here issues the certificate:

- the member's facts as they stand on the business date: name, masked ID number, account number, open date,
  status, 缴存基数, 月缴存额 (单位 + 个人), ratios, 缴至年月, 连续缴存月数 counted from the months actually paid
  (contributions' paid-month store), balance, the withdrawals on record and the loan situation (no loan is kept
  by the platform yet: the certificate says the center has no HPF loan on record for the member);
- a PDF laid out with documents/pdf.py, with a QR code (segno) pointing to the public verification page and a
  verification code printed on it (only its salted SM3 is kept);
- stored as a documents.Document (SM3) and signed with a detached SM2 signature (documents.document_sign).

`certificate_check_file` tells whether an uploaded copy is the issued file: its SM3 must be the stored one and the
stored SM2 signature must verify with the center's public key."""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum

from openhpf.accounts.models import MemberAccount
from openhpf.applications.registry import Handler, register_handler
from openhpf.applications.services import application_create, application_process_instant, application_submit
from openhpf.contributions.relief.hardship import continuity_months
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import BizType, MemberAccountStatus, RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_id_number, mask_name
from openhpf.core.money import format_fen
from openhpf.documents.models import DocType
from openhpf.documents.pdf import printed_pdf
from openhpf.documents.services import document_sign, document_store
from openhpf.ledger.models import SubLedgerRow
from openhpf.security.crypto import sm2_verify, sm3_hex
from openhpf.security.keys import keyring
from openhpf.security.models import DocumentSignature

from .certificate_models import Certificate, Purpose

ITEM_CODE = "HPF-P-CERT"
TITLE = "个人住房公积金缴存使用证明"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper
CODE_LENGTH = 8
NO_LOAN = "经查，截至出具日，本中心无该职工的住房公积金个人住房贷款记录。"
WITHDRAWAL_TYPES = (BizType.PARTIAL_WITHDRAWAL, BizType.CLOSING_WITHDRAWAL)


def public_base_url() -> str:
    """Where the public verification page is reached (the QR code's address): HPF_PUBLIC_BASE_URL."""
    return (getattr(settings, "HPF_PUBLIC_BASE_URL", "") or os.environ.get("HPF_PUBLIC_BASE_URL")
            or "http://127.0.0.1:8000").rstrip("/")


def verify_url(number: str) -> str:
    return f"{public_base_url()}/verify/{number}/"


# ---------------------------------------------------------------- the payload


class CertificateForm(forms.Form):
    """开具缴存使用证明: what the member (or the clerk for them) fills in."""

    purpose = forms.ChoiceField(label="证明用途", choices=Purpose.choices, initial=Purpose.REMOTE_LOAN)
    note = forms.CharField(label="备注", max_length=100, required=False,
                           help_text="如：向某地住房公积金中心申请贷款（可不填）")
    account_no = forms.CharField(label="个人账号", max_length=24, required=False,
                                 help_text="有多个个人账户时填写；不填为最近开立的账户")


def member_account_for(member_id: int | None, account_no: str = "") -> MemberAccount | None:
    """The member's account the certificate is about: the one named, else the most recently opened."""
    if member_id is None:
        return None
    qs = MemberAccount.objects.filter(member_id=member_id)
    if account_no:
        return qs.filter(account_no=account_no).first()
    return qs.order_by("-opened_date", "-account_no").first()


def validate(payload: dict[str, Any], application: Any) -> tuple[dict[str, Any], list[str]]:
    """Every problem of the payload at once; the identity card is not asked for: the applicant's identity was
    checked at sign-in (password + one-time code) or by the clerk at the counter, and the certificate states
    only the applicant's own facts."""
    form = CertificateForm(data={k: payload.get(k) for k in ("purpose", "note", "account_no")})
    problems: list[str] = []
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            problems.extend(f"{label}：{e}" for e in errors)
        data: dict[str, Any] = {k: str(payload.get(k) or "").strip() for k in ("purpose", "note", "account_no")}
    else:
        data = {k: (form.cleaned_data[k] or "").strip() for k in ("purpose", "note", "account_no")}
    account = member_account_for(application.member_id, data["account_no"])
    if account is None:
        problems.append(f"未找到个人账户{(' ' + data['account_no']) if data['account_no'] else ''}，不能出具缴存使用证明")
    else:
        data["account_no"] = account.account_no
    data["replaced_materials"] = ["id_card"]
    return data, problems


def describe(payload: dict[str, Any]) -> list[tuple[str, str]]:
    purpose = payload.get("purpose") or ""
    return [("证明用途", Purpose(purpose).label if purpose in Purpose.values else purpose),
            ("个人账号", payload.get("account_no") or "—"), ("备注", payload.get("note") or "—")]


def rule_inputs(application: Any) -> dict[str, Any]:
    """What a center's rules for this item may read: the account's status code, its continuity and balance."""
    account = member_account_for(application.member_id, (application.payload or {}).get("account_no", ""))
    if account is None:
        return {"account_status": "", "continuity_months": 0, "balance": 0}
    return {"account_status": account.status,
            "continuity_months": continuity_months(account, account.paid_up_to or account.opened_date),
            "balance": account.sub.balance}


# ---------------------------------------------------------------- the facts


def _ratio(r: Any) -> str:
    text = f"{float(r) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _ym(v: str) -> str:
    return f"{v[:4]}年{v[4:]}月" if v and len(v) == 6 else "—"


def certificate_facts(account: MemberAccount, business_date: date) -> dict[str, Any]:
    """The figures printed on the certificate, as they stand on the business date (no full name or ID here)."""
    a = MemberAccount.objects.select_related("member", "employer", "sub").get(pk=account.pk)
    upto = a.paid_up_to or f"{a.opened_date:%Y%m}"
    withdrawn = SubLedgerRow.objects.filter(sub_account_id=a.pk, biz_type__in=WITHDRAWAL_TYPES).aggregate(
        n=Count("id"), total=Sum("amount"))
    n_wd, total_wd = int(withdrawn["n"] or 0), abs(int(withdrawn["total"] or 0))
    return {
        "name_masked": mask_name(a.member.name), "id_masked": mask_id_number(a.member.id_number),
        "account_no": a.account_no, "employer_name": a.employer.name, "opened_date": a.opened_date.isoformat(),
        "status": a.status, "status_label": MemberAccountStatus(a.status).label,
        "base": a.base, "employer_amount": a.employer_amount, "member_amount": a.member_amount,
        "monthly_amount": a.employer_amount + a.member_amount,
        "employer_ratio": _ratio(a.employer_ratio), "member_ratio": _ratio(a.member_ratio),
        "paid_up_to": a.paid_up_to, "continuity_months": continuity_months(a, upto) if a.paid_up_to else 0,
        "balance": a.sub.balance, "withdrawals": n_wd, "withdrawn": total_wd,
        "loan": NO_LOAN, "as_of": business_date.isoformat(),
    }


def fact_rows(facts: dict[str, Any], *, name: str, id_number: str) -> list[tuple[str, str]]:
    """The facts in a reader's words: 元, %, names of codes."""
    withdrawals = (f"{facts['withdrawals']} 笔，合计 {format_fen(facts['withdrawn'])} 元" if facts["withdrawals"]
                   else "无提取记录")
    return [
        ("姓名", name), ("证件号码", id_number),
        ("个人账号", facts["account_no"]), ("缴存单位", facts["employer_name"]),
        ("开户日期", facts["opened_date"]), ("账户状态", facts["status_label"]),
        ("缴存基数", f"{format_fen(facts['base'])} 元"),
        ("月缴存额", f"{format_fen(facts['monthly_amount'])} 元"),
        ("单位月缴存额", f"{format_fen(facts['employer_amount'])} 元"),
        ("个人月缴存额", f"{format_fen(facts['member_amount'])} 元"),
        ("单位缴存比例", facts["employer_ratio"]), ("个人缴存比例", facts["member_ratio"]),
        ("缴至年月", _ym(facts["paid_up_to"])), ("连续缴存月数", f"{facts['continuity_months']} 个月"),
        ("账户余额", f"{format_fen(facts['balance'])} 元"), ("提取情况", withdrawals),
    ]


# ---------------------------------------------------------------- codes and numbers


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isalnum())


def code_digest(salt: str, code: str) -> str:
    return sm3_hex(f"{salt}:{normalise_code(code)}".encode())


def code_matches(cert: Certificate, code: str) -> bool:
    return hmac.compare_digest(cert.code_hash, code_digest(cert.code_salt, code))


def printed_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _new_number(on: date) -> str:
    while True:
        number = f"ZM{on:%Y%m%d}{secrets.randbelow(10**10):010d}"
        if not Certificate.objects.filter(number=number).exists():
            return number


# ---------------------------------------------------------------- the PDF


def _qr_png(url: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=6, border=2)
    out.seek(0)
    return out


def certificate_pdf(*, center_name: str, number: str, facts: dict[str, Any], name: str, id_masked: str,
                    purpose: str, note: str, code: str, issued_on: date) -> bytes:
    pdf = printed_pdf(center_name=center_name, title=TITLE, printed_on=issued_on, subtitle=f"证明编号：{number}")
    pdf.heading()
    pdf.paragraph(f"兹证明{name}（证件号码{id_masked}）在本中心缴存住房公积金，截至{issued_on:%Y年%m月%d日}"
                  "情况如下：", size=10, h=6)
    pdf.ln(1)
    pdf.facts(fact_rows(facts, name=name, id_number=id_masked), per_row=2)
    pdf.ln(2)
    pdf.paragraph(f"贷款情况：{facts['loan']}", size=10, h=6)
    pdf.paragraph(f"证明用途：{Purpose(purpose).label}{('（' + note + '）') if note else ''}", size=10, h=6)
    pdf.paragraph("本证明为电子证明，经本中心SM2电子签名，与加盖印章的纸质证明具有同等效力。"
                  "扫描二维码或访问下方地址，输入验证码可查看完整信息；上传本文件可核验其是否被修改。", size=9, h=5)
    pdf.ln(2)
    y = pdf.get_y()
    pdf.image(_qr_png(verify_url(number)), x=pdf.l_margin, y=y, w=32, h=32)
    pdf.set_xy(pdf.l_margin + 36, y + 4)
    pdf.text_line(f"验证码：{printed_code(code)}", size=12)
    pdf.set_x(pdf.l_margin + 36)
    pdf.text_line(f"核验地址：{verify_url(number)}", size=8)
    pdf.set_x(pdf.l_margin + 36)
    pdf.text_line(f"出具单位：{center_name}    出具日期：{issued_on:%Y-%m-%d}", size=9)
    return pdf.to_bytes()


# ---------------------------------------------------------------- issue


@dataclass(frozen=True)
class Issued:
    certificate: Certificate
    code: str


@transaction.atomic
def certificate_issue(*, application: Any, actor: Actor, business_date: date) -> Issued:
    """Issue the certificate of an approved HPF-P-CERT application (the engine's `execute`)."""
    payload = application.payload or {}
    account = member_account_for(application.member_id, payload.get("account_no", ""))
    if account is None:
        raise DomainError(ErrorCode.CERTIFICATE_NO_ACCOUNT, account_no=payload.get("account_no") or "—",
                          field="account_no")
    member = account.member
    center = application.center
    facts = certificate_facts(account, business_date)
    number, code, salt = _new_number(business_date), new_code(), secrets.token_hex(16)
    content = certificate_pdf(center_name=center.name, number=number, facts=facts, name=member.name,
                              id_masked=facts["id_masked"], purpose=payload["purpose"], note=payload.get("note", ""),
                              code=code, issued_on=business_date)
    doc = document_store(center=center, content=content, original_name=f"缴存使用证明-{number}.pdf",
                         doc_type=DocType.GENERATED_REPORT, retention=RetentionClass.SHORT_10Y, actor=actor,
                         business_date=business_date, obj=application, content_type="application/pdf")
    document_sign(document=doc, actor=actor)
    cert = Certificate.objects.create(
        center=center, number=number, application=application, member=member, account=account,
        purpose=payload["purpose"], note=payload.get("note", ""), issued_on=business_date, facts=facts,
        document=doc, code_salt=salt, code_hash=code_digest(salt, code), issued_by=actor_label(actor))
    audit_log(actor=actor, action=AuditEvent.ITEMS_CERTIFICATE_ISSUE, obj=cert, center=center.pk,
              business_date=business_date,
              after={"number": number, "application": application.number, "account_no": account.account_no,
                     "sm3": doc.sm3})
    return Issued(cert, code)


def execute(application: Any, actor: Actor, business_date: date) -> dict[str, Any]:
    issued = certificate_issue(application=application, actor=actor, business_date=business_date)
    return {"certificate": issued.certificate.number, "document": issued.certificate.document_id}


HANDLER = Handler(item_code=ITEM_CODE, validate=validate, rule_inputs=rule_inputs, execute=execute,
                  form=CertificateForm, describe=describe)


def register() -> None:
    register_handler(HANDLER)


# ---------------------------------------------------------------- verification of a copy


FILE_OK = "验证通过"
FILE_BAD = "文件已被修改或非本中心出具"


@dataclass(frozen=True)
class FileCheck:
    ok: bool
    message: str
    sm3: str


def certificate_check_file(cert: Certificate, content: bytes) -> FileCheck:
    """An uploaded copy is the certificate when its SM3 is the stored document's and the stored detached SM2
    signature over that SM3 verifies with this center's public key."""
    digest = hashlib.new("sm3", content).hexdigest()
    sig = DocumentSignature.objects.filter(document_id=cert.document_id).order_by("-signed_at", "-pk").first()
    ok = (sig is not None and hmac.compare_digest(digest, cert.document.sm3) and sig.sm3 == digest
          and sig.public_key.lower() == keyring().sm2_public
          and sm2_verify(sig.public_key, bytes.fromhex(digest), sig.signature))
    return FileCheck(ok, FILE_OK if ok else FILE_BAD, digest)


# ---------------------------------------------------------------- apply (online, counter)


def certificate_apply(*, center: Any, actor: Actor, channel: str, identity_level: int, business_date: date,
                      payload: dict[str, Any], member_id: int | None = None) -> Any:
    """File, submit and (the item being 即时办结) complete an HPF-P-CERT application in one go: the member for
    itself online, or a clerk (applications.accept) for a member at the counter. A refused submission leaves
    nothing (every problem at once, APPLICATION_PROBLEMS)."""
    with transaction.atomic():
        app = application_create(center=center, item_code=ITEM_CODE, channel=channel, identity_level=identity_level,
                                 actor=actor, business_date=business_date, payload=payload, member_id=member_id)
        app = application_submit(application=app, actor=actor, business_date=business_date)
        return application_process_instant(application=app, business_date=business_date)


def certificate_of_application(application: Any) -> Certificate | None:
    return Certificate.objects.filter(application=application).first()
