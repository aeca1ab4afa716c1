"""The ingest toolkit: what every file loader of the platform shares (docs/ingest.md).

- reading: `TableFile` streams the rows of a .csv (UTF-8, UTF-8 with BOM or GBK/GB18030, detected on the first
  megabyte) or of the first sheet of an .xlsx (python-calamine, row by row); `ndjson_lines` the lines of an
  NDJSON file. A file over the byte limit is refused before it is read, one over the row limit as soon as the
  row past the limit is read.
- headers: `HeaderMap` normalises the header cells (BOM, spaces, full-width forms) and maps synonyms to the
  canonical column names.
- cells: `cell_text` turns a spreadsheet cell into text; `parse_fen` (元 → 分), `parse_ratio_e4` (比例 → ‱),
  `parse_date` and `parse_month` read the usual Chinese forms and raise `FieldError` (code, Chinese message).
- errors: `ErrorSink` takes every error (file, row, column, code, message), keeps the first few in memory and
  streams all of them to the error file: a workbook (.xlsx, openpyxl write-only, every cell a string) or CSV.
- limits: `Limits.from_policy` reads `ingest.max_rows`, `ingest.max_bytes`, `ingest.max_errors_per_rule` and
  `ingest.max_errors`; `Limits.for_upload` the smaller `upload.*` values for a file a user sends through the
  console or the API. An `ErrorSink(stop_after=…)` raises `TooManyErrors` past that many errors, so a garbage
  file stops being read early.
- uploads: `upload_spool` copies an upload, within its limits, to a private temporary file under
  `$HPF_VAR_DIR/uploads/` that is removed on every exit (exception, SIGTERM, interpreter exit);
  `sweep_uploads` removes the files left by a process that was killed outright.

The set-based checks that follow the reading are in `core.validation`."""

from __future__ import annotations

import atexit
import codecs
import csv
import io
import json
import os
import re
import signal
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any, TextIO

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from .cells import safe_row, unescape_cell, xlsx_row
from .error_codes import ErrorCode
from .errors import DomainError, ValidationReport
from .models import Center
from .policy import policy_value

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")  # read with python-calamine (.xls too)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")  # an error file with one of these is written as a workbook
CSV_SUFFIXES = (".csv", ".txt")
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
HEAD_BYTES = 1 << 20  # the part of a file its encoding is detected on

# ---------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limits:
    """How much one file may hold (policy `ingest.*`, effective-dated, per center)."""

    max_rows: int = 5_000_000
    max_bytes: int = 2 << 30
    max_errors_per_rule: int = 10_000
    max_errors: int | None = None  # errors in all after which a loader stops reading (None: no stop)

    @classmethod
    def from_policy(cls, *, on: date, center: Center | int | None = None) -> Limits:
        return cls(max_rows=int(policy_value("ingest.max_rows", on=on, center=center)),
                   max_bytes=int(policy_value("ingest.max_bytes", on=on, center=center)),
                   max_errors_per_rule=int(policy_value("ingest.max_errors_per_rule", on=on, center=center)),
                   max_errors=int(policy_value("ingest.max_errors", on=on, center=center)))

    @classmethod
    def for_upload(cls, *, on: date, center: Center | int | None = None) -> Limits:
        """The limits of a file sent by a user through the console or the API: the smaller of `upload.*` and
        `ingest.*` (a loader run from the command line keeps the larger `ingest.*` ones)."""
        base = cls.from_policy(on=on, center=center)
        return cls(max_rows=min(base.max_rows, int(policy_value("upload.max_rows", on=on, center=center))),
                   max_bytes=min(base.max_bytes, int(policy_value("upload.max_bytes", on=on, center=center))),
                   max_errors_per_rule=base.max_errors_per_rule, max_errors=base.max_errors)

    def check_size(self, size: int, name: str) -> None:
        """Refuse a file over the byte limit (before reading it)."""
        if size > self.max_bytes:
            raise DomainError(ErrorCode.FILE_TOO_LARGE, f"文件 {name} 大小 {_mib(size)} 超过上限 {_mib(self.max_bytes)}，"
                              "请拆分后再导入", field="file", file=name,
                              details={"bytes": size, "max_bytes": self.max_bytes})

    def too_many_rows(self, name: str) -> DomainError:
        return DomainError(ErrorCode.FILE_TOO_MANY_ROWS, f"文件 {name} 的数据行超过上限 {self.max_rows} 行，请拆分后再导入",
                           field="file", file=name, details={"max_rows": self.max_rows})


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n} 字节"


# ---------------------------------------------------------------- errors


class TooManyErrors(DomainError):
    """A file has more errors than `ingest.max_errors`: the loader stops reading it (nothing is created)."""

    def __init__(self, max_errors: int) -> None:
        super().__init__(ErrorCode.TOO_MANY_ERRORS, f"文件错误已超过 {max_errors} 处，已停止校验；请修正文件后重新导入",
                         field="file", details={"max_errors": max_errors})
        self.max_errors = max_errors


class FieldError(ValueError):
    """A cell that does not parse: code and Chinese message (the loader adds file, row and column)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ErrorSink.export(): errors kept (file, row, column, code, message), errors only counted per (file, column,
# code), checks stopped at their cap (file, column, code, cap)
SinkExport = tuple[list[tuple[str, int | None, str, ErrorCode, str]], list[tuple[str, str, ErrorCode, int]],
                   list[tuple[str, str, ErrorCode, int]]]


@dataclass
class ErrorSink:
    """Every error of an import, in the order found: counted, the first `keep` kept in memory (as DomainError),
    every one written to the error file as it comes (`path`: .xlsx → workbook, else CSV; created at the first
    error). `cap_per_code` bounds the errors of one (file, column, code) that are kept and written; the rest are only
    counted, and a closing line says how many were left out. With `stop_after`, the error past that many raises
    `TooManyErrors` (and the error file ends with a line saying the check stopped there)."""

    path: Path | None = None
    keep: int = 10_000
    with_file: bool = True
    cap_per_code: int | None = None
    echo: Callable[[str], None] | None = None
    sheet: str = "错误清单"
    stop_after: int | None = None
    stopped: bool = False
    count: int = 0
    file_level: bool = False  # an error of the file itself (no row, or the header row)
    errors: list[DomainError] = field(default_factory=list)
    _per_code: dict[tuple[str, str, ErrorCode], int] = field(default_factory=dict)
    _left_out: int = 0
    _capped: list[tuple[str, str, ErrorCode, int]] = field(default_factory=list)
    _out: _ErrorWriter | None = None

    @property
    def header(self) -> list[str]:
        return (["文件"] if self.with_file else []) + ["行号", "列", "错误代码", "错误信息"]

    def add(self, file: str, row: int | None, column: str, code: ErrorCode, message: str) -> None:
        if self.stop_after is not None and self.count >= self.stop_after:
            self.stopped = True
            raise TooManyErrors(self.stop_after)
        self.count += 1
        if row is None or row <= 1:
            self.file_level = True
        if self.cap_per_code is not None:
            key = (file, column, code)
            n = self._per_code.get(key, 0) + 1
            self._per_code[key] = n
            if n > self.cap_per_code:
                self._left_out += 1
                return
        if len(self.errors) < self.keep:
            self.errors.append(DomainError(code, message, field=column or None, row=row, file=file or None))
        if self.path is not None:
            if self._out is None:
                self._out = _ErrorWriter(self.path, self.header, self.sheet)
            cells = [file] if self.with_file else []
            self._out.write([*cells, "" if row is None else row, column, code, message])
        if self.echo is not None:
            where = f"{file} 第{row}行" if row else file
            self.echo(f"{where} [{column}] {code} {message}".strip())

    def export(self) -> SinkExport:
        """What this sink saw, for another process or thread to hand to the sink of record (`absorb`): the errors
        kept (file, row, column, code, message); per (file, column, code), how many more were only counted; the
        checks that stopped at their cap. Made for a sink with an unbounded `keep`, no `path` and no
        `stop_after`."""
        kept = [(e.file or "", e.row, e.field or "", e.code, e.message) for e in self.errors]
        extra = [(f, col, code, n - self.cap_per_code) for (f, col, code), n in self._per_code.items()
                 if self.cap_per_code is not None and n > self.cap_per_code]
        return kept, extra, list(self._capped)

    def absorb(self, exported: SinkExport) -> None:
        """Add what another sink `export`ed, as if each error had been added here (counted, capped, written,
        echoed)."""
        kept, extra, capped = exported
        for file, row, column, code, message in kept:
            self.add(file, row, column, code, message)
        self._capped += capped
        for file, column, code, n in extra:  # past the cap there as here (the kept ones filled it): only counted
            key = (file, column, code)
            self.count += n
            self._per_code[key] = self._per_code.get(key, 0) + n
            self._left_out += n

    def capped(self, file: str, column: str, code: ErrorCode, cap: int) -> None:
        """A check stopped after `cap` errors (the error file says so when it closes)."""
        self._capped.append((file, column, code, cap))

    @property
    def truncated(self) -> bool:
        return bool(self._left_out or self._capped or self.stopped)

    def close(self) -> None:
        if self._out is not None:
            notes = [[file, "", column, ErrorCode.ERRORS_LEFT_OUT, f"{code} 类错误已达上限 {cap} 处，其余未列出"]
                     for file, column, code, cap in self._capped]
            if self.stopped:
                notes.append(["", "", "", ErrorCode.TOO_MANY_ERRORS,
                              f"错误已超过 {self.stop_after} 处，已停止校验，其后的行未检查"])
            if self._left_out:
                notes.append(["", "", "", ErrorCode.ERRORS_LEFT_OUT,
                              f"另有 {self._left_out} 处同类错误未列出（每类至多列出 {self.cap_per_code} 处）"])
            for note in notes:
                self._out.write(note if self.with_file else note[1:])
            self._left_out, self._capped = 0, []
            self._out.close()
            self._out = None

    def report(self) -> ValidationReport:
        return ValidationReport(list(self.errors))

    def first(self, n: int = 20) -> list[DomainError]:
        """The first n errors kept, by row then column."""
        return sorted(self.errors, key=lambda e: (e.row or 0, e.field or ""))[:n]


class _ErrorWriter:
    """The error file, streamed: an .xlsx through openpyxl's write-only workbook (each cell a string, so no
    cell of the input becomes a formula), or CSV in UTF-8 with BOM (Excel opens it as it is)."""

    def __init__(self, path: Path, header: list[str], sheet: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.xlsx = path.suffix.lower() in WORKBOOK_SUFFIXES
        if self.xlsx:
            from openpyxl import Workbook

            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet(sheet)
        else:
            self._fh: TextIO = path.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._fh)
        self.write(header)

    def write(self, cells: list[Any]) -> None:
        if self.xlsx:  # every cell text (type "s"), escaped (core.cells): never a formula
            self._ws.append(xlsx_row(self._ws, ["" if v is None else str(v) for v in cells]))
        else:
            self._csv.writerow(safe_row(cells))

    def close(self) -> None:
        if self.xlsx:
            self._wb.save(self.path)
        else:
            self._fh.close()


# ---------------------------------------------------------------- headers


def norm_header(h: Any) -> str:
    """A header cell as compared: full-width forms folded to half-width (NFKC), BOM and all spaces removed,
    Latin letters in lower case."""
    s = unicodedata.normalize("NFKC", "" if h is None else str(h))
    return "".join(s.replace("\ufeff", "").split()).lower()


class HeaderMap:
    """Canonical column names and their synonyms; `index(header)` maps a file's header row to positions."""

    def __init__(self, columns: Iterable[str], synonyms: Mapping[str, str] | None = None) -> None:
        self.columns = list(columns)
        self._names = {norm_header(c): c for c in self.columns}
        for alias, canonical in (synonyms or {}).items():
            self._names.setdefault(norm_header(alias), canonical)

    def canonical(self, h: Any) -> str | None:
        return self._names.get(norm_header(h))

    def index(self, header: Iterable[Any]) -> dict[str, int]:
        """canonical name → position of its first column in the header row."""
        out: dict[str, int] = {}
        for i, h in enumerate(header):
            c = self.canonical(h)
            if c is not None and c not in out:
                out[c] = i
        return out


# ---------------------------------------------------------------- reading


def detect_encoding(head: bytes) -> str:
    """UTF-8 with BOM, UTF-8 if the bytes decode as UTF-8, otherwise GB18030 (a superset of GBK)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def file_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        return detect_encoding(fh.read(HEAD_BYTES))


def count_lines(path: Path) -> int:
    """Data rows of a CSV (lines minus the header), counted on bytes: for a progress total only."""
    n = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            n += block.count(b"\n")
    return max(n - 1, 0)


def cell_text(v: Any) -> str:
    """A cell as text: spreadsheet numbers without float noise (5000.0 → "5000", 0.12 → "0.12"), dates ISO."""
    if v is None:
        return ""
    if isinstance(v, str):
        return unescape_cell(v.strip())
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


Source = Path | str | bytes | IO[bytes]


class TableFile:
    """The rows of one .csv or .xlsx file, streamed: `header` (the first row) and `blocks(n)` of
    (line numbers, rows) after it. CSV cells are text; .xlsx cells as python-calamine gives them (use cell_text).

    Problems of the file itself (encoding, CSV syntax, a damaged workbook) go to the sink with their line, and
    the rows read before them are still given; a file over the limits raises DomainError."""

    def __init__(self, source: Source, *, name: str | None = None, sink: ErrorSink | None = None,
                 limits: Limits | None = None, label: str | None = None) -> None:
        self.path = Path(source) if isinstance(source, (str, Path)) else None
        self.name = name or (self.path.name if self.path else "file")
        self.label = label if label is not None else self.name  # the file as named in errors
        self.sink = sink if sink is not None else ErrorSink(keep=1000)
        self.limits = limits or Limits()
        suffix = Path(self.name).suffix.lower()
        if suffix not in EXCEL_SUFFIXES + CSV_SUFFIXES:
            raise DomainError(ErrorCode.FILE_TYPE, f"只接受 .csv、.xlsx 或 .xls 文件：{self.name}", field="file", file=self.name)
        self.excel = suffix in EXCEL_SUFFIXES
        self._source = source
        self.limits.check_size(self._size(), self.name)
        self.encoding = ""
        self.header: list[Any] = []
        self._rows = self._open()
        first = next(self._rows, None)
        self.empty = first is None
        if first is not None:
            self.header = list(first[1])

    def _size(self) -> int:
        s = self._source
        if isinstance(s, bytes):
            return len(s)
        if isinstance(s, (str, Path)):
            return Path(s).stat().st_size
        pos = s.tell()
        end = s.seek(0, io.SEEK_END)
        s.seek(pos)
        return end - pos

    def _binary(self) -> IO[bytes]:
        s = self._source
        if isinstance(s, bytes):
            return io.BytesIO(s)
        if isinstance(s, (str, Path)):
            return Path(s).open("rb")
        return s

    def _open(self) -> Iterator[tuple[int, list[Any]]]:
        return self._excel_rows() if self.excel else self._csv_rows()

    def _excel_rows(self) -> Iterator[tuple[int, list[Any]]]:
        from python_calamine import CalamineWorkbook

        try:
            if self.path is not None:
                wb = CalamineWorkbook.from_path(str(self.path))
            else:
                fh = self._binary()
                wb = CalamineWorkbook.from_filelike(fh)
            sheet = wb.get_sheet_by_index(0)
        except Exception as exc:  # calamine raises its own kinds on a damaged file
            self.sink.add(self.label, 1, "", ErrorCode.FILE_UNREADABLE, f"无法读取 Excel 文件：{exc}")
            return
        yield from enumerate(sheet.iter_rows(), 1)

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        raw = self._binary()
        head = raw.read(HEAD_BYTES)
        raw.seek(raw.tell() - len(head))
        self.encoding = enc = detect_encoding(head)
        fh = io.TextIOWrapper(raw, encoding=enc, newline="")
        reader = csv.reader(fh)
        try:
            for cells in reader:
                yield reader.line_num, cells  # a quoted cell may span lines: the row's last line
        except UnicodeDecodeError:
            self.sink.add(self.label, reader.line_num + 1, "", ErrorCode.FILE_ENCODING,
                          f"文件编码错误（按 {enc} 读取失败，应为 UTF-8 或 GBK）")
        except csv.Error as exc:
            self.sink.add(self.label, reader.line_num, "", ErrorCode.CSV_FORMAT, f"CSV 格式错误：{exc}")
        finally:
            if isinstance(self._source, (str, Path, bytes)):  # our own file object
                fh.close()
            elif not fh.closed:
                fh.detach()  # the caller's stays open

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(line, cells) of the data rows; blank lines (and spreadsheet rows of empty cells) are skipped."""
        limit, n = self.limits.max_rows, 0
        for line, cells in self._rows:
            if not any(cells):
                continue
            n += 1
            if n > limit:
                raise self.limits.too_many_rows(self.name)
            yield line, cells

    def last_row(self, tail: int = 1 << 16) -> list[Any] | None:
        """The last data row, read from the end of a CSV (its last `tail` bytes), or walked to in a workbook."""
        last = None
        if self.excel or self.path is None:
            for _line, cells in self.rows():
                last = cells
            return last
        with self.path.open("rb") as fh:
            size = fh.seek(0, io.SEEK_END)
            fh.seek(max(0, size - tail))
            text = fh.read().decode(self.encoding.replace("-sig", ""), errors="replace")
        lines = text.splitlines()[1 if size > tail else 0:]  # the first line of a tail may be cut
        for cells in csv.reader(lines):
            if any(c.strip() for c in cells):
                last = cells
        return last

    def blocks(self, size: int) -> Iterator[tuple[list[int], list[list[Any]]]]:
        """The data rows in blocks of `size`: (line numbers, rows). Blank CSV lines are skipped; rows of empty
        cells are given (the loader decides what an empty row means)."""
        limit, n = self.limits.max_rows, 0
        lines: list[int] = []
        rows: list[list[Any]] = []
        for line, cells in self._rows:
            if not cells:
                continue
            lines.append(line)
            rows.append(cells)
            if len(rows) >= size:
                n += len(rows)
                if n > limit:
                    raise self.limits.too_many_rows(self.name)
                yield lines, rows
                lines, rows = [], []
        if rows:
            if n + len(rows) > limit:
                raise self.limits.too_many_rows(self.name)
            yield lines, rows


def ndjson_lines(path: Path, *, limits: Limits | None = None, skip: int = 0,
                 code: ErrorCode = ErrorCode.FILE_JSON) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON) of an NDJSON file (UTF-8, BOM allowed), the first `skip` lines and blank lines
    skipped; a line that is not JSON raises DomainError `code` with its number."""
    limits = limits or Limits()
    limits.check_size(path.stat().st_size, path.name)
    n = 0
    i = 0
    with path.open("r", encoding="utf-8-sig") as fh:
        try:
            for i, raw in enumerate(fh, 1):
                if i <= skip or not raw.strip():
                    continue
                n += 1
                if n > limits.max_rows:
                    raise limits.too_many_rows(path.name)
                try:
                    yield i, json.loads(raw)
                except ValueError:
                    raise DomainError(code, f"文件第 {i} 行不是 JSON", row=i, field="file", file=path.name) from None
        except UnicodeDecodeError:
            raise _not_utf8(path, i + 1) from None


def _not_utf8(path: Path, row: int | None) -> DomainError:
    return DomainError(ErrorCode.FILE_ENCODING, f"文件编码不正确（按 UTF-8 读取第 {row} 行失败），NDJSON 文件应为 UTF-8"
                       if row else "文件编码不正确，NDJSON 文件应为 UTF-8", row=row, field="file", file=path.name)


def ndjson_first(path: Path) -> Any:
    """The first line of an NDJSON file, decoded (None when empty or not JSON)."""
    try:
        with path.open("r", encoding="utf-8-sig") as fh:
            first = fh.readline()
    except UnicodeDecodeError:
        raise _not_utf8(path, 1) from None
    try:
        return json.loads(first) if first.strip() else None
    except ValueError:
        return None


# ---------------------------------------------------------------- uploads (temporary files)

UPLOAD_PREFIX = "upload-"
ORPHAN_AGE_SECONDS = 24 * 3600  # a spool file this old is removed even when its process id was reused
RECEIVED_AGE_SECONDS = 3600  # Django's own copy of a request's file (FILE_UPLOAD_TEMP_DIR), untouched this long
DEFAULT_REQUEST_CEILING = 256 * 1024 ** 2  # settings.HPF_UPLOAD_MAX_BYTES: above any center's upload.max_bytes


class BoundedUploadHandler(FileUploadHandler):
    """The first of FILE_UPLOAD_HANDLERS: a request's files stop being received past `HPF_UPLOAD_MAX_BYTES` (a
    ceiling over every center's `upload.max_bytes`, which the view checks with the center known), so a huge
    upload cannot fill the disk before any view runs. The upload is dropped; the view answers that no file came."""

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, boundary: Any,
                         encoding: Any = None) -> None:
        self.ceiling = int(getattr(settings, "HPF_UPLOAD_MAX_BYTES", DEFAULT_REQUEST_CEILING))
        self.received = 0
        self.too_big = bool(content_length and content_length > self.ceiling)  # refused at the first chunk


    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.too_big or self.received > self.ceiling:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
_live: set[Path] = set()  # this process's spool files not yet removed
_live_lock = threading.Lock()
_previous_sigterm: Any = None
_sigterm_installed = False


def upload_dir() -> Path:
    """Where uploads are spooled: `$HPF_VAR_DIR/uploads` (private to the service account)."""
    return Path(settings.VAR_DIR) / "uploads"


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name or "upload.csv"
    return re.sub(r"[^\w.\-]", "_", base)[-80:]


def _remove_live() -> None:
    with _live_lock:
        paths = list(_live)
        _live.clear()
    for p in paths:
        with suppress(OSError):
            p.unlink(missing_ok=True)


def _on_sigterm(signum: int, frame: Any) -> None:
    """Remove this process's spool files, then do what SIGTERM did before (the server's own handler, or exit)."""
    _remove_live()
    previous = _previous_sigterm
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:
        raise SystemExit(128 + signum)  # unwinds: every `finally` (and the upload_spool below) runs


def _install_cleanup() -> None:
    """Once per process: at exit and on SIGTERM the spool files go (only the main thread may set a handler;
    elsewhere the server's worker exits through atexit, and sweep_uploads takes what a kill -9 leaves)."""
    global _sigterm_installed, _previous_sigterm
    if _sigterm_installed:
        return
    _sigterm_installed = True
    atexit.register(_remove_live)
    if threading.current_thread() is threading.main_thread():
        _previous_sigterm = signal.getsignal(signal.SIGTERM)
        if _previous_sigterm is not _on_sigterm:
            signal.signal(signal.SIGTERM, _on_sigterm)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_uploads(directory: Path | None = None, *, max_age: int = ORPHAN_AGE_SECONDS) -> int:
    """Remove the spool files whose process is gone (a kill -9, a crash of the machine) or that are older than
    `max_age` seconds. Returns how many were removed. Run before every upload and by `hpf jobs --mark-stale`."""
    d = directory or upload_dir()
    if not d.is_dir():
        return 0
    removed, now = 0, time.time()
    with _live_lock:
        mine = set(_live)
    for p in d.iterdir():
        if p in mine or not p.is_file():
            continue
        if not p.name.startswith(UPLOAD_PREFIX):  # Django's own copy of a request's file, left by a kill
            if ".upload" in p.name and now - p.stat().st_mtime > min(max_age, RECEIVED_AGE_SECONDS):
                p.unlink(missing_ok=True)
                removed += 1
            continue
        pid_text = p.name[len(UPLOAD_PREFIX):].split("-", 1)[0]
        try:
            pid = int(pid_text)
            age = now - p.stat().st_mtime
        except (ValueError, OSError):
            continue
        if (pid != os.getpid() and not _pid_alive(pid)) or age > max_age:
            p.unlink(missing_ok=True)
            removed += 1
    return removed


@contextmanager
def upload_spool(upload: Any, *, limits: Limits, directory: Path | None = None) -> Iterator[Path]:
    """An uploaded file (Django's UploadedFile: `name`, `size`, `chunks()`) copied to a temporary file of its
    own, checked against the limits: type by suffix and declared size first (before a byte is written), then
    the bytes actually written. The path is yielded; the file is removed however the block ends."""
    name = _safe_name(str(getattr(upload, "name", "") or "upload.csv"))
    suffix = Path(name).suffix.lower()
    if suffix not in EXCEL_SUFFIXES + CSV_SUFFIXES:
        raise DomainError(ErrorCode.FILE_TYPE, f"只接受 .csv、.xlsx 或 .xls 文件：{name}", field="file", file=name)
    size = getattr(upload, "size", None)
    if size is not None:
        limits.check_size(int(size), name)
    d = directory or upload_dir()
    d.mkdir(parents=True, exist_ok=True)
    _install_cleanup()
    sweep_uploads(d)
    fd, raw = tempfile.mkstemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-", suffix=f"-{name}", dir=d)
    path = Path(raw)
    with _live_lock:
        _live.add(path)
    try:
        written = 0
        with os.fdopen(fd, "wb") as fh:
            for chunk in upload.chunks():
                written += len(chunk)
                limits.check_size(written, name)  # a size that lied is caught while copying
                fh.write(chunk)
        yield path
    finally:
        with _live_lock:
            _live.discard(path)
        path.unlink(missing_ok=True)


# ---------------------------------------------------------------- cells (raise FieldError)

_MONEY = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d*)?$")
_RATIO = re.compile(r"^\d{1,3}(\.\d{1,4})?$")
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_CN_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")


def parse_fen(v: str, label: str, *, code: ErrorCode = ErrorCode.MONEY_FORMAT) -> int:
    """'1,234.5' 元 → 123450 分 (Decimal, HALF_UP at the fen). More than two decimals, or text that is not a
    number, is refused with a Chinese error (no silent rounding of money)."""
    if v.isascii():  # the usual cell, plain digits with up to two decimals: straight to integers
        whole, dot, frac = v.partition(".")
        if whole.isdigit() and len(whole) <= 15:
            if not dot:
                return int(whole) * 100
            if frac.isdigit() and len(frac) <= 2:
                return int(whole) * 100 + int(frac) * (10 if len(frac) == 1 else 1)
    return _parse_fen(v, label, code=code)


def _parse_fen(v: str, label: str, *, code: ErrorCode) -> int:
    """parse_fen for any cell (signs, separators, full-width digits, a ¥ sign)."""
    s = v.strip().replace(",", "").replace("，", "")
    if _MONEY.match(s):  # the common case, exactly in integers
        neg = s.startswith("-")
        whole, _, frac = s.lstrip("-").partition(".")
        fen = int(whole) * 100 + int((frac + "00")[:2])
        return -fen if neg else fen
    t = unicodedata.normalize("NFKC", s).lstrip("¥").strip()  # full-width digits, a ¥ sign
    if not _DECIMAL.match(t):
        raise FieldError(code, f"{label}应为以元为单位的数字：{v}")
    d = Decimal(t)
    if d != d.quantize(Decimal("0.01")):
        raise FieldError(code, f"{label}至多两位小数（元到分）：{v}")
    amount = (d * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if abs(amount) >= 10**17:
        raise FieldError(code, f"{label}超出范围：{v}")
    return int(amount)


_ratio_cache: dict[str, int] = {}


def parse_ratio_e4(v: str, label: str) -> int:
    """'0.12' or '12%' → 1200 (‱, units of 0.01%). Cached: a file has few distinct ratios."""
    got = _ratio_cache.get(v)
    if got is not None:
        return got
    e4 = _parse_ratio_e4(v, label)
    if len(_ratio_cache) < 10_000:
        _ratio_cache[v] = e4
    return e4


def _parse_ratio_e4(v: str, label: str) -> int:
    s = unicodedata.normalize("NFKC", v).strip()
    pct = s.endswith("%")
    if pct:
        s = s[:-1].strip()
    if not _RATIO.match(s):
        raise FieldError(ErrorCode.RATIO_FORMAT, f"{label}格式不正确（应如 0.12 或 12%）：{v}")
    d = Decimal(s) * (100 if pct else 10000)
    if d != d.to_integral_value() or (not pct and Decimal(s) > 1):
        raise FieldError(ErrorCode.RATIO_FORMAT, f"{label}格式不正确（应如 0.12 或 12%，至多精确到 0.01%）：{v}")
    return int(d)


_date_cache: dict[str, str] = {}


def parse_date(v: str, label: str) -> str:
    """2026-11-30, 2026/11/30, 20261130 or 2026年11月30日 (also a spreadsheet's "2026-11-30 00:00:00") → ISO
    text. Cached: files repeat the same dates a lot."""
    got = _date_cache.get(v)
    if got is not None:
        return got
    s = v.strip()
    d: date | None = None
    try:
        m = _CN_DATE.match(s)
        if m:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        else:
            s = s.replace("/", "-")
            if s.endswith(" 00:00:00"):
                s = s[:-9]
            if "-" in s:
                y, mo, dd = s.split("-")
                if len(y) == 4 and y.isdigit() and mo.isdigit() and dd.isdigit():
                    d = date(int(y), int(mo), int(dd))
            elif len(s) == 8 and s.isdigit():
                d = date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        d = None
    if d is None:
        raise FieldError(ErrorCode.DATE_FORMAT, f"{label}不是有效日期（应如 2026-11-30、2026/11/30、20261130 或 2026年11月30日）：{v}")
    iso = d.isoformat()
    if len(_date_cache) < 100_000:
        _date_cache[v] = iso
    return iso


_month_cache: dict[str, str] = {}


def parse_month(v: str, label: str) -> str:
    """202611, 2026-11, 2026/11 or 2026年11月 → 'YYYYMM'. Cached, like dates."""
    got = _month_cache.get(v)
    if got is not None:
        return got
    ym = _parse_month(v, label)
    if len(_month_cache) < 100_000:
        _month_cache[v] = ym
    return ym


def _parse_month(v: str, label: str) -> str:
    s = v.strip()
    m = _CN_MONTH.match(s)
    s = f"{m[1]}{int(m[2]):02d}" if m else s.replace("-", "").replace("/", "")
    if len(s) != 6 or not s.isdigit() or not 1 <= int(s[4:]) <= 12:
        raise FieldError(ErrorCode.MONTH_FORMAT, f"{label}应为年月（如 202611、2026-11 或 2026年11月）：{v}")
    return s


def parse_phone(v: str, label: str) -> str:
    s = v.strip().replace(" ", "")
    if not _PHONE.match(s):
        raise FieldError(ErrorCode.PHONE_FORMAT, f"{label}格式不正确：{v}")
    return s


def text_parser(max_len: int) -> Callable[[str, str], str]:
    def parse(v: str, label: str) -> str:
        s = v.strip()
        if len(s) > max_len:
            raise FieldError(ErrorCode.TOO_LONG, f"{label}超过 {max_len} 个字符")
        return s

    return parse


def int_parser(lo: int, hi: int) -> Callable[[str, str], int]:
    def parse(v: str, label: str) -> int:
        s = v.strip()
        if not s.isdigit() or not lo <= int(s) <= hi:
            raise FieldError(ErrorCode.INT_RANGE, f"{label}应为 {lo}–{hi} 的整数：{v}")
        return int(s)

    return parse


def code_parser(choices: Any) -> Callable[[str, str], str]:
    """A code of a code table (Django TextChoices): by code, by its label, or by the code without its leading
    zeros."""
    by_code = {c: c for c in choices.values}
    by_label = {str(label): c for c, label in choices.choices}
    width = max(len(c) for c in choices.values)

    def parse(v: str, label: str) -> str:
        s = v.strip()
        got = by_code.get(s) or by_label.get(s)
        if got is None and s.isdigit() and len(s) < width:
            got = by_code.get(s.zfill(width))
        if got is None:
            raise FieldError(ErrorCode.CODE_UNKNOWN, f"{label}代码不在代码表中：{v}")
        return got

    return parse
