"""Legacy cut-over (期初数据迁移): load a legacy extract (docs/cutover-format.md) into an empty center.

Three CSV files are streamed into staging tables of their own (COPY on PostgreSQL, executemany on SQLite),
checked row by row in Python while they stream (formats, ID check digits, code tables) and then set-based in
SQL (duplicates, references, one active account per person, policy ranges, balances, dates). Any error
stops the import before a business table is touched: every error is reported (file, row, column, code,
message) and written to the error file (.csv or .xlsx, core.ingest). A clean extract is loaded with INSERT … SELECT in chunks inside
one transaction (so a crash leaves nothing behind and the import can simply run again), the opening
balances are posted through the ledger's bulk batch (business type 90, counter account 10101), and the
invariants of `hpf verify` are run at the end."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from openhpf.audit.services import audit_log
from openhpf.core import db
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.business_date import rule_dated_scope
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
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.ids import ResidentIdCache, validate_credit_code
from openhpf.core.ingest import (
    ErrorSink,
    FieldError,
    HeaderMap,
    Limits,
    SinkExport,
    TableFile,
    code_parser,
    count_lines,
    int_parser,
    parse_date,
    parse_fen,
    parse_month,
    parse_phone,
    parse_ratio_e4,
    text_parser,
)
from openhpf.core.models import Branch, Center
from openhpf.core.money import format_fen, format_ratio_e4
from openhpf.core.policy import policy_value
from openhpf.core.validation import Rule, run_rules
from openhpf.core.verify import CheckResult, run_checks
from openhpf.jobs.runner import Step, job_start, run_job
from openhpf.ledger import sql
from openhpf.ledger.chart import DEFAULT_BANK
from openhpf.ledger.services import (
    batch_apply,
    batch_create,
    batch_stage_from,
    subaccounts_analyze,
    subaccounts_check_references,
    subaccounts_freeze_from,
    subaccounts_open_from,
)
from openhpf.security.bulk import BulkProtector, die_with_parent

from .calculations import sql_monthly_amount, sql_ratio_from_e4
from .models import Employer, Member, MemberAccount
from .numbering import WIDTH, allocate
from .paidmonths import paid_months_assume_ranges_from, paid_months_ranges_from

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


# ---------------------------------------------------------------- errors


class CutoverInvalid(DomainError):
    """The extract has errors: nothing was written. `report` holds them (the error file has every one)."""

    def __init__(self, sink: ErrorSink) -> None:
        where = f"，明细见 {sink.path}" if sink.path else ""
        super().__init__(ErrorCode.CUTOVER_INVALID, f"迁移数据校验未通过，共 {sink.count} 处错误，未写入任何业务数据{where}",
                         details={"errors": sink.count, "error_file": str(sink.path or "")})
        self.sink = sink
        self.report = sink.report()


# ---------------------------------------------------------------- file layouts

@dataclass(frozen=True)
class Col:
    header: str
    column: str  # staging column
    parse: Callable[[str, str], Any]
    required: bool = True
    default: Any = None
    kind: str = "TEXT"  # staging SQL type: TEXT, INT, DATE


def parse_month_ranges(v: str, label: str) -> str:
    """缴存月份: months and ranges of months paid, in order and apart, separated by ';' (also '；' or ','):
    '201901-202303;202305' → '201901-202303;202305-202305'."""
    out: list[tuple[str, str]] = []
    for part in v.replace("；", ";").replace(",", ";").replace("，", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        pieces = [x.strip() for x in part.split("-")]
        if len(pieces) == 4:  # 2019-01-2023-03
            bounds = [pieces[0] + pieces[1], pieces[2] + pieces[3]]
        elif len(pieces) == 2 and all(len(x) == 6 for x in pieces):  # 201901-202303
            bounds = pieces
        else:  # one month, in any form parse_month reads
            bounds = [part]
        try:
            first, last = parse_month(bounds[0], label), parse_month(bounds[-1], label)
        except FieldError:
            raise FieldError(ErrorCode.PAID_MONTHS_FORMAT, f"{label}格式不正确：{v}") from None
        if first > last or (out and first <= out[-1][1]):
            raise FieldError(ErrorCode.PAID_MONTHS_FORMAT, f"{label}应按时间先后且不重叠：{v}")
        out.append((first, last))
    return ";".join(f"{a}-{b}" for a, b in out)


FILE_COLUMNS: dict[str, list[Col]] = {
    EMPLOYER_FILE: [
        Col("单位账号(原)", "legacy_no", text_parser(40)),
        Col("单位名称", "name", text_parser(120)),
        Col("统一社会信用代码", "credit_code", lambda v, _label: validate_credit_code(v)),
        Col("经济类型", "economic_type", code_parser(EconomicType)),
        Col("所属行业", "industry", code_parser(Industry)),
        Col("发薪日", "payday", int_parser(1, 31), kind="INT"),
        Col("单位缴存比例", "er_e4", parse_ratio_e4, kind="INT"),
        Col("个人缴存比例", "mr_e4", parse_ratio_e4, kind="INT"),
        Col("单位状态", "status", code_parser(EmployerStatus)),
        Col("缴至年月", "paid_up_to", parse_month, required=False, default=""),
        Col("开户日期", "opened_date", parse_date, kind="DATE"),
        Col("销户日期", "closed_date", parse_date, required=False, kind="DATE"),
        Col("经办人", "contact_name", text_parser(40), required=False, default=""),
        Col("经办人电话", "contact_phone", text_parser(20), required=False, default=""),
        Col("单位地址", "address", text_parser(200), required=False, default=""),
    ],
    MEMBER_FILE: [
        Col("姓名", "name", text_parser(60)),
        Col("证件类型", "id_type", code_parser(IdType)),
        Col("证件号码", "id_number", text_parser(32)),
        Col("手机号码", "phone", parse_phone, required=False, default=""),
        Col("婚姻状况", "marital_status", code_parser(MaritalStatus), required=False,
            default=MaritalStatus.UNKNOWN.value),
        Col("出生日期", "birth_date", parse_date, required=False, kind="DATE"),
        Col("性别", "sex", code_parser(Sex), required=False),
    ],
    ACCOUNT_FILE: [
        Col("个人账号(原)", "legacy_no", text_parser(40)),
        Col("证件号码", "id_number", text_parser(32)),
        Col("单位账号(原)", "emp_legacy_no", text_parser(40)),
        Col("缴存基数", "base", parse_fen, kind="INT"),
        Col("单位缴存比例", "er_e4", parse_ratio_e4, kind="INT"),
        Col("个人缴存比例", "mr_e4", parse_ratio_e4, kind="INT"),
        Col("账户状态", "status", code_parser(MemberAccountStatus)),
        Col("冻结标志", "freeze_kind", code_parser(FreezeKind), required=False, default=FreezeKind.NONE.value),
        Col("冻结金额", "frozen", parse_fen, required=False, default=0, kind="INT"),
        Col("上年结转余额", "carried", parse_fen, kind="INT"),
        Col("当年归集余额", "cur", parse_fen, kind="INT"),
        Col("当年归集积数", "jishu_cur", parse_fen, kind="INT"),
        Col("上年结转积数", "jishu_car", parse_fen, kind="INT"),
        Col("缴至年月", "paid_up_to", parse_month, required=False, default=""),
        Col("缴存月份", "paid_ranges", parse_month_ranges, required=False, default=""),
        Col("开户日期", "opened_date", parse_date, kind="DATE"),
        Col("封存日期", "sealed_date", parse_date, required=False, kind="DATE"),
        Col("封存原因", "seal_reason", text_parser(100), required=False, default=""),
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


def _read_rows(path: Path, file: str, sink: ErrorSink, ids: ResidentIdCache, limits: Limits) -> Iterator[tuple]:
    """Parse one file row by row into staging tuples; every problem goes to the sink (the row is still staged,
    with NULL where a value was unusable, so the set-based checks see every row)."""
    cols = FILE_COLUMNS[file]
    try:
        table = TableFile(path, sink=sink, limits=limits)
    except OSError as exc:
        sink.add(file, None, "", ErrorCode.FILE_UNREADABLE, f"无法读取文件：{exc}")
        return
    index = HeaderMap(c.header for c in cols).index(table.header)
    if table.empty:
        return
    missing = [c.header for c in cols if c.required and c.header not in index]
    if missing:
        for h in missing:
            sink.add(file, 1, h, ErrorCode.HEADER_MISSING, f"缺少必需的列：{h}")
        return
    # per column: its parser, its cell's position (None: not in the file), whether required, its default, header
    plan = [(c.parse, index.get(c.header), c.required, c.default, c.header) for c in cols]
    positions = [i for _p, i, _r, _d, _h in plan]
    width = 1 + max(i for i in positions if i is not None)
    complete = None not in positions  # every column present: a full row's cells are read without checks
    is_member = file == MEMBER_FILE
    for seq, (line, raw) in enumerate(table.rows(), 1):
        if complete and len(raw) >= width:
            cells = [raw[i].strip() for i in positions]  # type: ignore[index]
        else:
            cells = [raw[i].strip() if i is not None and i < len(raw) else "" for i in positions]
        out: list[Any] = [seq, line]
        append = out.append
        for (parse, _i, required, default, header), v in zip(plan, cells, strict=True):
            if v:
                try:
                    append(parse(v, header))
                except (FieldError, DomainError) as exc:
                    sink.add(file, line, header, exc.code, exc.message)
                    append(None)
            else:
                if required:
                    sink.add(file, line, header, ErrorCode.REQUIRED, f"{header}不能为空")
                append(default)
        if is_member:
            _member_identity(out, sink, file, line, ids)
        yield tuple(out)


# member tuple positions: seq, line, name, id_type, id_number, phone, marital_status, birth_date, sex
def _member_identity(out: list[Any], sink: ErrorSink, file: str, line: int, ids: ResidentIdCache) -> None:
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
            sink.add(file, line, "出生日期", ErrorCode.BIRTH_DATE_MISMATCH, "出生日期与身份证号码不一致")
        if out[8] and out[8] != sex:
            sink.add(file, line, "性别", ErrorCode.SEX_MISMATCH, "性别与身份证号码不一致")
        out[7], out[8] = birth, sex
    else:
        if not out[7]:
            sink.add(file, line, "出生日期", ErrorCode.REQUIRED, "非身份证件须填写出生日期")
        if not out[8]:
            out[8] = Sex.UNKNOWN.value


# ---------------------------------------------------------------- set-based validation


def _rule(file: str, column: str, code: ErrorCode, message: str, query: str) -> Rule:
    """A check of the staged rows: `query` selects the line and the values the message shows ({0}, {1})."""
    return Rule(code=code, message=message, column=column, sql=query, file=file)


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
        _rule(EMPLOYER_FILE, "单位账号(原)", ErrorCode.DUPLICATE_EMPLOYER_NO, "单位账号 {0} 重复", dup(e, "legacy_no")),
        _rule(EMPLOYER_FILE, "统一社会信用代码", ErrorCode.DUPLICATE_CREDIT_CODE, "统一社会信用代码 {0} 重复",
             dup(e, "credit_code")),
        _rule(MEMBER_FILE, "证件号码", ErrorCode.DUPLICATE_ID, "证件号码 {0} 重复（一人一条个人信息）", dup(m, "id_number")),
        _rule(ACCOUNT_FILE, "个人账号(原)", ErrorCode.DUPLICATE_ACCOUNT_NO, "个人账号 {0} 重复", dup(a, "legacy_no")),
        _rule(ACCOUNT_FILE, "单位账号(原)", ErrorCode.EMPLOYER_UNKNOWN, "单位账号 {0} 在单位文件中不存在",
             f"SELECT a.line, a.emp_legacy_no FROM {a} a WHERE a.emp_legacy_no IS NOT NULL AND NOT EXISTS "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"(SELECT 1 FROM {e} x WHERE x.legacy_no = a.emp_legacy_no) ORDER BY a.seq"),
        _rule(ACCOUNT_FILE, "证件号码", ErrorCode.MEMBER_UNKNOWN, "证件号码 {0} 在个人文件中不存在",
             f"SELECT a.line, a.id_number FROM {a} a WHERE a.id_number IS NOT NULL AND NOT EXISTS "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"(SELECT 1 FROM {m} x WHERE x.id_number = a.id_number) ORDER BY a.seq"),
        _rule(ACCOUNT_FILE, "证件号码", ErrorCode.ONE_ACTIVE_ACCOUNT, "证件号码 {0} 有多个正常或封存的个人账户（一人一户）",
             f"SELECT line, id_number FROM {a} WHERE status IN ({active}) AND id_number IN (SELECT id_number FROM {a} "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"WHERE status IN ({active}) GROUP BY id_number HAVING COUNT(*) > 1) ORDER BY seq"),
        _rule(ACCOUNT_FILE, "账户状态", ErrorCode.ACTIVE_UNDER_CLOSED_EMPLOYER, "单位 {0} 已销户，其下不能有正常账户",
             f"SELECT a.line, a.emp_legacy_no FROM {a} a JOIN {e} x ON x.legacy_no = a.emp_legacy_no "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"WHERE a.status = '01' AND x.status = '04' ORDER BY a.seq"),
        _rule(MEMBER_FILE, "出生日期", ErrorCode.DATE_AFTER_CUTOVER, "出生日期 {0} 晚于迁移日期",
             f"SELECT line, birth_date FROM {m} WHERE birth_date > '{cd}' ORDER BY seq"),  # noqa: S608 — cut-over date is a date object (ISO digits); table from code
    ]
    for file, table in ((EMPLOYER_FILE, e), (ACCOUNT_FILE, a)):
        for col, label in (("er_e4", "单位缴存比例"), ("mr_e4", "个人缴存比例")):
            rules.append(_rule(
                file, label, ErrorCode.RATIO_RANGE,
                f"{label} {{0:percent_e4}} 不在 {format_ratio_e4(ratio_min)}–{format_ratio_e4(ratio_max)} 之间",
                f"SELECT line, {col} FROM {table} WHERE {col} < {ratio_min} OR {col} > {ratio_max} ORDER BY seq"))  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        if equal_sides:
            rules.append(_rule(file, "个人缴存比例", ErrorCode.RATIO_EQUAL_SIDES, "单位与个人缴存比例须相同（{0:percent_e4}≠{1:percent_e4}）",
                              f"SELECT line, er_e4, mr_e4 FROM {table} WHERE er_e4 <> mr_e4 ORDER BY seq"))  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        for col, label in (("opened_date", "开户日期"), ("closed_date", "销户日期")):
            rules.append(_rule(file, label, ErrorCode.DATE_AFTER_CUTOVER, f"{label} {{0}} 晚于迁移日期 {cd}",
                              f"SELECT line, {col} FROM {table} WHERE {col} > '{cd}' ORDER BY seq"))  # noqa: S608 — cut-over date is a date object (ISO digits); table from code
        rules.append(_rule(file, "缴至年月", ErrorCode.MONTH_AFTER_CUTOVER, f"缴至年月 {{0}} 晚于迁移月份 {ym}",
                          f"SELECT line, paid_up_to FROM {table} WHERE paid_up_to > '{ym}' ORDER BY seq"))  # noqa: S608 — month derived from the cut-over date (digits); table from code
    rules += [
        _rule(ACCOUNT_FILE, "缴存月份", ErrorCode.PAID_MONTHS_LAST, "缴存月份的最后一个月 {0} 与缴至年月 {1} 不一致",
              f"SELECT line, SUBSTR(paid_ranges, LENGTH(paid_ranges) - 5, 6), paid_up_to FROM {a} "  # noqa: S608 — own staging tables and columns from code
              "WHERE paid_ranges <> '' AND SUBSTR(paid_ranges, LENGTH(paid_ranges) - 5, 6) <> paid_up_to ORDER BY seq"),
        _rule(ACCOUNT_FILE, "开户日期", ErrorCode.OPENED_BEFORE_EMPLOYER, "个人开户日期 {0} 早于单位开户日期 {1}",
             f"SELECT a.line, a.opened_date, x.opened_date FROM {a} a JOIN {e} x ON x.legacy_no = a.emp_legacy_no "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"WHERE a.opened_date < x.opened_date ORDER BY a.seq"),
        _rule(ACCOUNT_FILE, "封存日期", ErrorCode.DATE_AFTER_CUTOVER, f"封存日期 {{0}} 晚于迁移日期 {cd}",
             f"SELECT line, sealed_date FROM {a} WHERE sealed_date > '{cd}' ORDER BY seq"),  # noqa: S608 — cut-over date is a date object (ISO digits); table from code
        _rule(ACCOUNT_FILE, "封存日期", ErrorCode.SEALED_DATE_REQUIRED, "封存状态的账户须填写封存日期",
             f"SELECT line FROM {a} WHERE status = '02' AND sealed_date IS NULL ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "账户状态", ErrorCode.STATUS_FROZEN_IS_A_FLAG, "冻结不是账户状态：请用冻结标志和冻结金额表示",
             f"SELECT line FROM {a} WHERE status IN ('06', '99') ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "缴存基数", ErrorCode.BASE_ABOVE_CAP, f"缴存基数 {{0:yuan}} 元高于上限 {format_fen(cap)} 元",
             f"SELECT line, base FROM {a} WHERE status = '01' AND base > {cap} ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "缴存基数", ErrorCode.BASE_BELOW_FLOOR, f"缴存基数 {{0:yuan}} 元低于下限 {format_fen(floor)} 元",
             f"SELECT line, base FROM {a} WHERE status = '01' AND base < {floor} ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "缴存基数", ErrorCode.BASE_NEGATIVE, "缴存基数不能为负数",
             f"SELECT line FROM {a} WHERE base < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "上年结转余额", ErrorCode.BALANCE_NEGATIVE, "上年结转余额不能为负数（{0:yuan} 元）",
             f"SELECT line, carried FROM {a} WHERE carried < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "当年归集余额", ErrorCode.BALANCE_NEGATIVE, "当年归集余额不能为负数（{0:yuan} 元）",
             f"SELECT line, cur FROM {a} WHERE cur < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "当年归集积数", ErrorCode.JISHU_NEGATIVE, "当年归集积数不能为负数",
             f"SELECT line FROM {a} WHERE jishu_cur < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "上年结转积数", ErrorCode.JISHU_NEGATIVE, "上年结转积数不能为负数",
             f"SELECT line FROM {a} WHERE jishu_car < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "冻结金额", ErrorCode.FROZEN_NEGATIVE, "冻结金额不能为负数",
             f"SELECT line FROM {a} WHERE frozen < 0 ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "冻结金额", ErrorCode.FROZEN_EXCEEDS_BALANCE, "冻结金额 {0:yuan} 元大于账户余额 {1:yuan} 元",
             f"SELECT line, frozen, carried + cur FROM {a} WHERE frozen > carried + cur ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "冻结金额", ErrorCode.FREEZE_KIND_AMOUNT, "冻结标志为未冻结时冻结金额应为 0，冻结时应大于 0",
             f"SELECT line FROM {a} WHERE (freeze_kind = '0' AND frozen <> 0) OR (freeze_kind <> '0' AND frozen = 0 "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
             f"AND carried + cur > 0) ORDER BY seq"),
        _rule(ACCOUNT_FILE, "冻结金额", ErrorCode.FULL_FREEZE_AMOUNT, "全部冻结时冻结金额应等于账户余额",
             f"SELECT line FROM {a} WHERE freeze_kind = '1' AND frozen <> carried + cur ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
        _rule(ACCOUNT_FILE, "当年归集余额", ErrorCode.CLOSED_WITH_BALANCE, "已销户的账户余额应为 0",
             f"SELECT line FROM {a} WHERE status IN ({closed}) AND (carried <> 0 OR cur <> 0) ORDER BY seq"),  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
    ]
    if cutover == ys:
        rules.append(_rule(ACCOUNT_FILE, "当年归集积数", ErrorCode.JISHU_AT_YEAR_START,
                          "迁移日期为计息年度首日（7月1日），迁移前的本年度积数应为 0",
                          f"SELECT line FROM {a} WHERE jishu_cur <> 0 OR jishu_car <> 0 ORDER BY seq"))  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
    return rules


# ---------------------------------------------------------------- the import


# Openings of apps above this one, posted in the load's own transaction once the balances are in (contributions:
# the accrued interest payable). Each is called with center, cutover_date, actor and the import's `openings`
# options, and returns what it posted (kept in CutoverResult.openings under its name).
CutoverOpening = Callable[..., dict[str, Any]]
_OPENINGS: dict[str, CutoverOpening] = {}


def register_cutover_opening(name: str, opening: CutoverOpening) -> None:
    _OPENINGS[name] = opening


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
    openings: dict[str, dict[str, Any]] = field(default_factory=dict)  # what each registered opening posted

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
        raise DomainError(ErrorCode.CUTOVER_CENTER_NOT_EMPTY,
                          f"管理中心 {center.code} 已有单位数据，期初迁移只能导入空的中心", field="center")


def _new_no(col: str, center_code: str, start: int, kind: str) -> str:
    """SQL for the new account number of a staged row: center code + zero-padded (start + seq − 1)."""
    width = WIDTH[kind]
    n = f"({col} + {int(start) - 1})"
    return f"('{center_code}' || {db.zero_pad(n, width)})"


def _check_request(center: Center, directory: Path, cutover_date: date) -> None:
    """Refuse before any work: a center with data, a cut-over date after the business date or in another
    interest year, or an extract directory without all its files."""
    center.refresh_from_db()
    _refuse_non_empty(center)
    ys, _ = interest_year(cutover_date)
    if cutover_date > center.business_date or interest_year(center.business_date)[0] != ys:
        raise DomainError(ErrorCode.CUTOVER_DATE, f"迁移日期 {cutover_date} 应不晚于中心业务日期 {center.business_date}，"
                          "且在同一计息年度内", field="cutover_date")
    missing = [f for f in FILES if not (directory / f).is_file()]
    if missing:
        raise DomainError(ErrorCode.CUTOVER_FILES_MISSING, f"目录 {directory} 缺少文件：{'、'.join(missing)}", field="directory")


def _create_stage_table(t: str, f: str) -> None:
    with transaction.atomic():
        sql.execute(f"DROP TABLE IF EXISTS {t}")
        sql.execute(_stage_ddl(t, f))


def _stage_file(ctx: Any, path: Path, f: str, t: str, *, sink: ErrorSink, ids: ResidentIdCache,
                limits: Limits) -> int:
    """Stream one extract file into its staging table in chunks (the protected columns of a chunk encrypted in
    the worker while the next chunk is parsed), then index and analyze the table. Returns the rows staged."""
    _create_stage_table(t, f)
    cols = ["seq", "line", *(c.column for c in FILE_COLUMNS[f]), *_protected_names(f)]
    n = 0
    buf: list[tuple] = []
    pending: tuple[list[tuple], Any] | None = None  # a chunk whose columns the worker is encrypting

    def insert(rows: list[tuple], future: Any) -> int:
        if future is not None:
            rows = _protect_join(f, rows, future)
        with transaction.atomic():
            done = sql.bulk_insert(t, cols, rows)
        ctx.advance(len(rows))
        return done

    protected = bool(PROTECTED_COLUMNS[f])
    with BulkProtector(sorted({p for _c, p, _e, _b in PROTECTED_COLUMNS[f]}), parallel=protected) as prot:
        for row in _read_rows(path, f, sink, ids, limits):
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
    return n


class _StagedAside:
    """PostgreSQL: one file without protected columns (个人账户.csv, the largest) parsed and staged in a worker
    process beside this one, over a database connection of its own, while this process stages the other files:
    the two cores parse at once. The staging table is created here first; the worker parses the rows exactly as
    `_stage_file` does, COPYs them, indexes and analyzes the table and commits; its errors come back to the
    import's sink (`collect`), where they count and are written as if found here."""

    def __init__(self, path: Path, f: str, t: str, *, sink: ErrorSink, limits: Limits, on: date) -> None:
        if PROTECTED_COLUMNS[f]:
            raise ValueError(f"{f}: a file with protected columns is staged by _stage_file")
        _create_stage_table(t, f)
        mp = multiprocessing.get_context("fork")  # the child inherits the imported modules, not the connection
        self._recv, send = mp.Pipe(duplex=False)
        self._proc = mp.Process(target=_stage_aside_main, name=f"cutover-stage-{t}", daemon=True,
                                args=(send, os.getpid(), path, f, t, limits, sink.cap_per_code, on))
        self._proc.start()
        send.close()
        self.sink = sink

    def collect(self) -> int:
        """Wait for the worker; its errors go to the sink. Returns the rows staged (or raises what it raised)."""
        try:
            got = self._recv.recv()
        except EOFError:
            got = ("crash", f"exit code {self._proc.exitcode}")
        finally:
            self._proc.join()
        if got[0] == "ok":
            n, exported = got[1], got[2]
            self.sink.absorb(exported)
            return int(n)
        if got[0] == "domain":
            _kind, code, message, field_, file_, details = got
            raise DomainError(ErrorCode[code], message, field=field_, file=file_, details=details)
        raise RuntimeError(f"cut-over staging worker failed: {got[1]}")

    def cancel(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()


def _stage_aside_main(send: Any, parent_pid: int, path: Path, f: str, t: str, limits: Limits, cap: int | None,
                      on: date) -> None:
    """The worker of _StagedAside (a forked process): never touches the Django connection it inherited."""
    die_with_parent(parent_pid)
    try:
        sink = ErrorSink(keep=sys.maxsize, cap_per_code=cap)
        cols = ", ".join(["seq", "line", *(c.column for c in FILE_COLUMNS[f])])
        n = 0
        with db.worker_connection() as conn, conn.cursor() as cur:
            with cur.copy(f"COPY {t} ({cols}) FROM STDIN") as copy:  # own staging table, columns from code
                for row in _read_rows(path, f, sink, ResidentIdCache(on=on), limits):
                    copy.write_row(row)
                    n += 1
            for col in STAGE_INDEXES[f]:
                cur.execute(f"CREATE INDEX {t}_{col} ON {t} ({col})")
            cur.execute(f"ANALYZE {t}")
        result: tuple[Any, ...] = ("ok", n, sink.export())
    except DomainError as exc:  # e.g. a file over the row limit: raised again in the parent, as it is
        result = ("domain", str(exc.code), exc.message, exc.field, exc.file, exc.details)
    except BaseException:  # anything else is reported to the parent, which fails the step
        result = ("crash", traceback.format_exc())
    send.send(result)
    send.close()


def _validate_staged(ctx: Any, rules: list[Rule], *, sink: ErrorSink, limits: Limits) -> None:
    """Run every set-based rule over the staged rows (one progress tick each); any problem fails the load.

    PostgreSQL: two rules at a time, each in a thread with a connection of its own (the staged rows are
    committed, the queries only read), their errors taken into the sink in the order of the rules, as if run
    one after the other: the two CPUs check at once."""
    ctx.advance(0, total=len(rules))
    cap = limits.max_errors_per_rule
    if db.is_postgresql() and len(rules) > 1:
        with ThreadPoolExecutor(max_workers=VALIDATE_THREADS, thread_name_prefix="cutover-validate") as pool:
            for exported in pool.map(lambda r: _rule_alone(r, cap), rules):
                sink.absorb(exported)
                ctx.advance(1)
    else:
        with transaction.atomic():
            for r in rules:
                run_rules([r], sink, cap=cap)
                ctx.advance(1)
    if sink.count:
        raise CutoverInvalid(sink)


VALIDATE_THREADS = 2


def _rule_alone(rule: Rule, cap: int | None) -> SinkExport:
    """One rule in a worker thread (its own database connection, closed at the end): what it found."""
    try:
        mine = ErrorSink(keep=sys.maxsize)
        run_rules([rule], mine, cap=cap)
        return mine.export()
    finally:
        connection.close()


def cutover_import(
    *, center: Center, directory: Path | str, cutover_date: date, actor: Actor, error_file: Path | str | None = None,
    progress: bool = False, echo: Callable[[str], None] | None = None, run_verify: bool = True,
    openings: dict[str, Any] | None = None,
) -> CutoverResult:
    """Validate a legacy extract completely, then load it into an empty center in one transaction.

    Raises CutoverInvalid (listing every error; nothing written) or DomainError (center not empty, files
    missing). Must be called outside a transaction (it is an entry point: staging commits as it streams).
    `openings`: options of the registered openings, e.g. {"accrued_interest": fen} (the legacy 应付利息)."""
    directory = Path(directory)
    _check_request(center, directory, cutover_date)
    policy = _policy(cutover_date, center)
    limits = Limits.from_policy(on=cutover_date, center=center)
    for f in FILES:
        limits.check_size((directory / f).stat().st_size, f)
    sink = ErrorSink(path=Path(error_file) if error_file else None, echo=echo,
                     cap_per_code=limits.max_errors_per_rule)
    job = job_start(kind="accounts.cutover", actor=actor, center=center, business_date=cutover_date,
                    title=f"期初数据迁移 {directory.name}",
                    params={"directory": str(directory), "cutover_date": cutover_date.isoformat()})
    tables = {f: stage_table(job.pk, f) for f in FILES}
    result = CutoverResult(job_id=job.pk)
    ids = ResidentIdCache(on=cutover_date)

    def stage(ctx: Any) -> dict[str, dict[str, int]]:
        total = sum(count_lines(directory / f) for f in FILES)
        ctx.advance(0, total=total)
        counts = {}
        # PostgreSQL: the account file (the largest, nothing to encrypt) is staged by a worker while this process
        # stages the employers and members; SQLite (one writer) stages the three in turn
        aside = (_StagedAside(directory / ACCOUNT_FILE, ACCOUNT_FILE, tables[ACCOUNT_FILE], sink=sink,
                              limits=limits, on=cutover_date) if db.is_postgresql() else None)
        try:
            for f in FILES:
                if f == ACCOUNT_FILE and aside is not None:
                    counts[f] = aside.collect()
                    ctx.advance(counts[f])
                else:
                    counts[f] = _stage_file(ctx, directory / f, f, tables[f], sink=sink, ids=ids, limits=limits)
        except BaseException:
            if aside is not None:
                aside.cancel()
            raise
        result.employers, result.members, result.accounts = (counts[f] for f in FILES)
        return {"rows": counts}

    def validate(ctx: Any) -> dict[str, int]:
        _validate_staged(ctx, _rules(tables, cutover=cutover_date, **policy), sink=sink, limits=limits)
        return {"errors": 0}

    def load(ctx: Any) -> dict[str, Any]:
        ctx.advance(0, total=result.employers + result.members + 3 * result.accounts + 2)
        _load(ctx, center=center, tables=tables, cutover_date=cutover_date, actor=actor, result=result,
              openings=openings or {})
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


def _load_paid_months(center: Center, a: str, acc_no: str, cutover_date: date) -> None:
    """The paid-month store of the new accounts, set-based: the ranges the file gives, or else the months from
    opening to 缴至年月 assumed without a gap, those accounts flagged (accounts.paidmonths)."""
    longest = int(sql.fetch(f"SELECT COALESCE(MAX(LENGTH(paid_ranges)), 0) FROM {a}")[0][0])  # noqa: S608 — own staging table
    work, given = f"{a}_paid", ""
    if longest:
        # the staged 缴存月份 is normalised (parse_month_ranges): 'YYYYMM-YYYYMM' ranges joined by ';', so range
        # k (from 0) starts at character 14k + 1; a numbers series up to the longest text cuts them apart
        db.create_staging_table(work, ["sub_id BIGINT NOT NULL", "first_ym VARCHAR(6) NOT NULL",
                                       "last_ym VARCHAR(6) NOT NULL"])
        sql.execute(
            "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < %s) "  # noqa: S608 — own staging tables, columns from code
            f"INSERT INTO {work} (sub_id, first_ym, last_ym) "
            "SELECT sa.id, SUBSTR(s.paid_ranges, n.k * 14 + 1, 6), SUBSTR(s.paid_ranges, n.k * 14 + 8, 6) "
            f"FROM {a} s JOIN ledger_v_sub_account sa ON sa.account_no = {acc_no} "
            "JOIN n ON n.k * 14 < LENGTH(s.paid_ranges) WHERE s.paid_ranges <> ''",
            [(longest + 1) // 14 - 1])
        sql.execute(f"CREATE INDEX {work}_sub ON {work} (sub_id)")
        db.analyze(work)
        paid_months_ranges_from(source=Relation(f"SELECT sub_id, first_ym, last_ym FROM {work}"))  # noqa: S608 — own work table
        given = f" AND NOT EXISTS (SELECT 1 FROM {work} w WHERE w.sub_id = a.sub_id)"  # noqa: S608 — own work table
    # the others with a 缴至年月 are assumed: the center was empty, so its accounts are the ones just loaded, read
    # straight from their table (no join back to the staged rows)
    paid_months_assume_ranges_from(
        ranges=Relation(f"SELECT a.sub_id, {db.month_key('a.opened_date')} AS first_ym, a.paid_up_to AS last_ym "  # noqa: S608 — own tables, columns from code
                        f"FROM accounts_memberaccount a WHERE a.center_id = %s AND a.paid_up_to <> ''{given}",
                        (center.pk,)),
        source="cutover", business_date=cutover_date, new_accounts=True)
    if longest:
        db.drop_table(work)


def _load(ctx: Any, *, center: Center, tables: dict[str, str], cutover_date: date, actor: Actor,
          result: CutoverResult, openings: dict[str, Any]) -> None:
    e, m, a = tables[EMPLOYER_FILE], tables[MEMBER_FILE], tables[ACCOUNT_FILE]
    ys, _ = interest_year(cutover_date)
    code = center.code
    rounding = str(policy_value("contribution.rounding", on=cutover_date, center=center))
    with transaction.atomic(durable=True):
        Center.objects.select_for_update().get(pk=center.pk)
        _refuse_non_empty(center)
        db.local_work_mem("256MB")
        db.jit_off()  # one-off statements over a million rows: compiling them costs more than it saves
        branch = Branch.objects.filter(center=center).order_by("pk").first()
        if branch is None:
            raise DomainError(ErrorCode.BRANCH_MISSING, f"管理中心 {code} 没有网点", field="center")
        emp_start = allocate(center=center, kind="employer", count=result.employers).start if result.employers else 1
        acc_start = allocate(center=center, kind="member", count=result.accounts).start if result.accounts else 1
        emp_no = _new_no("es.seq", code, emp_start, "employer")
        acc_no = _new_no("s.seq", code, acc_start, "member")

        def ratio(col: str) -> str:  # the staged ‱ as the account's decimal ratio, exactly (no float)
            return sql_ratio_from_e4(col, connection.vendor)

        clock = [time.perf_counter()]

        def lap(name: str) -> None:
            now = time.perf_counter()
            result.timings[name] = round(now - clock[0], 2)
            clock[0] = now

        def analyze(*tables: str) -> None:
            # the tables just filled inside this transaction have no statistics yet (autovacuum cannot see the
            # rows): without them the joins of the next steps are planned for a few rows, e.g. every chunk of
            # accounts matched against all members
            db.analyze(*tables)

        def chunks(total: int, stmt: str, params: list[Any]) -> None:
            for lo in range(0, total, CHUNK * 4):
                hi = min(lo + CHUNK * 4, total)
                sql.execute(stmt + " AND s.seq > %s AND s.seq <= %s", [*params, lo, hi])
                ctx.advance(hi - lo)

        # the rows of the accounts app and their sub-accounts go in with their foreign keys proved set-based after
        # the load (db.bulk_load_unchecked), instead of one deferred check per row and key at commit
        with db.bulk_load_unchecked() as bulk:
            chunks(result.employers,
                   "INSERT INTO accounts_employer (center_id, branch_id, account_no, legacy_no, credit_code, name, "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
                   "economic_type, industry, payday, employer_ratio, member_ratio, status, suspense_balance, paid_up_to, "
                   "contact_name, contact_phone, address, opened_date, closed_date) "
                   f"SELECT %s, %s, {emp_no.replace('es.', 's.')}, s.legacy_no, s.credit_code, s.name, s.economic_type, "
                   f"s.industry, s.payday, {ratio('s.er_e4')}, {ratio('s.mr_e4')}, s.status, 0, s.paid_up_to, "
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
            subaccounts_analyze()
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
                   f"SELECT sa.id, %s, %s, sa.account_no, s.legacy_no, mb.id, emp.id, s.base, {ratio('s.er_e4')}, "
                   f"{ratio('s.mr_e4')}, {amount('er_e4')}, {amount('mr_e4')}, s.status, s.freeze_kind, s.paid_up_to, "
                   "s.opened_date, s.sealed_date, s.seal_reason, s.closed_date "
                   f"FROM {a} s JOIN ledger_v_sub_account sa ON sa.account_no = {acc_no} "
                   f"JOIN {m} ms ON ms.id_number = s.id_number "
                   "JOIN accounts_member mb ON mb.id_type = ms.id_type AND mb.id_number_bidx = ms.id_bidx "
                   f"JOIN {e} es ON es.legacy_no = s.emp_legacy_no "
                   f"JOIN accounts_employer emp ON emp.account_no = {emp_no} WHERE 1 = 1",
                   [center.pk, branch.pk])

            analyze("accounts_memberaccount")  # for the paid months and what runs after the load
            lap("member_accounts")
            _load_paid_months(center, a, acc_no, cutover_date)
            lap("paid_months")
        if bulk:
            broken = [k for model in (Employer, Member, MemberAccount)
                      for k in db.check_foreign_keys(model, "t.center_id = %s", [center.pk])]
            broken += subaccounts_check_references(center=center)
            if broken:
                raise DomainError(ErrorCode.CUTOVER_REFERENCES, keys="、".join(broken))
            lap("references")
        # opening balances: one bulk batch, staged set-based straight from the cut-over staging table
        totals = sql.fetch(f"SELECT COUNT(*), COALESCE(SUM(carried), 0), COALESCE(SUM(cur), 0) FROM {a} "  # noqa: S608 — own staging tables, columns and policy numbers from code; values bound or typed dates
                           "WHERE carried <> 0 OR cur <> 0")[0]
        n_rows, result.total_carried, result.total_current = (int(x) for x in totals)
        if n_rows:
            with rule_dated_scope(center=center, on=cutover_date):  # the opening voucher is dated then
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
        for name, opening in _OPENINGS.items():
            result.openings[name] = opening(center=center, cutover_date=cutover_date, actor=actor, options=openings)
        lap("openings")
        subaccounts_analyze(detail_rows=True)
        lap("analyze")
        ctx.log("装载用时（秒）：" + "，".join(f"{k} {v}" for k, v in result.timings.items()))
        audit_log(actor=actor, action=AuditEvent.ACCOUNTS_CUTOVER_IMPORT, obj=center, center=center, business_date=cutover_date,
                  after={"employers": result.employers, "members": result.members, "accounts": result.accounts,
                         "employer_nos": [emp_start, emp_start + result.employers - 1],
                         "account_nos": [acc_start, acc_start + result.accounts - 1],
                         "total_carried": result.total_carried, "total_current": result.total_current,
                         "frozen_accounts": result.frozen_accounts, "voucher_no": result.voucher_no,
                         "openings": result.openings,
                         "job": ctx.job.pk})
        ctx.advance(1)
