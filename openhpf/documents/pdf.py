"""The one PDF helper of the platform: every printed document (业务回单, 年度对账单, 个人明细, 催缴通知书, 记账凭证,
银行存款余额调节表, the financial statements) is laid out with it.

`PrintedPdf` is an fpdf2 document set up the same way each time: the CJK font embedded as a subset
(`receipts.cjk_font_path`, a missing font is a clear error), a heading with the center's name and the title, a small
running header on every later page, a footer with 第 n 页 / 共 m 页 and the print date, and an optional watermark
(who printed it and when) across every page of a document with personal data. Its helpers write a grid of labelled
facts, a table (the header repeated on each page, a row never cut across pages, a text too wide set smaller), an
amount in 元 with its 大写 and the sign-off lines (单位负责人 / 财务负责人 / 制表人 …). Money reaches it as fen and is
shown in 元 with two decimals (`yuan`)."""

from __future__ import annotations

import functools
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from django.conf import settings

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen

if TYPE_CHECKING:
    from fpdf import FPDF as _Base
else:
    _Base = object

FONT = "cjk"
DEFAULT_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
Align = Literal["L", "C", "R"]
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_GROUPS = ["", "万", "亿", "万亿"]


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


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """Content-Disposition for a Chinese file name (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"document.{ext}\"; filename*=UTF-8''{quote(filename)}"


def yuan(fen: int | None) -> str:
    """An amount in 元 as printed: 123456 → '1,234.56'; None → ''."""
    return "" if fen is None else format_fen(fen)


@dataclass(frozen=True)
class Col:
    """A table column: its heading, its share of the width (relative to the other columns) and its alignment."""

    title: str
    width: float = 1.0
    align: Align = "L"


def printed_pdf(*, center_name: str, title: str, printed_on: date, subtitle: str = "",
                orientation: Literal["P", "L"] = "P", page: str | tuple[float, float] = "A4", watermark: str = "",
                margin: float = 15.0) -> PrintedPdf:
    """A new document with its first page started (call `heading()` next)."""
    return _printed_class()(center_name=center_name, title=title, printed_on=printed_on, subtitle=subtitle,
                            orientation=orientation, page=page, watermark=watermark, margin=margin)


@functools.cache
def _printed_class() -> type[PrintedPdf]:
    from fpdf import FPDF  # fpdf2 takes a second or more to import: loaded only when a PDF is asked for

    return type("PrintedPdf", (PrintedPdf, FPDF), {})


class PrintedPdf(_Base):
    """An A4 (or A5) document of the center, in Chinese (made by `printed_pdf`, which mixes in fpdf2's FPDF).
    Call `heading()` first, then the helpers; `to_bytes()` ends it."""

    def __init__(self, *, center_name: str, title: str, printed_on: date, subtitle: str = "",
                 orientation: Literal["P", "L"] = "P", page: str | tuple[float, float] = "A4",
                 watermark: str = "", margin: float = 15.0) -> None:
        super().__init__(orientation=orientation, unit="mm", format=page)
        font = cjk_font_path()
        kw: dict[str, Any] = {"collection_font_number": 0} if font.lower().endswith(".ttc") else {}
        self.add_font(FONT, "", font, **kw)
        self.center_name, self.doc_title, self.subtitle = center_name, title, subtitle
        self.printed_on, self.watermark = printed_on, watermark
        self.set_title(f"{title} {subtitle}".strip())
        self.set_author(center_name)
        self.set_creator("OpenHPF")
        self.set_margins(margin, margin * 0.8, margin)
        self.set_auto_page_break(auto=True, margin=margin)
        self.alias_nb_pages("{nb}")
        self.add_page()

    # ------------------------------------------------------------ every page

    @property
    def usable(self) -> float:
        return float(self.w - self.l_margin - self.r_margin)

    def header(self) -> None:
        if self.watermark:
            self._watermark()
        if self.page_no() > 1:  # a running header: which document this page belongs to
            self.set_font(FONT, size=7.5)
            self.set_text_color(90, 90, 90)
            self.cell(self.usable / 2, 5, self.center_name)
            self.cell(self.usable / 2, 5, f"{self.doc_title} {self.subtitle}".strip(), align="R",
                      new_x="LMARGIN", new_y="NEXT")
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(2)
            self.set_text_color(0, 0, 0)
            self.set_font(FONT, size=9)

    def footer(self) -> None:
        self.set_y(-self.b_margin + 3)
        self.set_font(FONT, size=7.5)
        self.set_text_color(90, 90, 90)
        self.cell(self.usable / 3, 5, f"打印日期：{self.printed_on:%Y-%m-%d}")
        self.cell(self.usable / 3, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
        self.cell(self.usable / 3, 5, "OpenHPF", align="R")
        self.set_text_color(0, 0, 0)

    def _watermark(self) -> None:
        x, y = self.get_x(), self.get_y()
        self.set_font(FONT, size=20)
        self.set_text_color(215, 215, 215)
        step_y = 70.0
        for i, top in enumerate(range(40, int(self.h), int(step_y))):
            cx = self.w / 2 + (25 if i % 2 else -25)
            with self.rotation(30, x=cx, y=top):
                w = self.get_string_width(self.watermark)
                self.text(cx - w / 2, top, self.watermark)
        self.set_text_color(0, 0, 0)
        self.set_xy(x, y)

    # ------------------------------------------------------------ content

    def heading(self, *, size: float = 15) -> None:
        """The center's name, the title and the subtitle (a period, an account), centred."""
        self.set_font(FONT, size=size)
        self.cell(0, size * 0.6, self.center_name, align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, size * 0.6, self.doc_title, align="C", new_x="LMARGIN", new_y="NEXT")
        if self.subtitle:
            self.set_font(FONT, size=9)
            self.cell(0, 6, self.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=9)
        self.ln(1)

    def text_line(self, text: str, *, size: float = 9, align: Align = "L", h: float = 6) -> None:
        self.set_font(FONT, size=size)
        self.cell(0, h, text, align=align, new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, *, size: float = 9, h: float = 5) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(0, h, text, new_x="LMARGIN", new_y="NEXT")

    def pair(self, left: str, right: str, *, size: float = 9, h: float = 6) -> None:
        """Two texts on one line, the first at the left, the second at the right."""
        self.set_font(FONT, size=size)
        self.cell(self.usable / 2, h, left)
        self.cell(self.usable / 2, h, right, align="R", new_x="LMARGIN", new_y="NEXT")

    def facts(self, pairs: Sequence[tuple[str, str]], *, per_row: int = 2, label_share: float = 0.35,
              size: float = 9, h: float = 7) -> None:
        """A bordered grid of (label, value): `per_row` pairs on a line."""
        self.set_font(FONT, size=size)
        cell = self.usable / per_row
        for i in range(0, len(pairs), per_row):
            self._keep(h)
            for label, value in pairs[i:i + per_row]:
                self._fit(cell * label_share, h, label, "L", fill=False, size=size)
                self._fit(cell * (1 - label_share), h, value, "L", fill=False, size=size)
            self.ln(h)

    def data_table(self, cols: Sequence[Col], rows: Iterable[Sequence[str]], *, totals: Sequence[Sequence[str]] = (),
              shade: Collection[int] = (), size: float = 8, h: float = 6) -> int:
        """A table: the heading row (repeated at the top of each new page), the rows (those whose index is in
        `shade` shaded: subtotals) and the total rows (shaded). A row is never cut across pages; a text wider than
        its cell is set smaller. Returns the rows written."""
        share = sum(c.width for c in cols)
        widths = [self.usable * c.width / share for c in cols]

        def head() -> None:
            self.set_fill_color(230, 230, 230)
            for w, c in zip(widths, cols, strict=True):
                self._fit(w, h, c.title, "C", fill=True, size=size)
            self.ln(h)

        self._keep(h * 2)
        head()
        n = 0
        self.set_fill_color(242, 242, 242)
        for row in rows:
            if self.will_page_break(h):
                self.add_page()
                head()
                self.set_fill_color(242, 242, 242)
            for w, c, text in zip(widths, cols, row, strict=True):
                self._fit(w, h, text, c.align, fill=n in shade, size=size)
            self.ln(h)
            n += 1
        for row in totals:
            if self.will_page_break(h):
                self.add_page()
                head()
            for w, c, text in zip(widths, cols, row, strict=True):
                self._fit(w, h, text, c.align, fill=True, size=size)
            self.ln(h)
        self.set_font(FONT, size=9)
        return n

    def amount(self, label: str, fen: int, *, size: float = 10) -> None:
        """An amount in 元 and in words: 「欠缴金额：1,234.56 元（人民币壹仟贰佰叁拾肆元伍角陆分）」."""
        self.paragraph(f"{label}：{yuan(fen)} 元（人民币{amount_in_words(fen)}）", size=size, h=7)

    def signoff(self, labels: Sequence[str] = ("单位负责人", "财务负责人", "制表人"), *, names: dict[str, str] | None = None,
                size: float = 9) -> None:
        """The sign-off line: each label followed by its name (when known) or a blank to sign on."""
        names = names or {}
        self._keep(16)
        self.ln(6)
        self.set_font(FONT, size=size)
        w = self.usable / len(labels)
        for label in labels:
            self.cell(w, 8, f"{label}：{names.get(label) or '＿＿＿＿＿＿'}")
        self.ln(8)

    def to_bytes(self) -> bytes:
        return bytes(self.output())

    # ------------------------------------------------------------ plumbing

    def _keep(self, height: float) -> None:
        """Start a new page unless `height` more fits on this one."""
        if self.will_page_break(height):
            self.add_page()

    def _fit(self, w: float, h: float, text: str, align: str, *, fill: bool, size: float) -> None:
        s = size
        self.set_font(FONT, size=s)
        while s > 5 and self.get_string_width(text) > w - 2:
            s -= 0.5
            self.set_font(FONT, size=s)
        self.cell(w, h, text, border=1, align=align, fill=fill)
        self.set_font(FONT, size=size)
