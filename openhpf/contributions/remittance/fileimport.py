"""Roster file import (缴存清册导入): .xlsx or .csv (UTF-8 or GBK) with the clerks' Chinese headers, one employer
or many (单位账号 column, files from agencies and banks), validated completely before anything is created.

Rows stream into a staging table (COPY / executemany) with the per-row checks done while reading (formats, ID
check digit through core.ids); the staged rows are joined once to accounts, members and employers, and every
rule runs as one SQL statement over that table (names, ID numbers, status, base cap/floor and ratio range in
force for the month, amount = base × ratio through accounts.calculations' SQL twin, duplicates, month already
paid). Every error is reported (row, column, code, Chinese message) in an .xlsx error file, written as the
errors are found. Unless every row is valid — or the clerk excludes the rejected rows — nothing is created;
otherwise the confirmed remittances, one per employer, and their lines are created with two INSERT … SELECT
statements. Reading, cell parsing, limits and the error file are the ingest toolkit's (core.ingest); the rules
run on the validation engine (core.validation)."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from stdnum.exceptions import ValidationError

from openhpf.accounts.calculations import sql_monthly_amount
from openhpf.accounts.models import Employer
from openhpf.audit.services import actor_label, audit_log
from openhpf.core import db
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.cells import safe_row, xlsx_row
from openhpf.core.codes import BizType, EmployerStatus, MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.ids import ResidentIdCache
from openhpf.core.ingest import (
    ErrorSink,
    FieldError,
    HeaderMap,
    Limits,
    TableFile,
    TooManyErrors,
    cell_text,
    parse_fen,
    parse_ratio_e4,
    upload_dir,
)
from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_ratio_e4
from openhpf.core.policy import policy_value
from openhpf.core.validation import Rule, failing, run_table_rules
from openhpf.jobs.models import INTERRUPTED, Job, JobStep
from openhpf.jobs.registry import register_kind
from openhpf.jobs.runner import Rejected, Step, job_start, run_job
from openhpf.ledger import sql
from openhpf.security.fields import blind_index_many, decrypt_value, is_encrypted

from ..models import RemittanceImport
from ..models.remittance import LIVE_STATUSES, RemittanceStatus
from ..months import ym, ym_first_day, ym_parse
from .backpay import joined_after_sql, roster_condition
from .services import _require

JOB_KIND = "contributions.remit_import"
CHUNK = 50_000  # rows per staging transaction (progress is written between them)
BLOCK = 1_000  # rows parsed together, column by column
# header → staging column; the optional 单位账号 lets one file carry many employers
COLUMNS = [("单位账号", "emp_no", False), ("姓名", "name", True), ("证件号码", "id_number", True),
           ("个人账号", "account_no", True), ("缴存基数", "base", True), ("单位比例", "er", True),
           ("个人比例", "mr", True), ("单位月缴额", "ea", True), ("个人月缴额", "ma", True)]
_POSITION = {col: i for i, (_, col, _) in enumerate(COLUMNS)}
# what each column takes, in the clerks' words (the upload screen and the template's 填写说明 sheet)
COLUMN_HELP = {
    "单位账号": "可不填（上传时已选单位）；一个文件含多个单位时每行必填",
    "姓名": "与个人账户登记的姓名一致",
    "证件号码": "18 位居民身份证号码，与个人账户登记的一致",
    "个人账号": "个人住房公积金账号，须为该单位的正常账户",
    "缴存基数": "金额（元），最多两位小数，如 8000 或 8000.50；须在当月缴存基数上下限之内",
    "单位比例": "百分比，如 12% 或 0.12；须在规定的比例范围内",
    "个人比例": "百分比，如 12% 或 0.12；须在规定的比例范围内",
    "单位月缴额": "金额（元）= 缴存基数 × 单位比例（按中心的舍入规则）",
    "个人月缴额": "金额（元）= 缴存基数 × 个人比例（按中心的舍入规则）",
}
EXAMPLE_ROW = ["", "张三", "330102199001011234", "0000000001", "8000.00", "12%", "12%", "960.00", "960.00"]
ALIASES = {"单位缴存比例": "单位比例", "个人缴存比例": "个人比例", "单位月缴存额": "单位月缴额",
           "个人月缴存额": "个人月缴额", "缴存基数(元)": "缴存基数", "单位月缴额(元)": "单位月缴额",
           "个人月缴额(元)": "个人月缴额"}
HEADERS = HeaderMap((h for h, _, _ in COLUMNS), ALIASES)
_LIVE = ", ".join(f"'{s.value}'" for s in LIVE_STATUSES)  # a live remittance (one per employer and month), in SQL
STAGE_COLS = ["seq", "line", "emp_no", "name", "id_number", "account_no", "base", "er", "mr", "ea", "ma", "bad"]


@dataclass
class ImportResult:
    import_id: int
    status: str = RemittanceImport.Status.VALIDATING
    rows: int = 0
    accepted_rows: int = 0
    rejected_rows: int = 0
    errors: int = 0
    error_file: str = ""
    remittance_ids: list[int] = field(default_factory=list)
    total: int = 0
    first_errors: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""  # why the whole file was refused (too many errors), in Chinese
    timings: dict[str, float] = field(default_factory=dict)
    # a preview (nothing created): what the good rows would make
    employers: int = 0
    employer_total: int = 0
    member_total: int = 0

    @property
    def accepted(self) -> bool:
        return self.status == RemittanceImport.Status.ACCEPTED

    @property
    def previewed(self) -> bool:
        return self.status == RemittanceImport.Status.PREVIEWED


def _errors(path: Path | None, cap: int | None, stop_after: int | None = None) -> ErrorSink:
    """The errors of one file: the error workbook (row, column, code, message) streamed as they are found;
    past `stop_after` errors the reading stops (TooManyErrors)."""
    return ErrorSink(path=path, with_file=False, cap_per_code=cap, stop_after=stop_after)


# ---------------------------------------------------------------- reading


def _header_map(header: list[Any], errors: ErrorSink) -> dict[str, int] | None:
    index = HEADERS.index(header)
    missing = [h for h, _, req in COLUMNS if req and h not in index]
    for h in missing:
        errors.add("", 1, h, ErrorCode.HEADER_MISSING, f"缺少必需的列：{h}")
    return None if missing else index


class _Ids(ResidentIdCache):
    """The resident-ID check of the cut-over with one more shortcut: a number whose region is known good for
    its birth year needs only its birth date (a real day, not after the business date) and its check digit.
    `quick` answers None for anything else, which then goes through the full check for its exact error."""

    def quick(self, raw: str) -> str | None:
        s = raw.upper()
        if len(s) != 18 or s[:10] not in self.good_regions or not s[:17].isdigit():
            return None
        b = s[6:14]
        birth = self.good_births.get(b)
        if birth is None:
            try:
                d = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
            except ValueError:
                return None
            if d > self.on:
                return None
            self.good_births[b] = d.isoformat()
        return s if self.ric.calc_check_digit(s) == s[17] else None

    def number(self, raw: str) -> str:
        got = self.quick(raw)  # its region may have become known since the block's fast pass
        if got is not None:
            return got
        s = raw.upper()
        region_year = s[:10]
        if len(s) == 18 and s.isascii() and region_year not in self.good_regions:
            self.good_regions.add(region_year)  # on trial: all the rest of the number is checked by quick
            got = self.quick(s)
            if got is not None:
                try:
                    self.ric.get_birth_place(s)  # the region, for this birth year
                    return got
                except ValidationError:
                    pass
            self.good_regions.discard(region_year)
        return self.check(raw)[0]


@dataclass
class _Facts:
    """What the rules need to know of a whole file, gathered while it is read (no pass over the staged rows):
    whether it names employers (单位账号), whether an account number may repeat (hashes of the numbers: a
    repeat, or a collision, sends the exact check to SQL), the ratios it uses."""

    multi: bool = False
    repeats: bool = False
    accounts: set[int] = field(default_factory=set)
    ratios: dict[str, set[int]] = field(default_factory=lambda: {"er": set(), "mr": set()})

    def see(self, out: list[list[Any]]) -> None:
        """Take in one block's converted columns (in COLUMNS order)."""
        emp, acct, er, mr = (out[_POSITION[c]] for c in ("emp_no", "account_no", "er", "mr"))
        self.multi = self.multi or any(emp)
        numbers = [hash(a) for a in acct if a is not None]
        before = len(self.accounts)
        self.accounts.update(numbers)
        self.repeats = self.repeats or len(self.accounts) - before != len(numbers)
        self.ratios["er"].update(er)
        self.ratios["mr"].update(mr)


_Plan = list[tuple[str, bool, int | None, Any, Any]]


def _column_plan(index: dict[str, int], ids: _Ids) -> _Plan:
    """Per column: header, required, position in the file, fast converter (None: misses), full converter.
    Amounts and ratios share one cache each of the texts already parsed."""
    ratios: dict[str, int] = {}
    fen: dict[str, int] = {}
    plan: _Plan = []
    for h, col, req in COLUMNS:
        if col in ("base", "ea", "ma"):
            plan.append((h, req, index.get(h), fen.get, _remember(parse_fen, h, fen)))
        elif col in ("er", "mr"):
            plan.append((h, req, index.get(h), ratios.get, _remember(parse_ratio_e4, h, ratios)))
        elif col == "id_number":
            plan.append((h, req, index.get(h), ids.quick, ids.number))
        else:
            plan.append((h, req, index.get(h), None, None))  # text, at most 120 characters
    return plan


def _block_cells(plan: _Plan, raws: list[Any], *, excel: bool, width: int) -> list[list[str]]:
    """One block of raw rows turned column-wise into stripped cell texts ("" for a missing column or cell)."""
    full_width = min(map(len, raws)) >= width
    cells: list[list[str]] = []
    for _, _, i, _, _ in plan:
        if i is None:
            cells.append([""] * len(raws))
        elif excel:
            cells.append([cell_text(r[i]) if i < len(r) else "" for r in raws])
        elif full_width:
            cells.append(list(map(str.strip, map(itemgetter(i), raws))))
        else:
            cells.append([r[i].strip() if i < len(r) else "" for r in raws])
    return cells


def _parse(path: Path, errors: ErrorSink, on: date, facts: _Facts | None = None,
           limits: Limits | None = None) -> Iterator[list[tuple]]:
    """Blocks of staging tuples, ID numbers as their blind index (_protect); a row with any format error is
    staged too (bad = 1, unusable values NULL).

    Column by column over small blocks of rows, so that the common case costs a dictionary lookup per cell:
    amounts and ratios repeat a lot in a roster and are parsed once each, an ID number is checked by its
    check digit once its region and birth year are known good; everything else (a first sight, an empty or
    wrong cell) goes through the full parser for its value or its exact error. Blocks stay small so that the
    rows read are still in the processor's cache when they are converted."""
    table = TableFile(path, sink=errors, limits=limits, label="")
    if table.empty:
        errors.add("", 1, "", ErrorCode.FILE_EMPTY, "文件为空")
        return
    index = _header_map(table.header, errors)
    if index is None:
        return
    plan = _column_plan(index, _Ids(on=on))
    excel = table.excel
    width = max((i for _, _, i, _, _ in plan if i is not None), default=-1) + 1
    seq = 0
    for lines, raws in table.blocks(BLOCK):
        cells = _block_cells(plan, raws, excel=excel, width=width)
        if "" in cells[_POSITION["account_no"]]:  # a blank line (no rows) has no account number either
            keep = [any(t) for t in zip(*cells, strict=True)]
            if not all(keep):
                lines = [x for x, k in zip(lines, keep, strict=True) if k]
                cells = [[x for x, k in zip(c, keep, strict=True) if k] for c in cells]
                if not lines:
                    continue
        bad = [0] * len(lines)
        out = [_convert(values, h, req, fast, full, lines, bad, errors)
               for (h, req, _, fast, full), values in zip(plan, cells, strict=True)]
        if facts is not None:
            facts.see(out)
        ids_at = _POSITION["id_number"]
        out[ids_at] = _protect(out[ids_at])
        yield list(zip(range(seq + 1, seq + len(lines) + 1), lines, *out, bad, strict=True))
        seq += len(lines)


def _remember(parse: Any, label: str, cache: dict[str, int]) -> Any:
    """parse(v, label), remembered for the next cell with the same text (errors are not)."""

    def conv(v: str) -> int:
        got = cache.get(v)  # seen since the chunk's fast pass
        if got is None:
            got = parse(v, label)
            if len(cache) < 200_000:
                cache[v] = got
        return got

    return conv


def _convert(values: list[str], h: str, req: bool, fast: Any, full: Any, lines: list[int], bad: list[int],
             errors: ErrorSink) -> list[Any]:
    """One column of a chunk: values (None where empty or wrong), errors reported, rows marked bad."""
    if fast is None:
        out: list[Any] = [v[:120] if v else None for v in values]
    else:
        out = [fast(v) if v else None for v in values]
    if None not in out:
        return out
    for j in [j for j, x in enumerate(out) if x is None]:
        v = values[j]
        if not v:
            if req:
                errors.add("", lines[j], h, ErrorCode.REQUIRED, f"{h}不能为空")
                bad[j] = 1
            continue
        try:
            out[j] = full(v)
        except (FieldError, DomainError) as exc:
            errors.add("", lines[j], h, exc.code, exc.message)
            bad[j] = 1
    return out


# ---------------------------------------------------------------- rules


def _rule(column: str, code: ErrorCode, message: str, where: str, detail: tuple[str, ...] = ()) -> Rule:
    """A check of one resolved row: `where` is true when it fails; `detail` the values of the message's {0}, {1}."""
    return Rule(code=code, message=message, column=column, where=where, detail=detail)


def _rules(t: str, *, month: str, employer_id: int | None, center_id: int, facts: _Facts) -> list[Rule]:
    on = ym_first_day(month)
    cap = int(policy_value("contribution.base.cap", on=on, center=center_id))
    floor = int(policy_value("contribution.base.floor", on=on, center=center_id))

    def e4(key: str) -> int:
        return int(Decimal(str(policy_value(key, on=on, center=center_id))) * 10000)

    lo, hi, reduced = e4("contribution.ratio.min"), e4("contribution.ratio.max"), e4("contribution.ratio.reduced_min")
    equal = bool(policy_value("contribution.ratio.equal_sides", on=on, center=center_id))
    rounding = str(policy_value("contribution.rounding", on=on, center=center_id))
    reduction = (f"employer_id IN (SELECT employer_id FROM accounts_v_ratio_reduction WHERE valid_from <= '{on}' "  # noqa: S608 — the date is a date object (ISO digits); values bound elsewhere
                 f"AND valid_to >= '{on}' AND approved_by <> '')")
    known = "sub_id IS NOT NULL"
    duplicates = f"SELECT account_no FROM {t} GROUP BY account_no HAVING COUNT(*) > 1"  # noqa: S608 — own work tables and rule SQL from code; values bound
    rules = [
        _rule("个人账号", ErrorCode.ACCOUNT_UNKNOWN, "个人账号 {0} 不存在", "account_no IS NOT NULL AND sub_id IS NULL", ("account_no",)),
        _rule("姓名", ErrorCode.NAME_MISMATCH, "姓名「{0}」与个人账户登记的姓名不符", f"{known} AND name IS NOT NULL AND m_name <> name",
             ("name",)),
        _rule("证件号码", ErrorCode.ID_MISMATCH, "证件号码与个人账户登记的不符",
             f"{known} AND id_number IS NOT NULL AND m_id <> id_number"),
        _rule("个人账号", ErrorCode.ACCOUNT_NOT_NORMAL, "个人账户状态为 {0}，不是正常（01）状态，不能汇缴",
             f"{known} AND a_status <> '{MemberAccountStatus.NORMAL}'", ("a_status",)),
        _rule("个人账号", ErrorCode.MONTH_PAID, "个人账户已缴至 {0}，" + month + " 已缴存", f"{known} AND a_paid >= '{month}'", ("a_paid",)),
        _rule("单位账号", ErrorCode.EMPLOYER_NOT_NORMAL, "单位 {0} 不是正常状态，不能汇缴",
             f"{known} AND e_status <> '{EmployerStatus.NORMAL}'", ("e_no",)),
        _rule("单位账号", ErrorCode.REMITTANCE_EXISTS, "单位 {0} " + month + " 的汇缴单已存在",
             f"{known} AND employer_id IN (SELECT employer_id FROM contributions_remittance WHERE month = '{month}' "  # noqa: S608 — month validated by ym_parse (six digits) at the entry point
             f"AND biz_type = '{BizType.REMITTANCE}' AND status IN ({_LIVE}))", ("e_no",)),
        _rule("缴存基数", ErrorCode.BASE_ABOVE_CAP, f"缴存基数 {{0:yuan}} 元高于 {month} 的上限 {format_fen(cap)} 元", f"base > {cap}", ("base",)),
        _rule("缴存基数", ErrorCode.BASE_BELOW_FLOOR, f"缴存基数 {{0:yuan}} 元低于 {month} 的下限 {format_fen(floor)} 元", f"base < {floor}", ("base",)),
    ]
    if facts.repeats:  # the rule is only there when the file may have repeats
        rules.append(_rule("个人账号", ErrorCode.DUPLICATE, "个人账号 {0} 在文件中重复出现", f"account_no IN ({duplicates})",
                          ("account_no",)))
    step = e4("contribution.ratio.step")
    for col, side in (("er", "单位比例"), ("mr", "个人比例")):
        if step > 1:  # each side a whole multiple of the step (integer arithmetic, no modulo sign in the SQL)
            rules.append(_rule(side, ErrorCode.RATIO_STEP, f"{side} {{0:percent_e4}} 不符合规定：缴存比例须为 "
                               f"{format_ratio_e4(step)} 的整数倍", f"{col} - ({col} / {step}) * {step} <> 0", (col,)))
        rules.append(_rule(side, ErrorCode.RATIO_RANGE, f"{side} {{0:percent_e4}} 不在 {format_ratio_e4(lo)}–{format_ratio_e4(hi)} 范围内",
                          f"{col} > {hi} OR ({col} < {lo} AND NOT ({col} >= {reduced} AND {known} AND {reduction}))",
                          (col,)))
    if equal:
        rules.append(_rule("个人比例", ErrorCode.RATIO_SIDES_DIFFER, "单位与个人缴存比例须相同", "er <> mr"))
    if facts.multi:
        rules.append(_rule("单位账号", ErrorCode.EMPLOYER_MISMATCH, "个人账户不属于单位 {0}",
                          f"{known} AND emp_no IS NOT NULL AND emp_no <> e_no", ("emp_no",)))
    if employer_id is not None:
        rules.append(_rule("个人账号", ErrorCode.EMPLOYER_MISMATCH, "个人账户属于单位 {0}，不属于本单位",
                          f"{known} AND employer_id <> {int(employer_id)}", ("e_no",)))
    # amount = base × ratio with the center's rounding: the money rule's SQL twin for each ratio in the file
    for col, amount, side in (("er", "ea", "单位月缴额"), ("mr", "ma", "个人月缴额")):
        ratios = sorted(int(r) for r in facts.ratios[col] if r is not None and r > 0)
        if not ratios:
            continue
        expected = "CASE " + " ".join(
            f"WHEN {col} = {r} THEN {sql_monthly_amount('base', Decimal(r) / 10000, rounding)}" for r in ratios) + " END"
        rules.append(_rule(side, ErrorCode.AMOUNT_MISMATCH, f"{side} {{0:yuan}} 元应为 {{1:yuan}} 元（缴存基数 × 比例）",
                          f"{col} > 0 AND base IS NOT NULL AND {amount} IS NOT NULL AND {amount} <> {expected}",
                          (amount, expected)))
    return rules


def _run_rules(t: str, rules: list[Rule], errors: ErrorSink, cap: int | None = None) -> int:
    """Every rule in one pass over the table (core.validation), then the rows failing any rule marked bad.
    Returns how many failing rows were seen."""
    n = run_table_rules(t, rules, errors, cap=cap)
    if n:
        sql.execute(f"UPDATE {t} SET bad = 1 WHERE bad = 0 AND ({failing(rules)})")  # noqa: S608 — own work tables and rule SQL from code; values bound
    return n


# ---------------------------------------------------------------- the import


def _protect(numbers: list[str | None]) -> list[str | None]:
    """ID numbers are staged as their blind index only (the column is encrypted at rest; no plaintext copy)."""
    return blind_index_many("id_number", numbers, normalize="id_number")


def _tables(import_id: int) -> tuple[str, str]:
    return f"remit_stage_{import_id}", f"remit_res_{import_id}"


def _drop(*tables: str) -> None:
    with transaction.atomic():
        for t in tables:
            sql.execute(f"DROP TABLE IF EXISTS {t}")


def remittance_import(
    *, center: Center, path: Path | str, month: str, actor: Actor, business_date: date,
    employer: Employer | None = None, exclude_rejected: bool = False, error_file: Path | str | None = None,
    progress: Any = None, limits: Limits | None = None, preview: bool = False, file_name: str = "",
) -> ImportResult:
    """Import a roster file for `month` (YYYY-MM). An entry point (outside any transaction). Returns the result;
    rejected files have status rejected and an error file, and nothing was created.

    The import is a job of three steps over two work tables: stage the file's rows, validate them with set rules,
    create the remittances of the good rows. A month after the current one is a 预缴 roster: accepted; its money
    waits in 暂存 until the month.

    `limits` defaults to the center's `ingest.*` policy; an upload passes `Limits.for_upload`. A file with more
    than `ingest.max_errors` errors stops being read there and is rejected with a message saying so.

    `preview`: read and validate only (the console's 预览 before 确认): a file that would be accepted ends
    previewed, with the totals of its good rows (人数, 单位/个人部分, employers); nothing is created.

    `file_name`: the name the user gave the file (an upload is read from a copy under a name of its own); the
    import record and its job are named after it. A rejected file ends its job 失败 (jobs.runner.Rejected)."""
    _require(actor, center)
    path = Path(path)
    month = ym_parse(month)
    limits = _file_limits(path, center=center, business_date=business_date, limits=limits)
    run = _RosterImport.open(center=center, path=path, month=month, actor=actor, business_date=business_date,
                             employer=employer, exclude_rejected=exclude_rejected, error_file=error_file, limits=limits,
                             preview=preview, file_name=file_name)
    try:
        run_job(run.job, steps=run.steps(), progress=progress)
    finally:
        run.close()
    return run.outcome()


def _file_limits(path: Path, *, center: Center, business_date: date, limits: Limits | None = None) -> Limits:
    """The file exists and is not oversized (refused before anything is written); the center's limits."""
    if not path.is_file():
        raise DomainError(ErrorCode.FILE_MISSING, f"文件不存在：{path}", field="file")
    limits = limits or Limits.from_policy(on=business_date, center=center)
    limits.check_size(path.stat().st_size, path.name)
    return limits


@dataclass
class _RosterImport:
    """One import under way: its record, job, work tables, error sink and result, and the steps it runs."""

    center: Center
    path: Path
    month: str
    actor: Actor
    business_date: date
    employer: Employer | None
    exclude_rejected: bool
    limits: Limits
    imp: RemittanceImport
    job: Any
    err_path: Path
    errors: ErrorSink
    result: ImportResult
    facts: _Facts | None = None
    stopped: bool = False  # too many errors: the rest of the file was not read
    preview: bool = False  # validate only: nothing is created

    @classmethod
    def open(cls, *, center: Center, path: Path, month: str, actor: Actor, business_date: date,
             employer: Employer | None, exclude_rejected: bool, error_file: Path | str | None,
             limits: Limits, preview: bool = False, file_name: str = "") -> _RosterImport:
        """Record the import and start its job, both named after the user's file (`file_name`, else the path's)."""
        shown = (Path(file_name).name if file_name else path.name)[:180]
        with transaction.atomic(durable=True):
            imp = RemittanceImport.objects.create(
                center=center, employer=employer, month=month, file_name=shown,
                exclude_rejected=exclude_rejected, business_date=business_date, created_by=actor_label(actor)[0])
        err_path = Path(error_file) if error_file else Path(settings.VAR_DIR) / "remit" / f"errors-import-{imp.pk}.xlsx"
        errors = _errors(err_path, limits.max_errors_per_rule, limits.max_errors)
        job = job_start(kind=JOB_KIND, actor=actor, center=center, business_date=business_date,
                        title=f"缴存清册{'校验' if preview else '导入'}「{shown}」",
                        params={"import": imp.pk, "file": str(path), "month": month, "preview": preview})
        imp.job_id = job.pk
        RemittanceImport.objects.filter(pk=imp.pk).update(job_id=job.pk)
        return cls(center=center, path=path, month=month, actor=actor, business_date=business_date,
                   employer=employer, exclude_rejected=exclude_rejected, limits=limits, imp=imp, job=job,
                   err_path=err_path, errors=errors, result=ImportResult(import_id=imp.pk), preview=preview)

    @classmethod
    def resume(cls, *, imp: RemittanceImport, job: Any, path: Path, actor: Actor, limits: Limits) -> _RosterImport:
        """The import of a job that died, to run again on its own record and job."""
        err_path = Path(settings.VAR_DIR) / "remit" / f"errors-import-{imp.pk}.xlsx"
        return cls(center=imp.center, path=path, month=imp.month, actor=actor, business_date=imp.business_date,
                   employer=imp.employer, exclude_rejected=imp.exclude_rejected, limits=limits, imp=imp, job=job,
                   err_path=err_path, errors=_errors(err_path, limits.max_errors_per_rule, limits.max_errors),
                   result=ImportResult(import_id=imp.pk), preview=bool((job.params or {}).get("preview")))

    def steps(self) -> list[Step]:
        return [Step("stage", self.stage, weight=4, label="读取并暂存文件"),
                Step("validate", self.validate, weight=2, label="校验"),
                Step("create", self.create, weight=1, label="生成汇缴单")]

    @property
    def tables(self) -> tuple[str, str]:
        return _tables(self.imp.pk)

    # ------------------------------------------------------------ step 1: stage the file's rows

    def stage(self, ctx: Any) -> dict[str, int]:
        t0 = time.perf_counter()
        stage_t, res_t = self.tables
        ctx.advance(0, total=max(self.path.stat().st_size // 80, 1))
        _drop(stage_t, res_t)
        with transaction.atomic():
            db.create_staging_table(stage_t, "seq BIGINT NOT NULL, line BIGINT NOT NULL, emp_no TEXT, name TEXT, "
                                    "id_number TEXT, account_no TEXT, base BIGINT, er BIGINT, mr BIGINT, ea BIGINT, "
                                    "ma BIGINT, bad BIGINT NOT NULL")
        n = 0
        facts = self.facts = _Facts()
        # streamed into the COPY: no chunk of rows is held in memory
        rows = (row for block in _parse(self.path, self.errors, self.business_date, facts, self.limits)
                for row in block)
        try:
            while k := self._stage_chunk(stage_t, rows):
                n += k
                ctx.advance(k)
        except TooManyErrors as exc:  # a garbage file: stop reading, reject it (its chunk in progress rolled back)
            self.stopped, self.result.message = True, exc.message
            ctx.log(exc.message, level="warning")
        self.result.rows = n
        self.result.timings["stage"] = time.perf_counter() - t0
        return {"rows": n}

    @staticmethod
    def _stage_chunk(stage_t: str, rows: Iterator[tuple]) -> int:
        with transaction.atomic():
            return sql.bulk_insert(stage_t, STAGE_COLS, islice(rows, CHUNK))

    # ------------------------------------------------------------ step 2: validate them

    def validate(self, ctx: Any) -> dict[str, int]:
        t0 = time.perf_counter()
        res_t = self.tables[1]
        if self.stopped:
            self.result.errors = self.errors.count
            return {"errors": self.errors.count, "stopped": True}
        try:
            n_rules = self._check(ctx, res_t)
        except TooManyErrors as exc:  # the work table rolled back with the checks: the file is rejected
            self.stopped, self.result.message = True, exc.message
            self.result.errors = self.errors.count
            ctx.log(exc.message, level="warning")
            return {"errors": self.errors.count, "stopped": True}
        ctx.advance(n_rules)
        self._count_rejected()
        self.result.timings["validate"] = time.perf_counter() - t0
        return {"errors": self.result.errors, "rejected_rows": self.result.rejected_rows}

    def _check(self, ctx: Any, res_t: str) -> int:
        """Join the staged rows to the accounts and run every rule over them; returns how many rules ran."""
        with transaction.atomic():
            db.local_work_mem("256MB")  # hash joins and aggregates over 10⁶ rows stay in memory
            db.jit_off()  # compiling the rules' expressions took longer than running them
            self._join_accounts()
            facts = self.facts or _Facts()
            if self.employer is None and not facts.multi:
                self.errors.add("", 1, "单位账号", ErrorCode.EMPLOYER_REQUIRED, "文件没有单位账号，请指定单位（--employer）")
            rules = _rules(res_t, month=self.month, employer_id=self.employer.pk if self.employer else None,
                           center_id=self.center.pk, facts=facts)
            if self.month < ym(self.business_date):  # a late roster: nobody who came after its month
                rules.append(_rule("个人账号", ErrorCode.ACCOUNT_NOT_ON_ROSTER,
                                   "个人账户 {0} 在 " + self.month + " 之后才在本单位开户或转入，该月不应缴存",
                                   "sub_id IN (SELECT a.sub_id FROM accounts_v_member_account a WHERE "  # noqa: S608 — condition from code
                                   f"a.center_id = {int(self.center.pk)} AND {joined_after_sql(month=self.month)})",
                                   ("account_no",)))
            ctx.advance(0, total=len(rules))
            _run_rules(res_t, rules, self.errors, cap=self.limits.max_errors_per_rule)
        return len(rules)

    def _join_accounts(self) -> None:
        """One join to accounts, members and employers; every rule then reads this table alone."""
        stage_t, res_t = self.tables
        db.create_staging_table_as(
            res_t, "SELECT s.seq, s.line, s.emp_no, s.name, s.id_number, s.account_no, "  # noqa: S608 — own work tables and rule SQL from code; values bound
            "s.base, s.er, s.mr, s.ea, s.ma, s.bad, a.sub_id, a.employer_id, a.status AS a_status, "
            "a.paid_up_to AS a_paid, m.name AS m_name, m.id_number_bidx AS m_id, e.account_no AS e_no, "
            f"e.status AS e_status FROM {stage_t} s "
            "LEFT JOIN accounts_v_member_account a ON a.account_no = s.account_no AND a.center_id = %s "
            "LEFT JOIN accounts_v_member m ON m.id = a.member_id "
            "LEFT JOIN accounts_v_employer e ON e.id = a.employer_id", [self.center.pk])
        if db.is_postgresql():
            db.analyze(res_t)  # PostgreSQL hashes; SQLite looks rows up by employer
        else:
            sql.execute(f"CREATE INDEX {res_t}_emp ON {res_t} (employer_id)")

    def _count_rejected(self) -> None:
        res_t, result = self.tables[1], self.result
        # rows are bad only with an error of their own: none, nothing to count
        bad = sql.fetch(f"SELECT COUNT(*) FROM {res_t} WHERE bad <> 0")[0][0] if self.errors.count else 0  # noqa: S608 — own work tables and rule SQL from code; values bound
        result.errors, result.rejected_rows = self.errors.count, int(bad)
        result.accepted_rows = result.rows - result.rejected_rows

    # ------------------------------------------------------------ step 3: create the remittances of the good rows

    def create(self, ctx: Any) -> dict[str, Any] | Rejected:
        t0 = time.perf_counter()
        file_level = self.errors.file_level
        self.errors.close()  # the error workbook, written as the errors were found
        if self.errors.count:
            self.result.error_file = str(self.err_path)
        if self._rejected(file_level):  # the job ends 失败 with the error count; nothing was created
            n = self.errors.count
            more = "（错误过多，其余行未读取）" if self.stopped else ""
            return Rejected(ErrorCode.VALIDATION, f"清册校验未通过：共 {n} 处错误{more}，未生成汇缴单",
                            {"status": RemittanceImport.Status.REJECTED.value, "errors": n})
        if self.preview:
            return self._preview()
        with transaction.atomic():
            db.local_work_mem("256MB")  # the sort of 10⁶ lines by remittance stays in memory
            db.jit_off()
            self._insert_remittances()
            self._insert_lines()
            # a file adds ~10⁵ remittances and 10⁶ lines: fresh plans for posting (PostgreSQL)
            db.analyze("contributions_remittance", "contributions_remittanceline")
            ids = self._accept()
        ctx.advance(self.result.accepted_rows, total=self.result.accepted_rows)
        self.result.timings["create"] = time.perf_counter() - t0
        return {"status": RemittanceImport.Status.ACCEPTED.value, "remittances": len(ids)}

    def _rejected(self, file_level: bool) -> bool:
        """Whether the file is refused (errors not excluded, a file-level error, nothing good, or no rows)."""
        result, errors = self.result, self.errors
        if not (self.stopped or (errors.count and not self.exclude_rejected) or file_level or result.accepted_rows == 0
                or result.rows == 0):
            return False
        result.status = RemittanceImport.Status.REJECTED
        if result.rows == 0 and not errors.count:
            errors.add("", 1, "", ErrorCode.FILE_EMPTY, "文件没有数据行")
            errors.close()
            result.error_file, result.errors = str(self.err_path), 1
        return True

    def _preview(self) -> dict[str, Any]:
        """What the good rows would make (人数, employers, each side's total); nothing is created."""
        result = self.result
        n, emps, ea, ma = sql.fetch(f"SELECT COUNT(*), COUNT(DISTINCT employer_id), COALESCE(SUM(ea), 0), "  # noqa: S608 — own work table
                                    f"COALESCE(SUM(ma), 0) FROM {self.tables[1]} WHERE bad = 0")[0]
        result.accepted_rows, result.employers = int(n), int(emps)
        result.employer_total, result.member_total = int(ea), int(ma)
        result.total = result.employer_total + result.member_total
        result.status = RemittanceImport.Status.PREVIEWED
        RemittanceImport.objects.filter(pk=self.imp.pk).update(status=result.status, total=result.total)
        return {"status": result.status.value, "rows": result.accepted_rows}

    def _insert_remittances(self) -> None:
        """One confirmed 汇缴单 per employer of the good rows."""
        label = actor_label(self.actor)[0]
        try:
            with transaction.atomic():
                sql.execute(
                    "INSERT INTO contributions_remittance (center_id, employer_id, month, biz_type, back_kind, reason, "  # noqa: S608 — own work tables and rule SQL from code; values bound
                    "status, lines, employer_total, member_total, total, source_import_id, batch_key, business_date, "
                    "created_by, confirmed_by, created_at) "
                    f"SELECT %s, employer_id, %s, '{BizType.REMITTANCE}', '', '', '{RemittanceStatus.CONFIRMED}', COUNT(*), SUM(ea), SUM(ma), "
                    "SUM(ea + ma), %s, '', "
                    f"%s, %s, %s, %s FROM {self.tables[1]} WHERE bad = 0 GROUP BY employer_id ORDER BY employer_id",
                    [self.center.pk, self.month, self.imp.pk, self.business_date, label, label, timezone.now()])
        except IntegrityError:
            raise DomainError(ErrorCode.REMITTANCE_EXISTS, f"{self.month} 的汇缴单已由其他业务建立，请重新导入", field="month") from None

    def _insert_lines(self) -> None:
        sql.execute(
            "INSERT INTO contributions_remittanceline (remittance_id, seq, account_id, base, employer_ratio_e4, "  # noqa: S608 — own work tables and rule SQL from code; values bound
            "member_ratio_e4, employer_amount, member_amount) "
            f"SELECT r.id, s.seq, s.sub_id, s.base, s.er, s.mr, s.ea, s.ma FROM {self.tables[1]} s "
            "JOIN contributions_remittance r ON r.source_import_id = %s AND r.employer_id = s.employer_id "
            # stored in the order they are read back (by remittance): the unique (remittance, seq) index
            # grows at its end, and posting walks the lines' table in order instead of jumping about it
            "WHERE s.bad = 0 ORDER BY r.id, s.seq", [self.imp.pk])

    def _accept(self) -> list[int]:
        """Mark the import accepted with its remittances and total, and audit it."""
        result, imp = self.result, self.imp
        ids = [r[0] for r in sql.fetch("SELECT id FROM contributions_remittance WHERE source_import_id = %s "
                                       "ORDER BY id", [imp.pk])]
        total = sql.fetch("SELECT COALESCE(SUM(total), 0) FROM contributions_remittance WHERE source_import_id = %s",
                          [imp.pk])[0][0]
        result.remittance_ids, result.total = ids, int(total)
        result.status = RemittanceImport.Status.ACCEPTED
        RemittanceImport.objects.filter(pk=imp.pk).update(status=result.status, remittances=len(ids),
                                                          total=result.total)
        audit_log(actor=self.actor, action=AuditEvent.CONTRIBUTIONS_REMITTANCE_IMPORT, obj=imp, center=self.center,
                  business_date=self.business_date,
                  after={"file": self.imp.file_name, "month": self.month, "rows": result.rows,
                         "accepted": result.accepted_rows, "rejected": result.rejected_rows,
                         "remittances": len(ids), "total": result.total})
        return ids

    # ------------------------------------------------------------ after the job, done or failed

    def close(self) -> None:
        """Drop the work tables and record what the import came to."""
        result = self.result
        self.errors.close()
        _drop(*self.tables)
        RemittanceImport.objects.filter(pk=self.imp.pk).update(
            status=result.status if result.status != RemittanceImport.Status.VALIDATING else RemittanceImport.Status.REJECTED,
            rows=result.rows, accepted_rows=result.accepted_rows if result.accepted or result.previewed else 0,
            rejected_rows=result.rejected_rows, errors=self.errors.count, error_file=result.error_file)

    def outcome(self) -> ImportResult:
        result = self.result
        result.errors = self.errors.count
        result.first_errors = [{"row": e.row, "column": e.field or "", "code": e.code, "message": e.message}
                               for e in self.errors.first(20)]
        return result


def import_job_cancelled(job: Job) -> None:
    """The hook of a cancelled import job (within its transaction): the import it owns, if still 校验中, moves
    to 失败; its work tables are dropped and its uploaded copy (if one is left) removed."""
    imp = RemittanceImport.objects.filter(job_id=job.pk).first()
    if imp is None:
        return
    RemittanceImport.objects.filter(pk=imp.pk, status=RemittanceImport.Status.VALIDATING).update(
        status=RemittanceImport.Status.FAILED)
    _drop(*_tables(imp.pk))
    file = Path(str((job.params or {}).get("file") or ""))
    if file.name and file.parent.resolve() == upload_dir().resolve():  # only a spooled upload, never a user's file
        file.unlink(missing_ok=True)


def _job_import(job: Job) -> RemittanceImport | None:
    return RemittanceImport.objects.filter(job_id=job.pk).select_related("center", "employer").first()


def import_job_refusal(job: Job) -> str:
    """Why an import job cannot be resumed ("" when it can): its import is gone or already decided, or its file
    (a user's file, or the spooled copy of an upload, removed by the clean-up of dead uploads) is no longer there."""
    imp = _job_import(job)
    if imp is None or imp.status not in (RemittanceImport.Status.VALIDATING, RemittanceImport.Status.ACCEPTED):
        return "导入批次已结束（未通过或失败），请重新上传文件"
    if imp.status == RemittanceImport.Status.VALIDATING and not Path(str((job.params or {}).get("file") or "")).is_file():
        return "导入文件已不存在（上传的临时文件已清理），请重新上传文件"
    return ""


def import_job_resume(job: Job, actor: Actor) -> Job:
    """续跑 of an import job that died (中断) or failed: the import runs again from its first step on the same
    record and job (what a dead run staged lived in its memory and work tables, and is not trusted). One whose
    remittances were created before the crash only finishes its job record. Idempotent: a finished job is not
    resumed again (jobs.runner), and the create step inserts the import's remittances in one transaction."""
    imp = _job_import(job)
    if imp is None:
        raise DomainError(ErrorCode.JOB_NOT_RESUMABLE, f"作业 #{job.pk} 没有对应的导入批次", field="job")
    _require(actor, imp.center)
    path = Path(str((job.params or {}).get("file") or ""))
    _restart(job, keep_done=imp.status == RemittanceImport.Status.ACCEPTED)
    if imp.status == RemittanceImport.Status.ACCEPTED:
        return run_job(job, steps=[Step(name, lambda ctx: None) for name in ("stage", "validate", "create")])
    limits = (Limits.for_upload if path.parent.resolve() == upload_dir().resolve() else Limits.from_policy)(
        on=imp.business_date, center=imp.center)
    run = _RosterImport.resume(imp=imp, job=job, path=path, actor=actor, limits=limits)
    try:
        run_job(job, steps=run.steps())
    finally:
        run.close()
    return Job.objects.get(pk=job.pk)


def _restart(job: Job, *, keep_done: bool) -> None:
    """Under the job's lock: still failed or dead (not resumed meanwhile by someone else), fence off any run of it
    still alive, and, unless its work is done, have it start again from its first step."""
    with transaction.atomic(durable=True):
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.state not in (Job.Status.FAILED, INTERRUPTED):
            raise DomainError(ErrorCode.JOB_NOT_RESUMABLE, f"作业 #{job.pk} 状态为{locked.state_label}，不能续跑",
                              field="job")
        if keep_done:
            JobStep.objects.filter(job=locked).update(status=JobStep.Status.DONE)
        else:
            JobStep.objects.filter(job=locked).delete()
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, run_token="")
    job.refresh_from_db()


def import_job_links(job: Job) -> list[tuple[str, str]]:
    """The job list's link of an import job: its error list (.xlsx), when the file had errors."""
    imp = RemittanceImport.objects.filter(job_id=job.pk).only("pk", "errors", "error_file").first()
    if imp is None or not imp.errors or not imp.error_file:
        return []
    return [(f"错误清单（{imp.errors} 处）", reverse("remit:import_errors", args=[imp.pk]))]


def register_job_kind() -> None:
    register_kind(JOB_KIND, cancel=import_job_cancelled, resume=import_job_resume, resume_refusal=import_job_refusal,
                  links=import_job_links)


# ---------------------------------------------------------------- the expected roster as a file (清册模板)


def _ratio_text(e4: int) -> str:
    return format_ratio_e4(int(e4))  # 1200 → '12%', as the clerks read and type it


def _yuan(fen: int) -> str:
    return format_fen(int(fen), grouping=False)  # 280824 → '2808.24': one cell, no separators


def roster_rows(*, center: Center, month: str, employer: Employer | None = None) -> Iterator[list[str]]:
    """The expected roster of `month`: every normal account on the month's roster (backpay.roster_condition:
    with its employer in that month) not yet paid for it, with the clerks' headers (单位账号 first, so the file may carry
    many employers). Streams in chunks by account id."""
    month = ym_parse(month)
    yield [h for h, _, _ in COLUMNS]
    on_roster, cond_params = roster_condition(month=month, center=center, business_date=center.business_date)
    # a roster file carries normal accounts only (its import refuses others): sealed members' months are 补缴
    where, params = ("a.center_id = %s AND a.status = %s AND a.paid_up_to < %s" + on_roster,
                     [center.pk, MemberAccountStatus.NORMAL, month, *cond_params])
    if employer is not None:
        where += " AND a.employer_id = %s"
        params.append(employer.pk)
    last = 0
    while True:
        rows = sql.fetch(
            "SELECT a.sub_id, e.account_no, m.name, m.id_number, a.account_no, a.base, "  # noqa: S608 — own work tables and rule SQL from code; values bound
            f"{_e4_sql('a.employer_ratio')}, {_e4_sql('a.member_ratio')}, a.employer_amount, a.member_amount "
            "FROM accounts_v_member_account a JOIN accounts_v_member m ON m.id = a.member_id "
            f"JOIN accounts_v_employer e ON e.id = a.employer_id WHERE {where} AND a.sub_id > %s "
            "ORDER BY a.sub_id LIMIT 20000", [*params, last])
        if not rows:
            return
        for _sid, eno, name, idn, ano, base, er, mr, ea, ma in rows:
            idn = (decrypt_value("id_number", idn) or "") if is_encrypted(idn) else idn
            yield [eno, name, idn, ano, _yuan(base), _ratio_text(er), _ratio_text(mr), _yuan(ea), _yuan(ma)]
        last = rows[-1][0]


def _e4_sql(col: str) -> str:
    return f"CAST(ROUND({col} * 10000) AS INTEGER)"


def roster_write(*, center: Center, month: str, path: Path | str, employer: Employer | None = None,
                 encoding: str = "utf-8-sig", limit: int | None = None) -> int:
    """Write the expected roster to .csv (UTF-8 with BOM, or gbk) or .xlsx; returns the data rows written
    (at most `limit`: the first accounts by number, as a file carrying part of many employers' rosters)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = roster_rows(center=center, month=month, employer=employer)
    if limit is not None:
        rows = islice(rows, limit + 1)  # the header and `limit` rows
    n = -1
    if path.suffix.lower() == ".xlsx":
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("缴存清册")
        for row in rows:
            ws.append(xlsx_row(ws, row))  # text cells, escaped (core.cells): never a formula
            n += 1
        wb.save(path)
        return n
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        for row in rows:
            w.writerow(safe_row(row))
            n += 1
    return n


def template_write(path: Path | str | IO[bytes]) -> None:
    """The blank roster template (.xlsx): the headers on 缴存清册, what each column takes on 填写说明."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("缴存清册")
    ws.append(xlsx_row(ws, [h for h, _, _ in COLUMNS]))
    notes = wb.create_sheet("填写说明")
    notes.append(xlsx_row(notes, ["列", "是否必填", "填写要求", "示例"]))
    for (h, _, req), example in zip(COLUMNS, EXAMPLE_ROW, strict=True):
        notes.append(xlsx_row(notes, [h, "必填" if req else "选填", COLUMN_HELP[h], example]))
    notes.append(xlsx_row(notes, ["", "", "第一张表「缴存清册」的第一行为列名，从第二行起每行一人；示例仅供参考，请勿照抄。", ""]))
    wb.save(path)
