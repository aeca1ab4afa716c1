"""业务回单: issue a receipt for a counter transaction, find it again (by number, by the form's one-time token, by
the business object), and render it as a PDF (A4 half page, the CJK font embedded as a subset).

A receipt is issued inside the transaction that did the work (documents.counter does it for every counter
screen), so a refused or failed transaction leaves no receipt, and the (center, token) uniqueness makes a second
submission of the same form find the first receipt instead of doing the work twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from openhpf.core.actors import Actor, actor_label, is_staff_user
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen

from .models import Receipt
from .pdf import amount_in_words, cjk_font_path, printed_pdf
from .services import object_ref


@dataclass(frozen=True)
class Line:
    """One line of a summary or a receipt: a label and its display value (元, %, names, masked as shown)."""

    label: str
    value: str


def _operator(actor: Actor) -> tuple[str, str]:
    if is_staff_user(actor):
        profile = getattr(actor, "staff_profile", None)
        username = actor.get_username()  # type: ignore[union-attr]
        return username, (getattr(profile, "display_name", "") or username)
    label = actor_label(actor)
    return label, label


def operator_name(actor: Actor) -> str:
    """How a printed document names the person who made it (经办人, 制表人): a staff member's display name."""
    return _operator(actor)[1]


def receipt_issue(
    *,
    center: Center,
    kind: str,
    title: str,
    lines: Sequence[Line] | Iterable[tuple[str, str]],
    actor: Actor,
    business_date: date,
    token: str | None = None,
    object: models.Model | tuple[str, Any] | None = None,
    back_url: str = "",
    amount_fen: int | None = None,
) -> Receipt:
    """Issue a 回单 (inside the caller's transaction). Its number: HD + business date + an 8-digit sequence."""
    if not title or not kind:
        raise DomainError(ErrorCode.DOC_NAME, "回单缺少业务名称", field="title")
    rows = [[ln.label, ln.value] if isinstance(ln, Line) else [str(ln[0]), str(ln[1])] for ln in lines]
    object_type, object_id = object_ref(object) if object is not None else ("", "")
    username, display = _operator(actor)
    with transaction.atomic():
        receipt = Receipt.objects.create(
            center=center, number=f"~{uuid.uuid4().hex[:30]}", kind=kind, title=title, lines=rows,
            amount=amount_fen, object_type=object_type, object_id=object_id, back_url=back_url[:300],
            operator=username[:150], operator_name=display[:150], business_date=business_date, token=token or None)
        receipt.number = f"HD{business_date:%Y%m%d}{receipt.pk:08d}"
        Receipt.objects.filter(pk=receipt.pk).update(number=receipt.number)
    return receipt


def receipt_for_token(center: Center, token: str) -> Receipt | None:
    """The receipt a form's one-time token already issued (a double submission), or None."""
    if not token:
        return None
    return Receipt.objects.filter(center=center, token=token).first()


def receipt_get(center: Center, number: str) -> Receipt:
    try:
        return Receipt.objects.get(center=center, number=number)
    except Receipt.DoesNotExist:
        raise DomainError(ErrorCode.BIZ_RECEIPT_NOT_FOUND, f"业务回单不存在：{number}", field="number") from None


def receipts_for(obj: models.Model | tuple[str, Any], *, center: Center) -> models.QuerySet[Receipt]:
    """The receipts issued for a business object, newest first."""
    object_type, object_id = object_ref(obj)
    return Receipt.objects.filter(center=center, object_type=object_type, object_id=object_id).order_by("-id")


def receipt_pdf(receipt: Receipt, *, center_name: str, printed_on: date | None = None) -> bytes:
    """The 回单 as an A4 PDF (the same content as the print page), printed on `printed_on` (default: its day)."""
    pdf = printed_pdf(center_name=center_name, title=f"{receipt.title} 业务回单",
                      printed_on=printed_on or receipt.business_date)
    pdf.heading()
    pdf.pair(f"回单编号：{receipt.number}", f"业务日期：{receipt.business_date:%Y-%m-%d}", size=10, h=7)
    rows = [(str(a), str(b)) for a, b in receipt.lines]
    if receipt.amount is not None:
        rows.append(("金额（元）", format_fen(receipt.amount)))
        rows.append(("金额大写", "人民币" + amount_in_words(receipt.amount)))
    pdf.facts(rows, per_row=1, label_share=0.25, size=10, h=8)
    pdf.ln(4)
    done_at = timezone.localtime(receipt.created_at) if receipt.created_at else timezone.localtime()
    pdf.pair(f"经办人：{receipt.operator_name}", f"办理时间：{done_at:%Y-%m-%d %H:%M}", size=10, h=7)
    pdf.signoff(("客户签字", "经办机构（盖章）"), size=10)
    return pdf.to_bytes()


__all__ = ["Line", "amount_in_words", "cjk_font_path", "operator_name", "receipt_for_token", "receipt_get", "receipt_issue",
           "receipt_pdf", "receipts_for"]
