"""Bank statement files (banks send files) streamed into `services.statement_load`: CSV (or .xlsx) or NDJSON.

CSV (UTF-8, with or without BOM, or GBK/GB18030), one header row; columns by protocol name or Chinese name:

    bank_seq 银行流水号 | direction 收支方向 (in/out, 收/付, 收入/支出, 贷/借) | amount 金额 | balance 余额 |
    counter_account 对方账号 | counter_name 对方户名 | summary 摘要 | ref 指令流水号

Amounts under the protocol names (and "金额(分)", "余额(分)") are integer fen; under the Chinese names ("金额",
"金额(元)", "余额", "余额(元)") yuan with up to two decimals. The opening and closing balances are given by the
caller, else taken from the first line (its balance minus or plus its amount) and the last line's balance.

NDJSON (.ndjson/.jsonl): one JSON object per line, as the BDC113 lines; the first line may be the header
`{"opening_balance": …, "closing_balance": …}` (fen; "account" and "date", when present, must match).

Both are read with the ingest toolkit (core.ingest): encoding, streaming, header synonyms, money, size and row
limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.ingest import (
    WORKBOOK_SUFFIXES,
    ErrorSink,
    FieldError,
    HeaderMap,
    Limits,
    TableFile,
    cell_text,
    ndjson_first,
    ndjson_lines,
    parse_fen,
)
from openhpf.settlement.models import BankAccount

from .models import BankStatement
from .services import Progress, statement_load

# header → (field, unit): unit "fen" integer, "yuan" decimal yuan, "" text
HEADERS: dict[str, tuple[str, str]] = {
    "bank_seq": ("bank_seq", ""), "银行流水号": ("bank_seq", ""), "流水号": ("bank_seq", ""),
    "direction": ("direction", ""), "收支方向": ("direction", ""), "方向": ("direction", ""),
    "借贷标志": ("direction", ""),
    "amount": ("amount", "fen"), "金额(分)": ("amount", "fen"), "金额": ("amount", "yuan"),
    "金额(元)": ("amount", "yuan"), "发生额": ("amount", "yuan"),
    "balance": ("balance", "fen"), "余额(分)": ("balance", "fen"), "余额": ("balance", "yuan"),
    "余额(元)": ("balance", "yuan"),
    "counter_account": ("counter_account", ""), "对方账号": ("counter_account", ""),
    "counter_name": ("counter_name", ""), "对方户名": ("counter_name", ""), "对方名称": ("counter_name", ""),
    "summary": ("summary", ""), "摘要": ("summary", ""), "用途": ("summary", ""),
    "ref": ("ref", ""), "指令流水号": ("ref", ""), "业务参考号": ("ref", ""),
}
HEADER_MAP = HeaderMap(HEADERS)  # the header as written (spaces, full-width brackets, case) → a key of HEADERS
DIRECTIONS = {"in": "in", "out": "out", "收": "in", "收入": "in", "贷": "in", "付": "out", "支出": "out", "借": "out"}
REQUIRED = ("bank_seq", "direction", "amount", "balance")


def _value(raw: Any, unit: str) -> Any:
    """Money to integer fen; a value that does not parse is passed on as it is, so the statement check reports it
    with its line number."""
    raw = cell_text(raw)
    if unit == "fen":
        body = raw[1:] if raw[:1] in "+-" else raw
        return int(raw) if body.isdigit() else raw
    if unit == "yuan":
        try:
            return parse_fen(raw, "金额")
        except FieldError:
            return raw
    return raw


class _Csv:
    def __init__(self, path: Path, limits: Limits) -> None:
        self.path, self.limits = path, limits
        if path.stat().st_size == 0:
            raise DomainError(ErrorCode.FILE_EMPTY, f"对账单文件为空：{path.name}", field="file")
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            with path.open("rb") as fh:
                if b"\x00" in fh.read(4096):  # UTF-16, or not a text file at all
                    raise DomainError(ErrorCode.FILE_ENCODING, f"对账单文件 {path.name} 不是 UTF-8 或 GBK 文本"
                                      "（可能是二进制文件或 UTF-16 编码）", field="file")
        header = TableFile(path, limits=limits).header
        if not any(cell_text(h) for h in header):
            raise DomainError(ErrorCode.FILE_EMPTY, f"对账单文件没有表头：{path.name}", field="file")
        self.columns: list[tuple[str, str] | None] = [HEADERS.get(HEADER_MAP.canonical(h) or "") for h in header]
        present = {c[0] for c in self.columns if c}
        missing = [f for f in REQUIRED if f not in present]
        if missing:
            raise DomainError(ErrorCode.STATEMENT_FILE_COLUMNS, f"对账单文件缺少列：{'、'.join(missing)}", field="file")

    def _line(self, row: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col, raw in zip(self.columns, row, strict=False):
            if col is not None:
                name, unit = col
                out[name] = _value(raw, unit)
        d = str(out.get("direction", "")).strip().lower()
        out["direction"] = DIRECTIONS.get(d, d)
        return out

    def lines(self) -> Iterator[dict[str, Any]]:
        sink = ErrorSink(keep=1)
        for _line_no, row in TableFile(self.path, sink=sink, limits=self.limits).rows():
            if any(cell_text(c) for c in row):
                yield self._line(row)
        for e in sink.errors:  # the file broke off (encoding, CSV syntax): refused whole
            raise DomainError(e.code, f"对账单文件第 {e.row} 行：{e.message}", row=e.row, field="file")

    def first_last(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        first = next(self.lines(), None)
        if first is None:
            return None, None
        last = TableFile(self.path, limits=self.limits).last_row()  # read from the end: files are large
        return first, (self._line(last) if last else first)


def _derived(first: dict[str, Any] | None, last: dict[str, Any] | None) -> tuple[int, int]:
    if first is None or last is None or not all(
            isinstance(v, int) for v in (first.get("amount"), first.get("balance"), last.get("balance"))):
        raise DomainError(ErrorCode.STATEMENT_BALANCES_REQUIRED, "无法从文件推出期初、期末余额，请指定 --opening 与 --closing（分）",
                          field="opening_balance")
    sign = 1 if first["direction"] == "in" else -1
    return first["balance"] - sign * first["amount"], last["balance"]


def _ndjson(path: Path, account_no: str, stmt_date: date,
           limits: Limits) -> tuple[dict[str, Any] | None, Iterator[dict[str, Any]]]:
    head = ndjson_first(path)
    header = None
    if isinstance(head, dict) and "opening_balance" in head and "bank_seq" not in head:
        header = head
        if header.get("account") not in (None, account_no):
            raise DomainError(ErrorCode.STATEMENT_FILE_ACCOUNT, f"文件中的账号 {header['account']} 与 {account_no} 不符", field="file")
        if header.get("date") not in (None, stmt_date.isoformat()):
            raise DomainError(ErrorCode.STATEMENT_FILE_DATE, f"文件中的日期 {header['date']} 与 {stmt_date} 不符", field="file")

    def lines() -> Iterator[dict[str, Any]]:
        for _n, value in ndjson_lines(path, limits=limits, skip=1 if header is not None else 0,
                                     code=ErrorCode.STATEMENT_FILE_JSON):
            yield value

    return header, lines()


def statement_load_file(
    *, bank_account: BankAccount, path: str | Path, stmt_date: date, actor: Actor, business_date: date,
    opening_balance: int | None = None, closing_balance: int | None = None, progress: Progress | None = None,
) -> BankStatement:
    """Load a statement file (CSV or NDJSON, see the module docstring) through `statement_load`."""
    path = Path(path)
    if not path.is_file():
        raise DomainError(ErrorCode.STATEMENT_FILE_MISSING, f"文件不存在：{path}", field="file")
    limits = Limits.from_policy(on=business_date, center=bank_account.center_id)
    limits.check_size(path.stat().st_size, path.name)
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        header, lines = _ndjson(path, bank_account.account_no, stmt_date, limits)
        if header is not None:
            opening_balance = header["opening_balance"] if opening_balance is None else opening_balance
            closing_balance = header.get("closing_balance") if closing_balance is None else closing_balance
        if opening_balance is None or closing_balance is None:
            raise DomainError(ErrorCode.STATEMENT_BALANCES_REQUIRED, "NDJSON 文件首行须为含期初、期末余额的表头，或指定 --opening 与 --closing",
                              field="opening_balance")
    else:
        reader = _Csv(path, limits)
        if opening_balance is None or closing_balance is None:
            opening, closing = _derived(*reader.first_last())
            opening_balance = opening if opening_balance is None else opening_balance
            closing_balance = closing if closing_balance is None else closing_balance
        lines = reader.lines()
    return statement_load(bank_account=bank_account, stmt_date=stmt_date, opening_balance=opening_balance,
                          closing_balance=closing_balance, lines=lines, actor=actor, business_date=business_date,
                          source=BankStatement.Source.FILE, progress=progress)
