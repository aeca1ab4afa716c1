"""The 银行存款余额调节表 of one reconciliation as a printed document (PDF, documents.pdf) and as a spreadsheet
(.xlsx, every cell a text): the four adjusting figures with the items behind them, the adjusted balances on
both sides, the difference, and the sign-off lines. Counterparties are masked as the page shows them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date

from openhpf.core.money import format_fen
from openhpf.documents.exports import xlsx_bytes
from openhpf.documents.pdf import Col, printed_pdf, yuan

from .selectors import AdjustmentTable, ItemView

SIGNOFF = ("制表人", "复核人", "财务负责人")
ITEM_HEAD = ("编号", "原因", "发生日", "金额（元）", "流水号/凭证", "对方", "摘要")


def adjustment_groups(t: AdjustmentTable) -> list[tuple[str, list[ItemView]]]:
    return [("银行已收单位未收", t.bank_in), ("银行已付单位未付", t.bank_out),
            ("单位已收银行未收", t.book_in), ("单位已付银行未付", t.book_out)]


def summary_rows(t: AdjustmentTable, m: Callable[[int], str] = yuan) -> list[tuple[str, str, str, str]]:
    """The 调节表 itself: (bank side label, amount, book side label, amount), the adjusted balances last."""
    r = t.recon
    return [
        ("银行对账单余额", m(r.bank_closing), "单位账面余额", m(r.book_closing)),
        ("加：单位已收银行未收", m(r.book_in_open), "加：银行已收单位未收", m(r.bank_in_open)),
        ("减：单位已付银行未付", m(r.book_out_open), "减：银行已付单位未付", m(r.bank_out_open)),
        ("调节后余额", m(r.adjusted_bank), "调节后余额", m(r.adjusted_book)),
    ]


def _item_cells(v: ItemView, m: Callable[[int], str] = yuan) -> tuple[str, ...]:
    it = v.item
    sign = "-" if it.direction == "out" else ""
    ref = " ".join(x for x in (v.bank_seq, v.voucher_no) if x)
    return (str(it.pk), it.get_reason_display(), f"{it.line_date:%Y-%m-%d}", sign + m(it.amount), ref,
            " ".join(x for x in (v.counter_name, v.counter_account) if x), f"{v.summary}{v.memo}")


def _subtitle(t: AdjustmentTable) -> str:
    r = t.recon
    a = r.bank_account
    return f"{a.bank_name} {a.account_no}（科目 {a.gl_account.code}）　对账日 {r.recon_date:%Y-%m-%d}　单位：元"


def adjustment_pdf(t: AdjustmentTable, *, center_name: str, printed_on: date, preparer: str) -> bytes:
    r = t.recon
    pdf = printed_pdf(center_name=center_name, title="银行存款余额调节表", subtitle=_subtitle(t), printed_on=printed_on)
    pdf.heading()
    pdf.data_table((Col("银行对账单", 3), Col("金额（元）", 2, "R"), Col("单位账面", 3), Col("金额（元）", 2, "R")),
                   summary_rows(t)[:3], totals=summary_rows(t)[3:], size=9, h=7)
    pdf.ln(2)
    pdf.paragraph(f"调节后差额 {yuan(r.difference)} 元；状态：{r.get_status_display()}；未达账项与差异 {r.items_open} 笔"
                  f"（金额不符 {r.mismatch_items} 笔），待说明 {r.items_unexplained} 笔。")
    if r.opening_gap:
        pdf.paragraph(f"本日期初余额与上一对账单期末余额相差 {yuan(r.opening_gap)} 元。")
    cols = (Col("编号", 0.7), Col("原因", 1.4), Col("发生日", 1.2), Col("金额（元）", 1.4, "R"), Col("流水号/凭证", 1.8),
            Col("对方", 1.6), Col("摘要", 2))
    for label, items in adjustment_groups(t):
        pdf.ln(2)
        pdf.text_line(f"{label}（{len(items)} 笔，合计 {yuan(sum(v.item.amount for v in items))} 元）", size=10, h=7)
        if items:
            pdf.data_table(cols, [_item_cells(v) for v in items], size=7.5)
    pdf.signoff(SIGNOFF, names={"制表人": preparer})
    return pdf.to_bytes()


def adjustment_xlsx(t: AdjustmentTable, *, center_name: str, printed_on: date, preparer: str,
                    watermark: str = "") -> bytes:
    """The 调节表 as an .xlsx (every cell a text), the export's watermark line under the title."""
    r = t.recon

    def plain(fen: int) -> str:
        return format_fen(fen, grouping=False)

    def rows() -> Iterator[Sequence[str]]:
        yield from summary_rows(t, plain)
        yield ("调节后差额", plain(r.difference), "状态", r.get_status_display())
        for label, items in adjustment_groups(t):
            yield ()
            yield (f"{label}（{len(items)} 笔）", plain(sum(v.item.amount for v in items)))
            if items:
                yield ITEM_HEAD
                yield from (_item_cells(v, plain) for v in items)

    return xlsx_bytes(sheet="银行存款余额调节表", title=[f"{center_name} 银行存款余额调节表", _subtitle(t)],
                       header=("银行对账单", "金额（元）", "单位账面", "金额（元）"), rows=rows(), watermark=watermark,
                       foot=[f"{label}：{preparer if label == '制表人' else ''}" for label in SIGNOFF]
                       + [f"打印日期：{printed_on:%Y-%m-%d}"], widths=(24, 16, 24, 16, 22, 20, 30))
