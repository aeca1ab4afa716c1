"""Legacy cut-over (期初数据迁移): load a legacy extract (docs/cutover-format.md) into an empty center.

Three CSV files are streamed into staging tables of their own (COPY on PostgreSQL, executemany on SQLite),
checked row by row in Python while they stream (formats, ID check digits, code tables) and then set-based in
SQL (duplicates, references, one active account per person, policy ranges, balances, dates). Any error
stops the import before a business table is touched: every error is reported (file, row, column, code,
message) and written to a CSV error file. A clean extract is loaded with INSERT … SELECT in chunks inside
one transaction (so a crash leaves nothing behind and the import can simply run again), the opening
balances are posted through the ledger's bulk batch (business type 90, counter account 10101), and the
invariants of `hpf verify` are run at the end."""

from __future__ import annotations

import codecs
import csv
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.db import connection, transaction

from openhpf.audit.services import audit_log
from openhpf.core import db
from openhpf.core.actors import Actor
from openhpf.core.calendar import interest_year
from openhpf.core.codes import (
    BizType,
    EconomicType,
    EmployerStatus,
    FreezeKind,
    IdType,
    Industry,
    MaritalStatus,
    MemberAccountStatus,
    Sex,
)
from openhpf.core.db import Relation
from openhpf.core.errors import DomainError, ValidationReport
from openhpf.core.ids import validate_credit_code, validate_resident_id
from openhpf.core.models import Branch, Center
from openhpf.core.money import format_fen, format_message, format_ratio_e4
from openhpf.core.policy import policy_value
from openhpf.core.verify import CheckResult, run_checks
from openhpf.jobs.runner import Step, job_start, run_job
from openhpf.ledger import sql
from openhpf.ledger.chart import DEFAULT_BANK
from openhpf.ledger.services import (
    batch_apply,
    batch_create,
    batch_stage_from,
    subaccounts_freeze_from,
    subaccounts_open_from,
)
from openhpf.security.bulk import BulkProtector

from .calculations import sql_monthly_amount
from .models import Employer
from .numbering import WIDTH, allocate

EMPLOYER_FILE = "单位.csv"
MEMBER_FILE = "个人.csv"
ACCOUNT_FILE = "个人账户.csv"
FILES = (EMPLOYER_FILE, MEMBER_FILE, ACCOUNT_FILE)
CHUNK = 50_000
COUNTER_ACCOUNT = DEFAULT_BANK  # 10101: the opening balances sit in the entrusted bank account
ACTIVE = (MemberAccountStatus.NORMAL.value, MemberAccountStatus.SEALED.value)
CLOSED = (
    MemberAccountStatus.CLOSED_MERGED.value,
    MemberAccountStatus.CLOSED_TRANSFERRED.value,
    MemberAccountStatus.CLOSED_WITHDRAWN.value,
)
ERROR_HEADER = ["文件", "行号", "列", "错误代码", "错误信息"]


# ---------------------------------------------------------------- errors


@dataclass
class ErrorSink:
    """Every error of an import: written to the CSV error file as found, the first `keep` kept in memory."""

    path: Path | None = None
    keep: int = 10_000
    count: int = 0
    errors: list[DomainError] = field(default_factory=list)
    echo: Callable[[str], None] | None = None
    _fh: TextIO | None = None
    _writer: Any = None

    def __post_init__(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(ERROR_HEADER)

    def add(self, file: str, row: int | None, column: str, code: str, message: str) -> None:
        self.count += 1
        if len(self.errors) < self.keep:
            self.errors.append(DomainError(code, message, field=column or None, row=row, file=file))
        if self._writer is not None:
            self._writer.writerow([file, row if row is not None else "", column, code, message])
        if self.echo is not None:
            self.echo(f"{file} 第{row}行 [{column}] {code} {message}" if row else f"{file} [{column}] {code} {message}")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def report(self) -> ValidationReport:
        return ValidationReport(list(self.errors))


class CutoverInvalid(DomainError):
    """The extract has errors: nothing was written. `report` holds them (the error file has every one)."""

    def __init__(self, sink: ErrorSink) -> None:
        where = f"，明细见 {sink.path}" if sink.path else ""
        super().__init__("CUTOVER_INVALID", f"迁移数据校验未通过，共 {sink.count} 处错误，未写入任何业务数据{where}",
                         details={"errors": sink.count, "error_file": str(sink.path or "")})
        self.sink = sink
        self.report = sink.report()


# ---------------------------------------------------------------- reading files


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the first megabyte decodes as UTF-8, otherwise GB18030 (a superset of GBK)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _norm_header(h: str) -> str:
    return h.replace("\ufeff", "").replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "").strip()


def count_rows(path: Path) -> int:
    """Data rows (lines minus the header), counted on bytes: for the progress total only."""
    n = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            n += block.count(b"\n")
    return max(n - 1, 0)


# ---------------------------------------------------------------- field parsers (raise ValueError → error)

_MONEY = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")
_RATIO = re.compile(r"^\d{1,3}(\.\d{1,4})?$")
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


class FieldError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_fen(v: str, label: str) -> int:
    """'1234.5' 元 → 123450 分, exactly; more than two decimals is refused (no rounding of migrated money)."""
    s = v.replace(",", "")
    if not _MONEY.match(s):
        raise FieldError("MONEY_FORMAT", f"{label}应为以元为单位、至多两位小数的数字：{v}")
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    whole, _, frac = s.partition(".")
    fen = int(whole) * 100 + int((frac + "00")[:2])
    return -fen if neg else fen


def parse_ratio_e4(v: str, label: str) -> int:
    """'0.12' or '12%' → 1200 (units of 0.01%)."""
    s = v.strip()
    pct = s.endswith("%")
    if pct:
        s = s[:-1].strip()
    if not _RATIO.match(s):
        raise FieldError("RATIO_FORMAT", f"{label}格式不正确（应如 0.12 或 12%）：{v}")
    d = Decimal(s) * (100 if pct else 10000)
    if d != d.to_integral_value() or (not pct and Decimal(s) > 1):
        raise FieldError("RATIO_FORMAT", f"{label}格式不正确（应如 0.12 或 12%，至多精确到 0.01%）：{v}")
    return int(d)


_date_cache: dict[str, str] = {}


def parse_date(v: str, label: str) -> str:
    """YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD → ISO text (cached: extracts repeat the same dates a lot)."""
    got = _date_cache.get(v)
    if got is not None:
        return got
    s = v.strip().replace("/", "-")
    try:
        d = date.fromisoformat(s) if "-" in s else date(int(s[:4]), int(s[4:6]), int(s[6:8])) if len(s) == 8 else None
    except ValueError:
        d = None
    if d is None:
        raise FieldError("DATE_FORMAT", f"{label}不是有效日期（应为 YYYY-MM-DD）：{v}")
    iso = d.isoformat()
    if len(_date_cache) < 100_000:
        _date_cache[v] = iso
    return iso


def parse_month(v: str, label: str) -> str:
    s = v.strip().replace("-", "").replace("/", "")
    if len(s) != 6 or not s.isdigit() or not 1 <= int(s[4:]) <= 12:
        raise FieldError("MONTH_FORMAT", f"{label}应为年月 YYYYMM：{v}")
    return s


def _code_parser(choices: Any) -> Callable[[str, str], str]:
    by_code = {c: c for c in choices.values}
    by_label = {str(label): c for c, label in choices.choices}
    width = max(len(c) for c in choices.values)

    def parse(v: str, label: str) -> str:
        s = v.strip()
        got = by_code.get(s) or by_label.get(s)
        if got is None and s.isdigit() and len(s) < width:
            got = by_code.get(s.zfill(width))
        if got is None:
            raise FieldError("CODE_UNKNOWN", f"{label}代码不在代码表中：{v}")
        return got

    return parse


def _int_parser(lo: int, hi: int) -> Callable[[str, str], int]:
    def parse(v: str, label: str) -> int:
        s = v.strip()
        if not s.isdigit() or not lo <= int(s) <= hi:
            raise FieldError("INT_RANGE", f"{label}应为 {lo}–{hi} 的整数：{v}")
        return int(s)

    return parse


def _text(max_len: int) -> Callable[[str, str], str]:
    def parse(v: str, label: str) -> str:
        s = v.strip()
        if len(s) > max_len:
            raise FieldError("TOO_LONG", f"{label}超过 {max_len} 个字符")
        return s

    return parse


def _phone(v: str, label: str) -> str:
    s = v.strip().replace(" ", "")
    if not _PHONE.match(s):
        raise FieldError("PHONE_FORMAT", f"{label}格式不正确：{v}")
    return s


# ---------------------------------------------------------------- file layouts

@dataclass(frozen=True)
class Col:
    header: str
    column: str  # staging column
    parse: Callable[[str, str], Any]
    required: bool = True
    default: Any = None
    kind: str = "TEXT"  # staging SQL type: TEXT, INT, DATE


FILE_COLUMNS: dict[str, list[Col]] = {
    EMPLOYER_FILE: [
        Col("单位账号(原)", "legacy_no", _text(40)),
        Col("单位名称", "name", _text(120)),
        Col("统一社会信用代码", "credit_code", lambda v, _label: validate_credit_code(v)),
        Col("经济类型", "economic_type", _code_parser(EconomicType)),
        Col("所属行业", "industry", _code_parser(Industry)),
        Col("发薪日", "payday", _int_parser(1, 31), kind="INT"),
        Col("单位缴存比例", "er_e4", parse_ratio_e4, kind="INT"),
        Col("个人缴存比例", "mr_e4", parse_ratio_e4, kind="INT"),
        Col("单位状态", "status", _code_parser(EmployerStatus)),
        Col("缴至年月", "paid_up_to", parse_month, required=False, default=""),
        Col("开户日期", "opened_date", parse_date, kind="DATE"),
        Col("销户日期", "closed_date", parse_date, required=False, kind="DATE"),
        Col("经办人", "contact_name", _text(40), required=False, default=""),
        Col("经办人电话", "contact_phone", _text(20), required=False, default=""),
        Col("单位地址", "address", _text(200), required=False, default=""),
    ],
    MEMBER_FILE: [
        Col("姓名", "name", _text(60)),
        Col("证件类型", "id_type", _code_parser(IdType)),
        Col("证件号码", "id_number", _text(32)),
        Col("手机号码", "phone", _phone, required=False, default=""),
        Col("婚姻状况", "marital_status", _code_parser(MaritalStatus), required=False,
            default=MaritalStatus.UNKNOWN.value),
        Col("出生日期", "birth_date", parse_date, required=False, kind="DATE"),
        Col("性别", "sex", _code_parser(Sex), required=False),
    ],
    ACCOUNT_FILE: [
        Col("个人账号(原)", "legacy_no", _text(40)),
        Col("证件号码", "id_number", _text(32)),
        Col("单位账号(原)", "emp_legacy_no", _text(40)),
        Col("缴存基数", "base", parse_fen, kind="INT"),
        Col("单位缴存比例", "er_e4", parse_ratio_e4, kind="INT"),
        Col("个人缴存比例", "mr_e4", parse_ratio_e4, kind="INT"),
        Col("账户状态", "status", _code_parser(MemberAccountStatus)),
        Col("冻结标志", "freeze_kind", _code_parser(FreezeKind), required=False, default=FreezeKind.NONE.value),
        Col("冻结金额", "frozen", parse_fen, required=False, default=0, kind="INT"),
        Col("上年结转余额", "carried", parse_fen, kind="INT"),
        Col("当年归集余额", "cur", parse_fen, kind="INT"),
        Col("当年归集积数", "jishu_cur", parse_fen, kind="INT"),
        Col("上年结转积数", "jishu_car", parse_fen, kind="INT"),
        Col("缴至年月", "paid_up_to", parse_month, required=False, default=""),
        Col("开户日期", "opened_date", parse_date, kind="DATE"),
        Col("封存日期", "sealed_date", parse_date, required=False, kind="DATE"),
        Col("封存原因", "seal_reason", _text(100), required=False, default=""),
        Col("销户日期", "closed_date", parse_date, required=False, kind="DATE"),
    ],
}
STAGE_NAMES = {EMPLOYER_FILE: "emp", MEMBER_FILE: "mem", ACCOUNT_FILE: "acc"}
# Columns the load writes encrypted (security.fields): staged next to the plaintext as SM4-GCM ciphertext and
# HMAC-SM3 blind index, computed chunk by chunk while the file streams, so the load stays INSERT … SELECT.
# Phones are staged as ciphertext only; the ID number also stays in plaintext for the set-based checks, the
# joins and the error file (like the extract itself; the staging tables are dropped at the end of the import).
PROTECTED_COLUMNS: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    # staged column, purpose, ciphertext column (None: in place of the plaintext), blind-index column or None
    EMPLOYER_FILE: [("contact_phone", "phone", None, None)],
    MEMBER_FILE: [("id_number", "id_number", "id_enc", "id_bidx"), ("phone", "phone", None, "phone_bidx")],
    ACCOUNT_FILE: [],
}
_NORMALIZE = {"id_number": "id_number", "phone": "phone"}


def _protected_names(file: str) -> list[str]:
    out = []
    for _plain, _purpose, enc, bidx in PROTECTED_COLUMNS[file]:
        out += [c for c in (enc, bidx) if c]
    return out


def _protect_submit(protector: Any, file: str, rows: list[tuple]) -> Any:
    """Start encrypting (and blind-indexing) a chunk's protected columns in the worker; a Future of the columns."""
    positions = {c.column: i + 2 for i, c in enumerate(FILE_COLUMNS[file])}  # after seq, line
    specs = [(purpose, _NORMALIZE[purpose] if bidx else None) for _p, purpose, _e, bidx in PROTECTED_COLUMNS[file]]
    columns = [[r[positions[plain]] for r in rows] for plain, _purpose, _e, _b in PROTECTED_COLUMNS[file]]
    return protector.submit(specs, columns)


def _protect_join(file: str, rows: list[tuple], future: Any) -> list[tuple]:
    """The chunk's rows with the ciphertext (in place or appended) and blind index of each protected column."""
    results = iter(future.result())
    positions = {c.column: i + 2 for i, c in enumerate(FILE_COLUMNS[file])}
    in_place: list[tuple[int, list[Any]]] = []
    appended: list[list[Any]] = []
    for plain, _purpose, enc, bidx in PROTECTED_COLUMNS[file]:
        ciphertexts = next(results)
        if enc:
            appended.append(ciphertexts)
        else:
            in_place.append((positions[plain], ciphertexts))
        if bidx:
            appended.append(next(results))
    out = []
    for i, r in enumerate(rows):
        if in_place:
            row = list(r)
            for pos, values in in_place:
                row[pos] = values[i]
            r = tuple(row)
        out.append((*r, *(a[i] for a in appended)))
    return out


def stage_table(job_id: int, file: str) -> str:
    return f"cutover_{STAGE_NAMES[file]}_{job_id}"


def _stage_ddl(table: str, file: str) -> str:
    types = {"TEXT": "TEXT", "INT": "BIGINT", "DATE": "DATE"}
    cols = ["seq BIGINT NOT NULL", "line BIGINT NOT NULL"]
    cols += [f"{c.column} {types[c.kind]}" for c in FILE_COLUMNS[file]]
    cols += [f"{name} TEXT" for name in _protected_names(file)]
    return db.staging_table_ddl(table, cols)


STAGE_INDEXES = {
    EMPLOYER_FILE: ["seq", "legacy_no", "credit_code"],
    MEMBER_FILE: ["seq", "id_number"],
    ACCOUNT_FILE: ["seq", "legacy_no", "id_number", "emp_legacy_no"],
}


class _ResidentIds:
    """GB 11643 checks through core.ids (python-stdnum), with the expensive parts cached: a number whose
    check digit, region and birth date are already known good is accepted without the full call; anything
    else goes through validate_resident_id for its exact error."""

    def __init__(self, on: date) -> None:
        from stdnum.cn import ric

        self.ric = ric
        self.on = on
        self.good_regions: set[str] = set()
        self.good_births: dict[str, str] = {}

    def check(self, raw: str) -> tuple[str, str, str]:
        """(number, ISO birth date, sex code), or raises DomainError."""
        s = raw.strip().upper()
        if (len(s) == 18 and s[:17].isdigit() and s[:10] in self.good_regions
                and s[6:14] in self.good_births and self.ric.calc_check_digit(s) == s[17]):
            return s, self.good_births[s[6:14]], (Sex.MALE.value if int(s[16]) % 2 else Sex.FEMALE.value)
        rid = validate_resident_id(s, on=self.on)
        self.good_regions.add(rid.number[:10])  # a county code is valid for some birth years only
        self.good_births[rid.number[6:14]] = rid.birth_date.isoformat()
        return rid.number, rid.birth_date.isoformat(), rid.sex


def _read_rows(path: Path, file: str, sink: ErrorSink, cutover_date: date,
               ids: _ResidentIds) -> Iterator[tuple]:
    """Parse one file row by row into staging tuples; every problem goes to the sink (the row is still staged,
    with NULL where a value was unusable, so the set-based checks see every row)."""
    enc = detect_encoding(path)
    cols = FILE_COLUMNS[file]
    try:
        fh = path.open("r", encoding=enc, newline="")
    except OSError as exc:
        sink.add(file, None, "", "FILE_UNREADABLE", f"无法读取文件：{exc}")
        return
    with fh:
        reader = csv.reader(fh)
        try:
            header = [_norm_header(h) for h in next(reader, [])]
        except UnicodeDecodeError:
            sink.add(file, 1, "", "FILE_ENCODING", "文件编码无法识别（应为 UTF-8 或 GBK）")
            return
        index = {h: i for i, h in enumerate(header)}
        missing = [c.header for c in cols if c.required and c.header not in index]
        if missing:
            for h in missing:
                sink.add(file, 1, h, "HEADER_MISSING", f"缺少必需的列：{h}")
            return
        plan = [(c, index.get(c.header)) for c in cols]
        is_member = file == MEMBER_FILE
        seq = 0
        try:
            for raw in reader:
                if not raw or (len(raw) == 1 and not raw[0].strip()):
                    continue
                seq += 1
                line = reader.line_num
                out: list[Any] = [seq, line]
                for c, i in plan:
                    v = raw[i].strip() if i is not None and i < len(raw) else ""
                    if not v:
                        if c.required:
                            sink.add(file, line, c.header, "REQUIRED", f"{c.header}不能为空")
                        out.append(c.default)
                        continue
                    try:
                        out.append(c.parse(v, c.header))
                    except FieldError as exc:
                        sink.add(file, line, c.header, exc.code, exc.message)
                        out.append(None)
                    except DomainError as exc:
                        sink.add(file, line, c.header, exc.code, exc.message)
                        out.append(None)
                if is_member:
                    _member_identity(out, sink, file, line, ids)
                yield tuple(out)
        except UnicodeDecodeError:
            sink.add(file, reader.line_num + 1, "", "FILE_ENCODING", f"文件编码错误（按 {enc} 读取失败）")
        except csv.Error as exc:
            sink.add(file, reader.line_num, "", "CSV_FORMAT", f"CSV 格式错误：{exc}")


# member tuple positions: seq, line, name, id_type, id_number, phone, marital_status, birth_date, sex
def _member_identity(out: list[Any], sink: ErrorSink, file: str, line: int, ids: _ResidentIds) -> None:
    id_type, number = out[3], out[4]
    if not number:
        return
    if id_type == IdType.RESIDENT_ID:
        try:
            out[4], birth, sex = ids.check(number)
        except DomainError as exc:
            sink.add(file, line, "证件号码", exc.code, exc.message)
            out[4] = number
            return
        if out[7] and out[7] != birth:
            sink.add(file, line, "出生日期", "BIRTH_DATE_MISMATCH", "出生日期与身份证号码不一致")
        if out[8] and out[8] != sex:
            sink.add(file, line, "性别", "SEX_MISMATCH", "性别与身份证号码不一致")
        out[7], out[8] = birth, sex
    else:
        if not out[7]:
            sink.add(file, line, "出生日期", "REQUIRED", "非身份证件须填写出生日期")
        if not out[8]:
            out[8] = Sex.UNKNOWN.value


# ---------------------------------------------------------------- set-based validation


@dataclass(frozen=True)
class Rule:
    file: str
    column: str
    code: str
    message: str  # formatted with the row's detail columns
    sql: str  # SELECT line, detail… FROM …


def _rules(t: dict[str, str], *, cutover: date, ratio_min: int, ratio_max: int, equal_sides: bool,
           cap: int, floor: int) -> list[Rule]:
    e, m, a = t[EMPLOYER_FILE], t[MEMBER_FILE], t[ACCOUNT_FILE]
    cd = cutover.isoformat()
    ym = f"{cutover.year:04d}{cutover.month:02d}"
    ys, _ = interest_year(cutover)
    active = ", ".join(f"'{s}'" for s in ACTIVE)
    closed = ", ".join(f"'{s}'" for s in CLOSED)

    def dup(table: str, col: str) -> str:
        return (f"SELECT line, {col} FROM {table} WHERE {col} IN "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
                f"(SELECT {col} FROM {table} WHERE {col} IS NOT NULL GROUP BY {col} HAVING COUNT(*) > 1) ORDER BY seq")

    rules = [
        Rule(EMPLOYER_FILE, "单位账号(原)", "DUPLICATE_EMPLOYER_NO", "单位账号 {0} 重复", dup(e, "legacy_no")),
        Rule(EMPLOYER_FILE, "统一社会信用代码", "DUPLICATE_CREDIT_CODE", "统一社会信用代码 {0} 重复",
             dup(e, "credit_code")),
        Rule(MEMBER_FILE, "证件号码", "DUPLICATE_ID", "证件号码 {0} 重复（一人一条个人信息）", dup(m, "id_number")),
        Rule(ACCOUNT_FILE, "个人账号(原)", "DUPLICATE_ACCOUNT_NO", "个人账号 {0} 重复", dup(a, "legacy_no")),
        Rule(ACCOUNT_FILE, "单位账号(原)", "EMPLOYER_UNKNOWN", "单位账号 {0} 在单位文件中不存在",
             f"SELECT a.line, a.emp_legacy_no FROM {a} a WHERE a.emp_legacy_no IS NOT NULL AND NOT EXISTS "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"(SELECT 1 FROM {e} x WHERE x.legacy_no = a.emp_legacy_no) ORDER BY a.seq"),
        Rule(ACCOUNT_FILE, "证件号码", "MEMBER_UNKNOWN", "证件号码 {0} 在个人文件中不存在",
             f"SELECT a.line, a.id_number FROM {a} a WHERE a.id_number IS NOT NULL AND NOT EXISTS "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"(SELECT 1 FROM {m} x WHERE x.id_number = a.id_number) ORDER BY a.seq"),
        Rule(ACCOUNT_FILE, "证件号码", "ONE_ACTIVE_ACCOUNT", "证件号码 {0} 有多个正常或封存的个人账户（一人一户）",
             f"SELECT line, id_number FROM {a} WHERE status IN ({active}) AND id_number IN (SELECT id_number FROM {a} "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"WHERE status IN ({active}) GROUP BY id_number HAVING COUNT(*) > 1) ORDER BY seq"),
        Rule(ACCOUNT_FILE, "账户状态", "ACTIVE_UNDER_CLOSED_EMPLOYER", "单位 {0} 已销户，其下不能有正常账户",
             f"SELECT a.line, a.emp_legacy_no FROM {a} a JOIN {e} x ON x.legacy_no = a.emp_legacy_no "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"WHERE a.status = '01' AND x.status = '04' ORDER BY a.seq"),
        Rule(MEMBER_FILE, "出生日期", "DATE_AFTER_CUTOVER", "出生日期 {0} 晚于迁移日期",
             f"SELECT line, birth_date FROM {m} WHERE birth_date > '{cd}' ORDER BY seq"),  # noqa: S608 — cut-over date is a date object (ISO digits); table from code
    ]
    for file, table in ((EMPLOYER_FILE, e), (ACCOUNT_FILE, a)):
        for col, label in (("er_e4", "单位缴存比例"), ("mr_e4", "个人缴存比例")):
            rules.append(Rule(
                file, label, "RATIO_RANGE",
                f"{label} {{0:percent_e4}} 不在 {format_ratio_e4(ratio_min)}–{format_ratio_e4(ratio_max)} 之间",
                f"SELECT line, {col} FROM {table} WHERE {col} < {ratio_min} OR {col} > {ratio_max} ORDER BY seq"))  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        if equal_sides:
            rules.append(Rule(file, "个人缴存比例", "RATIO_EQUAL_SIDES", "单位与个人缴存比例须相同（{0:percent_e4}≠{1:percent_e4}）",
                              f"SELECT line, er_e4, mr_e4 FROM {table} WHERE er_e4 <> mr_e4 ORDER BY seq"))  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        for col, label in (("opened_date", "开户日期"), ("closed_date", "销户日期")):
            rules.append(Rule(file, label, "DATE_AFTER_CUTOVER", f"{label} {{0}} 晚于迁移日期 {cd}",
                              f"SELECT line, {col} FROM {table} WHERE {col} > '{cd}' ORDER BY seq"))  # noqa: S608 — cut-over date is a date object (ISO digits); table from code
        rules.append(Rule(file, "缴至年月", "MONTH_AFTER_CUTOVER", f"缴至年月 {{0}} 晚于迁移月份 {ym}",
                          f"SELECT line, paid_up_to FROM {table} WHERE paid_up_to > '{ym}' ORDER BY seq"))  # noqa: S608 — month derived from the cut-over date (digits); table from code
    rules += [
        Rule(ACCOUNT_FILE, "开户日期", "OPENED_BEFORE_EMPLOYER", "个人开户日期 {0} 早于单位开户日期 {1}",
             f"SELECT a.line, a.opened_date, x.opened_date FROM {a} a JOIN {e} x ON x.legacy_no = a.emp_legacy_no "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"WHERE a.opened_date < x.opened_date ORDER BY a.seq"),
        Rule(ACCOUNT_FILE, "封存日期", "DATE_AFTER_CUTOVER", f"封存日期 {{0}} 晚于迁移日期 {cd}",
             f"SELECT line, sealed_date FROM {a} WHERE sealed_date > '{cd}' ORDER BY seq"),  # noqa: S608 — cut-over date is a date object (ISO digits); table from code
        Rule(ACCOUNT_FILE, "封存日期", "SEALED_DATE_REQUIRED", "封存状态的账户须填写封存日期",
             f"SELECT line FROM {a} WHERE status = '02' AND sealed_date IS NULL ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "账户状态", "STATUS_FROZEN_IS_A_FLAG", "冻结不是账户状态：请用冻结标志和冻结金额表示",
             f"SELECT line FROM {a} WHERE status IN ('06', '99') ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "缴存基数", "BASE_ABOVE_CAP", f"缴存基数 {{0:yuan}} 元高于上限 {format_fen(cap)} 元",
             f"SELECT line, base FROM {a} WHERE status = '01' AND base > {cap} ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "缴存基数", "BASE_BELOW_FLOOR", f"缴存基数 {{0:yuan}} 元低于下限 {format_fen(floor)} 元",
             f"SELECT line, base FROM {a} WHERE status = '01' AND base < {floor} ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "缴存基数", "BASE_NEGATIVE", "缴存基数不能为负数",
             f"SELECT line FROM {a} WHERE base < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "上年结转余额", "BALANCE_NEGATIVE", "上年结转余额不能为负数（{0:yuan} 元）",
             f"SELECT line, carried FROM {a} WHERE carried < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "当年归集余额", "BALANCE_NEGATIVE", "当年归集余额不能为负数（{0:yuan} 元）",
             f"SELECT line, cur FROM {a} WHERE cur < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "当年归集积数", "JISHU_NEGATIVE", "当年归集积数不能为负数",
             f"SELECT line FROM {a} WHERE jishu_cur < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "上年结转积数", "JISHU_NEGATIVE", "上年结转积数不能为负数",
             f"SELECT line FROM {a} WHERE jishu_car < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "冻结金额", "FROZEN_NEGATIVE", "冻结金额不能为负数",
             f"SELECT line FROM {a} WHERE frozen < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "冻结金额", "FROZEN_EXCEEDS_BALANCE", "冻结金额 {0:yuan} 元大于账户余额 {1:yuan} 元",
             f"SELECT line, frozen, carried + cur FROM {a} WHERE frozen > carried + cur ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "冻结金额", "FREEZE_KIND_AMOUNT", "冻结标志为未冻结时冻结金额应为 0，冻结时应大于 0",
             f"SELECT line FROM {a} WHERE (freeze_kind = '0' AND frozen <> 0) OR (freeze_kind <> '0' AND frozen = 0 "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"AND carried + cur > 0) ORDER BY seq"),
        Rule(ACCOUNT_FILE, "冻结金额", "FULL_FREEZE_AMOUNT", "全部冻结时冻结金额应等于账户余额",
             f"SELECT line FROM {a} WHERE freeze_kind = '1' AND frozen <> carried + cur ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        Rule(ACCOUNT_FILE, "当年归集余额", "CLOSED_WITH_BALANCE", "已销户的账户余额应为 0",
             f"SELECT line FROM {a} WHERE status IN ({closed}) AND (carried <> 0 OR cur <> 0) ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
    ]
    if cutover == ys:
        rules.append(Rule(ACCOUNT_FILE, "当年归集积数", "JISHU_AT_YEAR_START",
                          "迁移日期为计息年度首日（7月1日），迁移前的本年度积数应为 0",
                          f"SELECT line FROM {a} WHERE jishu_cur <> 0 OR jishu_car <> 0 ORDER BY seq"))  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
    return rules


def _run_rules(rules: list[Rule], sink: ErrorSink) -> None:
    with connection.cursor() as cur:
        for r in rules:
            cur.execute(r.sql)
            while batch := cur.fetchmany(5000):
                for line, *detail in batch:
                    sink.add(r.file, int(line), r.column, r.code, format_message(r.message, *detail, "", ""))


# ---------------------------------------------------------------- the import


@dataclass
class CutoverResult:
    employers: int = 0
    members: int = 0
    accounts: int = 0
    total_carried: int = 0
    total_current: int = 0
    frozen_accounts: int = 0
    voucher_no: str = ""
    job_id: int | None = None
    checks: list[CheckResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per load phase (also in the job log)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks if c.name != "audit.unsealed")


def _policy(cutover_date: date, center: Center) -> dict[str, Any]:
    def e4(key: str) -> int:
        return int(Decimal(str(policy_value(key, on=cutover_date, center=center))) * 10000)

    return {
        "ratio_min": e4("contribution.ratio.min"),
        "ratio_max": e4("contribution.ratio.max"),
        "equal_sides": bool(policy_value("contribution.ratio.equal_sides", on=cutover_date, center=center)),
        "cap": int(policy_value("contribution.base.cap", on=cutover_date, center=center)),
        "floor": int(policy_value("contribution.base.floor", on=cutover_date, center=center)),
    }


def _refuse_non_empty(center: Center) -> None:
    if Employer.objects.filter(center=center).exists():
        raise DomainError("CUTOVER_CENTER_NOT_EMPTY",
                          f"管理中心 {center.code} 已有单位数据，期初迁移只能导入空的中心", field="center")


def _new_no(col: str, center_code: str, start: int, kind: str) -> str:
    """SQL for the new account number of a staged row: center code + zero-padded (start + seq − 1)."""
    width = WIDTH[kind]
    n = f"({col} + {int(start) - 1})"
    return f"('{center_code}' || {db.zero_pad(n, width)})"


def cutover_import(
    *, center: Center, directory: Path | str, cutover_date: date, actor: Actor, error_file: Path | str | None = None,
    progress: bool = False, echo: Callable[[str], None] | None = None, run_verify: bool = True,
) -> CutoverResult:
    """Validate a legacy extract completely, then load it into an empty center in one transaction.

    Raises CutoverInvalid (listing every error; nothing written) or DomainError (center not empty, files
    missing). Must be called outside a transaction (it is an entry point: staging commits as it streams)."""
    directory = Path(directory)
    center.refresh_from_db()
    _refuse_non_empty(center)
    ys, _ = interest_year(cutover_date)
    if cutover_date > center.business_date or interest_year(center.business_date)[0] != ys:
        raise DomainError("CUTOVER_DATE", f"迁移日期 {cutover_date} 应不晚于中心业务日期 {center.business_date}，"
                          "且在同一计息年度内", field="cutover_date")
    missing = [f for f in FILES if not (directory / f).is_file()]
    if missing:
        raise DomainError("CUTOVER_FILES_MISSING", f"目录 {directory} 缺少文件：{'、'.join(missing)}", field="directory")
    policy = _policy(cutover_date, center)
    sink = ErrorSink(path=Path(error_file) if error_file else None, echo=echo)
    job = job_start(kind="accounts.cutover", actor=actor, center=center, business_date=cutover_date,
                    title=f"期初数据迁移 {directory.name}",
                    params={"directory": str(directory), "cutover_date": cutover_date.isoformat()})
    tables = {f: stage_table(job.pk, f) for f in FILES}
    result = CutoverResult(job_id=job.pk)
    ids = _ResidentIds(on=cutover_date)

    def stage(ctx: Any) -> dict[str, dict[str, int]]:
        total = sum(count_rows(directory / f) for f in FILES)
        ctx.advance(0, total=total)
        counts = {}
        for f in FILES:
            t = tables[f]
            with transaction.atomic():
                sql.execute(f"DROP TABLE IF EXISTS {t}")
                sql.execute(_stage_ddl(t, f))
            cols = ["seq", "line", *(c.column for c in FILE_COLUMNS[f]), *_protected_names(f)]
            n = 0
            buf: list[tuple] = []
            pending: tuple[list[tuple], Any] | None = None  # a chunk whose columns the worker is encrypting

            def insert(rows: list[tuple], future: Any, t: str = t, cols: list[str] = cols, f: str = f) -> int:
                if future is not None:
                    rows = _protect_join(f, rows, future)
                with transaction.atomic():
                    done = sql.bulk_insert(t, cols, rows)
                ctx.advance(len(rows))
                return done

            protected = bool(PROTECTED_COLUMNS[f])
            with BulkProtector(sorted({p for _c, p, _e, _b in PROTECTED_COLUMNS[f]}), parallel=protected) as prot:
                for row in _read_rows(directory / f, f, sink, cutover_date, ids):
                    buf.append(row)
                    if len(buf) >= CHUNK:
                        # encrypt this chunk in the worker while the next one is parsed; insert the previous one
                        nxt = (buf, _protect_submit(prot, f, buf) if protected else None)
                        if pending is not None:
                            n += insert(*pending)
                        pending, buf = nxt, []
                if pending is not None:
                    n += insert(*pending)
                if buf:
                    n += insert(buf, _protect_submit(prot, f, buf) if protected else None)
            with transaction.atomic():
                for col in STAGE_INDEXES[f]:
                    sql.execute(f"CREATE INDEX {t}_{col} ON {t} ({col})")
                db.analyze(t)
            counts[f] = n
        result.employers, result.members, result.accounts = (counts[f] for f in FILES)
        return {"rows": counts}

    def validate(ctx: Any) -> dict[str, int]:
        rules = _rules(tables, cutover=cutover_date, **policy)
        ctx.advance(0, total=len(rules))
        with transaction.atomic():
            for r in rules:
                _run_rules([r], sink)
                ctx.advance(1)
        if sink.count:
            raise CutoverInvalid(sink)
        return {"errors": 0}

    def load(ctx: Any) -> dict[str, Any]:
        ctx.advance(0, total=result.employers + result.members + 3 * result.accounts + 2)
        _load(ctx, center=center, tables=tables, cutover_date=cutover_date, actor=actor, result=result)
        return {"employers": result.employers, "members": result.members, "accounts": result.accounts,
                "voucher_no": result.voucher_no}

    def verify(ctx: Any) -> dict[str, Any]:
        result.checks = run_checks()
        ctx.advance(len(result.checks), total=len(result.checks))
        return {"checks": {c.name: c.ok for c in result.checks}}

    steps = [Step("stage", stage, weight=4, label="读取并暂存文件"),
             Step("validate", validate, weight=1, label="校验"),
             Step("load", load, weight=4, label="装载并记账")]
    if run_verify:
        steps.append(Step("verify", verify, weight=2, label="不变式检查"))
    try:
        run_job(job, steps=steps, progress="rich" if progress else None)
    finally:
        sink.close()
        with transaction.atomic():
            for t in tables.values():
                sql.execute(f"DROP TABLE IF EXISTS {t}")
    return result


def _load(ctx: Any, *, center: Center, tables: dict[str, str], cutover_date: date, actor: Actor,
          result: CutoverResult) -> None:
    e, m, a = tables[EMPLOYER_FILE], tables[MEMBER_FILE], tables[ACCOUNT_FILE]
    ys, _ = interest_year(cutover_date)
    code = center.code
    rounding = str(policy_value("contribution.rounding", on=cutover_date, center=center))
    with transaction.atomic(durable=True):
        Center.objects.select_for_update().get(pk=center.pk)
        _refuse_non_empty(center)
        db.local_work_mem("256MB")
        branch = Branch.objects.filter(center=center).order_by("pk").first()
        if branch is None:
            raise DomainError("BRANCH_MISSING", f"管理中心 {code} 没有网点", field="center")
        emp_start = allocate(center=center, kind="employer", count=result.employers).start if result.employers else 1
        acc_start = allocate(center=center, kind="member", count=result.accounts).start if result.accounts else 1
        emp_no = _new_no("es.seq", code, emp_start, "employer")
        acc_no = _new_no("s.seq", code, acc_start, "member")
        ratio = "CAST(%s AS NUMERIC) / 10000" if connection.vendor == "postgresql" else "%s / 10000.0"

        clock = [time.perf_counter()]

        def lap(name: str) -> None:
            now = time.perf_counter()
            result.timings[name] = round(now - clock[0], 2)
            clock[0] = now

        def analyze(*tables: str) -> None:
            # the tables just filled inside this transaction have no statistics yet (autovacuum cannot see the
            # rows): without them the joins of the next steps are planned for a few rows, e.g. every chunk of
            # accounts matched against all members
            if connection.vendor == "postgresql":
                for t in tables:
                    sql.execute(f"ANALYZE {t}")

        def chunks(total: int, stmt: str, params: list[Any]) -> None:
            for lo in range(0, total, CHUNK * 4):
                hi = min(lo + CHUNK * 4, total)
                sql.execute(stmt + " AND s.seq > %s AND s.seq <= %s", [*params, lo, hi])
                ctx.advance(hi - lo)

        chunks(result.employers,
               "INSERT INTO accounts_employer (center_id, branch_id, account_no, legacy_no, credit_code, name, "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
               "economic_type, industry, payday, employer_ratio, member_ratio, status, suspense_balance, paid_up_to, "
               "contact_name, contact_phone, address, opened_date, closed_date) "
               f"SELECT %s, %s, {emp_no.replace('es.', 's.')}, s.legacy_no, s.credit_code, s.name, s.economic_type, "
               f"s.industry, s.payday, {ratio % 's.er_e4'}, {ratio % 's.mr_e4'}, s.status, 0, s.paid_up_to, "
               "s.contact_name, s.contact_phone, s.address, s.opened_date, s.closed_date FROM " + e + " s WHERE 1 = 1",
               [center.pk, branch.pk])
        lap("employers")
        chunks(result.members,
               "INSERT INTO accounts_member (center_id, name, id_type, id_number, id_number_bidx, birth_date, sex, "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
               "phone, phone_bidx, marital_status) SELECT %s, s.name, s.id_type, s.id_enc, s.id_bidx, s.birth_date, "
               f"s.sex, s.phone, s.phone_bidx, s.marital_status FROM {m} s WHERE 1 = 1", [center.pk])
        analyze("accounts_employer", "accounts_member")
        lap("members")
        for lo in range(0, result.accounts, CHUNK * 4):
            hi = min(lo + CHUNK * 4, result.accounts)
            subaccounts_open_from(
                center=center, year_start=ys,
                source=Relation(f"SELECT {acc_no} AS account_no, s.jishu_cur AS jishu_base_current, "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
                                f"s.jishu_car AS jishu_base_carried FROM {a} s WHERE s.seq > %s AND s.seq <= %s",
                                (lo, hi)),
            )
            ctx.advance(hi - lo)
        analyze("ledger_subaccount")
        lap("sub_accounts")
        # monthly amounts through the accounts money rule (its SQL twin), one branch per distinct ratio
        ratios = sorted({r for (r,) in sql.fetch(f"SELECT DISTINCT er_e4 FROM {a} UNION SELECT DISTINCT mr_e4 FROM {a}")})  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates

        def amount(col: str) -> str:
            whens = " ".join(
                f"WHEN {r} THEN {sql_monthly_amount('s.base', Decimal(r) / 10000, rounding)}" for r in ratios)
            return f"(CASE s.{col} {whens} END)"

        chunks(result.accounts,
               "INSERT INTO accounts_memberaccount (sub_id, center_id, branch_id, account_no, legacy_no, member_id, "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
               "employer_id, base, employer_ratio, member_ratio, employer_amount, member_amount, status, freeze_kind, "
               "paid_up_to, opened_date, sealed_date, seal_reason, closed_date) "
               f"SELECT sa.id, %s, %s, sa.account_no, s.legacy_no, mb.id, emp.id, s.base, {ratio % 's.er_e4'}, "
               f"{ratio % 's.mr_e4'}, {amount('er_e4')}, {amount('mr_e4')}, s.status, s.freeze_kind, s.paid_up_to, "
               "s.opened_date, s.sealed_date, s.seal_reason, s.closed_date "
               f"FROM {a} s JOIN ledger_v_sub_account sa ON sa.account_no = {acc_no} "
               f"JOIN {m} ms ON ms.id_number = s.id_number "
               "JOIN accounts_member mb ON mb.id_type = ms.id_type AND mb.id_number_bidx = ms.id_bidx "
               f"JOIN {e} es ON es.legacy_no = s.emp_legacy_no "
               f"JOIN accounts_employer emp ON emp.account_no = {emp_no} WHERE 1 = 1",
               [center.pk, branch.pk])

        lap("member_accounts")
        # opening balances: one bulk batch, staged set-based straight from the cut-over staging table
        totals = sql.fetch(f"SELECT COUNT(*), COALESCE(SUM(carried), 0), COALESCE(SUM(cur), 0) FROM {a} "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
                           "WHERE carried <> 0 OR cur <> 0")[0]
        n_rows, result.total_carried, result.total_current = (int(x) for x in totals)
        if n_rows:
            batch = batch_create(
                center=center, key=f"cutover:{code}:{ctx.job.pk}", biz_type=BizType.CUTOVER_OPENING,
                business_date=cutover_date, counter_account=COUNTER_ACCOUNT,
                description=f"期初余额迁移（{n_rows} 户）", actor=actor,
            )
            batch_stage_from(
                batch=batch, unique_accounts=True,
                source=Relation(f"SELECT s.seq, sa.id, s.cur, s.carried, %s, s.legacy_no FROM {a} s "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
                                f"JOIN ledger_v_sub_account sa ON sa.account_no = {acc_no} WHERE s.carried <> 0 OR s.cur <> 0",
                                (cutover_date,)),
            )
            lap("opening_stage")
            batch = batch_apply(batch=batch, actor=actor)
            lap("opening_post")
            result.voucher_no = batch.entry.voucher_no if batch.entry else ""
        ctx.advance(1)
        # frozen amounts, after the balances they reserve are in place
        result.frozen_accounts = subaccounts_freeze_from(
            center=center,
            source=Relation(f"SELECT {acc_no} AS account_no, s.frozen AS frozen_amount FROM {a} s WHERE s.frozen > 0"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        )
        ctx.advance(result.accounts)
        lap("frozen")
        analyze("accounts_memberaccount", "ledger_subaccount", "ledger_subledgerrow")  # for what runs next
        lap("analyze")
        ctx.log("装载用时（秒）：" + "，".join(f"{k} {v}" for k, v in result.timings.items()))
        audit_log(actor=actor, action="accounts.cutover.import", obj=center, center=center, business_date=cutover_date,
                  after={"employers": result.employers, "members": result.members, "accounts": result.accounts,
                         "employer_nos": [emp_start, emp_start + result.employers - 1],
                         "account_nos": [acc_start, acc_start + result.accounts - 1],
                         "total_carried": result.total_carried, "total_current": result.total_current,
                         "frozen_accounts": result.frozen_accounts, "voucher_no": result.voucher_no,
                         "job": ctx.job.pk})
        ctx.advance(1)
