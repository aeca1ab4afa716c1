"""业务回单: issue a receipt for a counter transaction, find it again (by number, by the form's one-time token, by
the business object), and render it as a PDF (A4 half page, the CJK font embedded as a subset).

A receipt is issued inside the transaction that did the work (documents.counter does it for every counter
screen), so a refused or failed transaction leaves no receipt, and the (center, token) uniqueness makes a second
submission of the same form find the first receipt instead of doing the work twice."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from openhpf.core.actors import Actor, actor_label, is_staff_user
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen

from .models import Receipt
from .services import object_ref

DEFAULT_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_GROUPS = ["", "万", "亿", "万亿"]


@dataclass(frozen=True)
class Line:
    """One line of a summary or a receipt: a label and its display value (元, %, names, masked as shown)."""

    label: str
    value: str


def cjk_font_path() -> str:
    """The TrueType/TTC font with Chinese glyphs that PDFs embed (HPF_CJK_FONT, else WenQuanYi Zen Hei)."""
    path = getattr(settings, "HPF_CJK_FONT", None) or os.environ.get("HPF_CJK_FONT") or DEFAULT_CJK_FONT
    if not os.path.isfile(path):
        raise DomainError(ErrorCode.CJK_FONT_MISSING,
                          f"找不到中文字体文件 {path}：请安装 fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei），"
                          "或以 HPF_CJK_FONT 指定 TrueType 字体路径", field="font")
    return path


def amount_in_words(fen: int) -> str:
    """人民币大写: 123456 → '壹仟贰佰叁拾肆元伍角陆分', 100 → '壹元整', 0 → '零元整' (负数 prefixed 负)."""
    if fen < 0:
        return "负" + amount_in_words(-fen)
    yuan, rest = divmod(fen, 100)
    jiao, fen_part = divmod(rest, 10)
    out = _integer_words(yuan) + "元" if yuan else ("" if rest else "零元")
    if jiao == 0 and fen_part == 0:
        return out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen_part:
        out += _DIGITS[fen_part] + "分"
    return out


def _integer_words(n: int) -> str:
    groups: list[int] = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    out = ""
    zero_pending = False
    for gi in range(len(groups) - 1, -1, -1):
        g = groups[gi]
        if g == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or g < 1000):
            out += "零"
        out += _group_words(g) + _GROUPS[gi]
        zero_pending = False
    return out


def _group_words(g: int) -> str:
    digits = [int(c) for c in f"{g:04d}"]
    out = ""
    zero = False
    started = False
    for i, d in enumerate(digits):
        if d == 0:
            zero = started
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + _UNITS[3 - i]
        started = True
    return out


def _operator(actor: Actor) -> tuple[str, str]:
    if is_staff_user(actor):
        profile = getattr(actor, "staff_profile", None)
        username = actor.get_username()  # type: ignore[union-attr]
        return username, (getattr(profile, "display_name", "") or username)
    label = actor_label(actor)
    return label, label


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


def receipt_pdf(receipt: Receipt, *, center_name: str) -> bytes:
    """The 回单 as an A4 PDF (the same content as the print page)."""
    from fpdf import FPDF  # fpdf2 is heavy to import and only PDFs need it

    font = cjk_font_path()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"{receipt.title} {receipt.number}")
    pdf.set_author(center_name)
    pdf.set_creator("OpenHPF")
    kw: dict[str, Any] = {"collection_font_number": 0} if font.lower().endswith(".ttc") else {}
    pdf.add_font("cjk", "", font, **kw)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=15)
    pdf.cell(0, 9, center_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 9, f"{receipt.title} 业务回单", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(95, 7, f"回单编号：{receipt.number}")
    pdf.cell(0, 7, f"业务日期：{receipt.business_date:%Y-%m-%d}", align="R", new_x="LMARGIN", new_y="NEXT")
    rows = [(str(a), str(b)) for a, b in receipt.lines]
    if receipt.amount is not None:
        rows.append(("金额（元）", format_fen(receipt.amount)))
        rows.append(("金额大写", "人民币" + amount_in_words(receipt.amount)))
    for label, value in rows:
        pdf.cell(45, 8, label, border=1)
        pdf.multi_cell(0, 8, value, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    done_at = timezone.localtime(receipt.created_at) if receipt.created_at else timezone.localtime()
    pdf.cell(95, 7, f"经办人：{receipt.operator_name}")
    pdf.cell(0, 7, f"办理时间：{done_at:%Y-%m-%d %H:%M}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.cell(95, 7, "客户签字：")
    pdf.cell(0, 7, "经办机构（盖章）：", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
