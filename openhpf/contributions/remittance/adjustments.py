"""Annual base adjustment (年度基数调整, effective 7/1) and per-employer ratio adjustment (比例调整), set-based.

A file of new bases (.csv or .xlsx: 个人账号, 证件号码, 姓名, 新缴存基数 in yuan; read with the ingest toolkit,
core.ingest) is bulk-loaded into
BaseAdjustmentLine, validated in SQL (unknown account, ID or name not matching, account not 正常, duplicates,
and — when the policy `contribution.base.clamp` says "reject" — bases outside the cap and floor in force on
the effective date) by the validation engine (core.validation), and every error is reported at once with its
row; nothing is written then. Otherwise
bases are clamped to the cap/floor, the monthly amounts recomputed with the SQL twin of
accounts.calculations.monthly_amount (one UPDATE per distinct pair of ratios), and a money-less detail row of
business type 10 is written for each changed account, all with a few statements.

The accounts and ledger apps write their own tables, through their set-based entry points (accounts.bulk,
ledger.services.subledger_events_from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from openhpf.access.selectors import check_permission
from openhpf.accounts.bulk import accounts_set_base_from, accounts_set_ratio_for_employer
from openhpf.accounts.calculations import monthly_amounts
from openhpf.accounts.models import Employer
from openhpf.accounts.services import employer_change
from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType, MemberAccountStatus
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, ValidationReport
from openhpf.core.ingest import (
    ErrorSink,
    FieldError,
    HeaderMap,
    Limits,
    TableFile,
    TooManyErrors,
    cell_text,
    parse_fen,
)
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.core.validation import Rule, run_rules
from openhpf.ledger import sql
from openhpf.ledger.services import subledger_events_from
from openhpf.security.fields import blind_index

from ..models import BaseAdjustment, BaseAdjustmentLine

COLUMNS = ("个人账号", "证件号码", "姓名", "新缴存基数")
LINE_TABLE = BaseAdjustmentLine._meta.db_table
HEADERS = HeaderMap(COLUMNS, {"缴存基数": "新缴存基数", "新缴存基数(元)": "新缴存基数", "证件号": "证件号码"})


@dataclass(frozen=True)
class BaseRow:
    row: int
    account_no: str
    id_number: str
    name: str
    base: int  # fen


# ---------------------------------------------------------------- file parsing


def base_file_parse(*, content: bytes | IO[bytes] | Path, name: str, report: ValidationReport | None = None,
                    limits: Limits | None = None) -> list[BaseRow]:
    """Rows of a base adjustment file. Format errors go to `report` (all of them, with row numbers); rows with
    an error are left out. Row numbers count the header as row 1, as a spreadsheet shows them."""
    report = report if report is not None else ValidationReport()
    sink = ErrorSink()
    table = TableFile(content, name=name, sink=sink, limits=limits)
    if table.empty:
        for e in sink.errors:
            raise DomainError(e.code, e.message, file=name)
        raise DomainError(ErrorCode.FILE_EMPTY, "文件为空", file=name)
    index = HEADERS.index(table.header)
    missing = [c for c in COLUMNS if c not in index]
    if missing:
        raise DomainError(ErrorCode.FILE_COLUMNS, f"缺少列：{'、'.join(missing)}（应有：{'、'.join(COLUMNS)}）", file=name)
    idx = [index[c] for c in COLUMNS]
    out: list[BaseRow] = []
    stop = limits.max_errors if limits is not None else None
    for n, rec in table.rows():
        if stop is not None and len(report.errors) >= stop:  # a garbage file: stop reading it here
            raise TooManyErrors(stop)
        cells = [cell_text(rec[i]) if i < len(rec) else "" for i in idx]
        if not any(cells):
            continue
        account_no, id_number, person, raw_base = cells
        bad = False
        for value, field, label in ((account_no, "account_no", "个人账号"), (id_number, "id_number", "证件号码"),
                                    (person, "name", "姓名"), (raw_base, "base", "新缴存基数")):
            if not value:
                report.add(DomainError(ErrorCode.REQUIRED, f"第 {n} 行：缺少{label}", row=n, field=field, file=name))
                bad = True
        if bad:
            continue
        if isinstance(rec[idx[3]], float):  # Excel numbers: keep the cents as shown (HALF_UP at the fen)
            raw_base = str(Decimal(repr(rec[idx[3]])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        try:
            base = parse_fen(raw_base, "新缴存基数", code=ErrorCode.MONEY_INVALID)
        except FieldError as exc:
            report.add(DomainError(exc.code, f"第 {n} 行：{exc.message}", row=n, field="base", file=name))
            continue
        if base <= 0:
            report.add(DomainError(ErrorCode.BASE_INVALID, f"第 {n} 行：缴存基数须大于零", row=n, field="base", file=name))
            continue
        out.append(BaseRow(n, account_no[:24], id_number.upper()[:32], person[:60], base))
    for e in sink.errors:  # the file itself (encoding, CSV syntax, a damaged workbook)
        report.add(e)
    return out


# ---------------------------------------------------------------- the annual base adjustment


def _rules(adjustment_id: int, *, reject: bool, cap: int, floor: int, employer: Employer | None = None) -> list[Rule]:
    """The checks of the staged lines against the accounts, each a query of (row, account number, detail)."""
    p = (adjustment_id,)
    lines = f"FROM {LINE_TABLE} l WHERE l.adjustment_id = %s"
    joined = (f"FROM {LINE_TABLE} l JOIN accounts_v_member_account a ON a.sub_id = l.account_id "
              "JOIN accounts_v_member m ON m.id = a.member_id WHERE l.adjustment_id = %s")

    def rule(code: ErrorCode, message: str, detail: str, source: str, params: tuple[Any, ...] = p) -> Rule:
        return Rule(code=code, message="第 {row} 行：个人账号 {0} " + message, column="account_no",
                    sql=f"SELECT l.row_no, l.account_no, {detail} {source} ORDER BY l.row_no", params=params)

    rules = [
        rule(ErrorCode.ACCOUNT_UNKNOWN, "不存在", "''", f"{lines} AND l.account_id IS NULL"),
        rule(ErrorCode.DUPLICATE_ROW, "与第 {1} 行重复", "d.first_row",
             f"FROM {LINE_TABLE} l JOIN (SELECT account_no, MIN(row_no) AS first_row FROM {LINE_TABLE} "  # noqa: S608 — own line table from model meta; values bound
             "WHERE adjustment_id = %s GROUP BY account_no HAVING COUNT(*) > 1) d "
             "ON d.account_no = l.account_no AND l.row_no > d.first_row WHERE l.adjustment_id = %s", p + p),
        # ID numbers are stored encrypted: compare blind indexes (HMAC-SM3)
        rule(ErrorCode.ID_MISMATCH, "的证件号码与登记的不符", "''", f"{joined} AND m.id_number_bidx <> l.id_number"),
        rule(ErrorCode.NAME_MISMATCH, "的姓名与登记的不符", "''", f"{joined} AND m.name <> l.name"),
        rule(ErrorCode.ACCOUNT_NOT_NORMAL, "状态代码为 {1}，不是正常账户，不能调整基数", "a.status",
             f"{joined} AND a.status <> %s", (*p, MemberAccountStatus.NORMAL.value)),
    ]
    if employer is not None:  # an employer's own file: only its own people
        rules.append(rule(ErrorCode.ACCOUNT_OTHER_EMPLOYER, f"不属于单位 {employer.account_no}", "''",
                          f"{joined} AND a.employer_id <> %s", (*p, employer.pk)))
    if reject:
        rules.append(rule(ErrorCode.BASE_OUT_OF_RANGE, f"的新基数超出上下限（{format_fen(floor)}–{format_fen(cap)} 元）：{{1:yuan}} 元",
                          "l.requested_base", f"{lines} AND (l.requested_base > %s OR l.requested_base < %s)",
                          (*p, cap, floor)))
    return rules


@dataclass(frozen=True)
class PreviewRow:
    row: int
    account_no: str
    base_before: int  # fen
    base_after: int
    monthly_before: int  # 月缴存额 (both sides), fen
    monthly_after: int
    clamped: bool


@dataclass(frozen=True)
class BasePreview:
    """What a 年度基数调整 would do, computed and rolled back (nothing written)."""

    effective_date: date
    mode: str
    cap: int
    floor: int
    rows: int
    changed: int
    clamped: int
    monthly_before: int  # 月缴存额 of the listed accounts, fen
    monthly_after: int
    lines: list[PreviewRow]


PREVIEW_ROWS = 200  # rows shown on a preview page (the totals cover every row)


def _stage(*, center: Center, rows: list[BaseRow], source_name: str, year: int, actor: Actor, business_date: date,
           mode: str | None, report: ValidationReport, limits: Limits | None,
           employer: Employer | None) -> BaseAdjustment:
    """Load the rows into the staging table, check them all (raising the report with every error, by row) and
    settle each line's final base (clamped to the cap/floor). The caller holds the transaction."""
    effective = date(year, 7, 1)
    mode = mode or str(policy_value("contribution.base.clamp", on=effective, center=center))
    if mode not in BaseAdjustment.Mode.values:
        raise DomainError(ErrorCode.POLICY_VALUE, f"基数调整处理方式应为 clamp 或 reject：{mode}", field="mode")
    if employer is not None and employer.center_id != center.pk:
        raise DomainError(ErrorCode.EMPLOYER_UNKNOWN, "单位不属于本中心", field="employer")
    cap = int(policy_value("contribution.base.cap", on=effective, center=center))
    floor = int(policy_value("contribution.base.floor", on=effective, center=center))
    limits = limits or Limits.from_policy(on=business_date, center=center)
    if not rows and not report:
        raise DomainError(ErrorCode.FILE_EMPTY, "文件中没有数据行", file=source_name)
    adj = BaseAdjustment.objects.create(
        center=center, effective_date=effective, business_date=business_date, mode=mode,
        source_name=source_name[:255], base_cap=cap, base_floor=floor, rows=len(rows),
        created_by=actor_label(actor)[0],
    )
    sql.bulk_insert(LINE_TABLE, ("adjustment_id", "row_no", "account_no", "id_number", "name", "requested_base"),
                    # the staging table keeps the ID number's blind index, never the number itself
                    ((adj.pk, r.row, r.account_no, blind_index("id_number", r.id_number, normalize="id_number"),
                      r.name, r.base) for r in rows))
    sql.execute(
        f"UPDATE {LINE_TABLE} SET account_id = (SELECT a.sub_id FROM accounts_v_member_account a "  # noqa: S608 — own line table from model meta; values bound
        f"WHERE a.account_no = {LINE_TABLE}.account_no AND a.center_id = %s) WHERE adjustment_id = %s",
        [center.pk, adj.pk])
    rules = _rules(adj.pk, reject=mode == BaseAdjustment.Mode.REJECT, cap=cap, floor=floor, employer=employer)
    sink = ErrorSink(keep=len(rules) * limits.max_errors_per_rule)
    run_rules(rules, sink, cap=limits.max_errors_per_rule)
    for e in sink.errors:
        report.add(e)
    if report:
        report.errors.sort(key=lambda e: (e.row or 0))
        raise report
    sql.execute(
        f"UPDATE {LINE_TABLE} SET final_base = CASE WHEN requested_base > %s THEN %s "  # noqa: S608 — own line table from model meta; values bound
        "WHEN requested_base < %s THEN %s ELSE requested_base END WHERE adjustment_id = %s",
        [cap, cap, floor, floor, adj.pk])
    return adj


def _clamped(adj: BaseAdjustment) -> int:
    return int(sql.fetch(f"SELECT COUNT(*) FROM {LINE_TABLE} WHERE adjustment_id = %s "  # noqa: S608 — own line table from model meta; values bound
                         "AND final_base <> requested_base", [adj.pk])[0][0])


def base_adjust_preview(
    *, center: Center, rows: list[BaseRow], source_name: str, year: int, actor: Actor, business_date: date,
    mode: str | None = None, report: ValidationReport | None = None, limits: Limits | None = None,
    employer: Employer | None = None,
) -> BasePreview:
    """The 预览 of a 年度基数调整: the same checks as base_adjust_import (its ValidationReport, every error by
    row and column), then what would change, before → after; everything is rolled back (nothing written)."""
    check_permission(actor, "accounts.change", center=center)
    report = report if report is not None else ValidationReport()
    with transaction.atomic():
        adj = _stage(center=center, rows=rows, source_name=source_name, year=year, actor=actor,
                     business_date=business_date, mode=mode, report=report, limits=limits, employer=employer)
        rounding = str(policy_value("contribution.rounding", on=adj.effective_date, center=center))
        data = sql.fetch(
            f"SELECT l.row_no, l.account_no, a.base, l.final_base, l.requested_base, a.employer_ratio, "  # noqa: S608 — own line table from model meta; values bound
            f"a.member_ratio, a.employer_amount + a.member_amount FROM {LINE_TABLE} l "
            "JOIN accounts_v_member_account a ON a.sub_id = l.account_id WHERE l.adjustment_id = %s ORDER BY l.row_no",
            [adj.pk])
        clamped = _clamped(adj)
        transaction.set_rollback(True)
    lines: list[PreviewRow] = []
    before_total, after_total, changed = 0, 0, 0
    for row_no, account_no, base, final, requested, er, mr, monthly in data:
        after = sum(monthly_amounts(int(final), Decimal(str(er)), Decimal(str(mr)), rounding))
        before_total += int(monthly)
        after_total += after
        changed += int(base) != int(final)
        if len(lines) < PREVIEW_ROWS:
            lines.append(PreviewRow(int(row_no), account_no, int(base), int(final), int(monthly), after,
                                    int(final) != int(requested)))
    return BasePreview(effective_date=adj.effective_date, mode=adj.mode, cap=adj.base_cap, floor=adj.base_floor,
                       rows=adj.rows, changed=changed, clamped=clamped, monthly_before=before_total,
                       monthly_after=after_total, lines=lines)


def base_adjust_import(
    *, center: Center, rows: list[BaseRow], source_name: str, year: int, actor: Actor, business_date: date,
    mode: str | None = None, report: ValidationReport | None = None, limits: Limits | None = None,
    employer: Employer | None = None,
) -> BaseAdjustment:
    """年度基数调整 effective 7/1 of `year`. All errors (with those already in `report`) are raised together as
    a ValidationReport and nothing is written; otherwise every listed account gets its new base. `employer`:
    the file is that employer's, every row must be one of its accounts."""
    check_permission(actor, "accounts.change", center=center)
    report = report if report is not None else ValidationReport()
    with transaction.atomic():
        adj = _stage(center=center, rows=rows, source_name=source_name, year=year, actor=actor,
                     business_date=business_date, mode=mode, report=report, limits=limits, employer=employer)
        effective, p = adj.effective_date, [adj.pk]
        clamped = _clamped(adj)
        changed_where = (f"FROM {LINE_TABLE} l JOIN accounts_v_member_account a ON a.sub_id = l.account_id "
                         "WHERE l.adjustment_id = %s AND a.base <> l.final_base")
        # detail rows first: they must see which accounts change (biz type 10, no money, running balance kept)
        changed = subledger_events_from(
            biz_type=BizType.BASE_ADJUST, business_date=business_date,
            source=Relation(f"SELECT l.account_id AS sub_account_id, a.account_no AS reference {changed_where}", tuple(p)))
        accounts_set_base_from(
            center_id=center.pk, business_date=effective,  # the rounding in force when the new base applies
            source=Relation(f"SELECT l.account_id AS sub_id, l.final_base AS base FROM {LINE_TABLE} l "  # noqa: S608 — own line table from model meta; values bound
                            "WHERE l.adjustment_id = %s", tuple(p)))
        adj.changed, adj.clamped = changed, clamped
        adj.save(update_fields=["changed", "clamped"])
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_BASE_ADJUSTMENT_APPLY, obj=adj, center=center,
                  business_date=business_date,
                  after={"effective_date": effective, "file": source_name, "rows": len(rows), "changed": changed,
                         "clamped": clamped, "mode": adj.mode, "cap": adj.base_cap, "floor": adj.base_floor,
                         **({"employer": employer.account_no} if employer is not None else {})})
        return adj


def base_adjust_file(*, center: Center, content: bytes | IO[bytes] | Path, name: str, year: int, actor: Actor,
                     business_date: date, mode: str | None = None, limits: Limits | None = None,
                     employer: Employer | None = None) -> BaseAdjustment:
    """Parse and apply a file; format and data errors are reported together (reading stops past
    `ingest.max_errors` of them). An upload passes `Limits.for_upload`."""
    check_permission(actor, "accounts.change", center=center)  # before reading the file: a refused caller learns nothing
    limits = limits or Limits.from_policy(on=business_date, center=center)
    report = ValidationReport()
    rows = base_file_parse(content=content, name=name, report=report, limits=limits)
    return base_adjust_import(center=center, rows=rows, source_name=name, year=year, actor=actor,
                              business_date=business_date, mode=mode, report=report, limits=limits, employer=employer)


def base_adjust_file_preview(*, center: Center, content: bytes | IO[bytes] | Path, name: str, year: int,
                             actor: Actor, business_date: date, mode: str | None = None,
                             limits: Limits | None = None, employer: Employer | None = None) -> BasePreview:
    """Parse a file and preview it (base_adjust_preview): nothing is written."""
    check_permission(actor, "accounts.change", center=center)
    limits = limits or Limits.from_policy(on=business_date, center=center)
    report = ValidationReport()
    rows = base_file_parse(content=content, name=name, report=report, limits=limits)
    return base_adjust_preview(center=center, rows=rows, source_name=name, year=year, actor=actor,
                               business_date=business_date, mode=mode, report=report, limits=limits,
                               employer=employer)


# ---------------------------------------------------------------- 比例调整 per employer


def employer_ratio_adjust(*, employer: Employer, employer_ratio: Decimal | str, member_ratio: Decimal | str,
                          actor: Actor, business_date: date) -> int:
    """比例调整 of an employer: its default ratios and those of all its normal accounts, set-based. The ratios
    are checked by the accounts rules (policy range, or down to an approved reduction's floor). Returns the
    number of accounts changed."""
    check_permission(actor, "accounts.change", center=employer.center_id)
    with transaction.atomic():
        e = employer_change(employer=employer, employer_ratio=employer_ratio, member_ratio=member_ratio,
                            actor=actor, business_date=business_date)
        return _accounts_set_ratio(employer=e, er=e.employer_ratio, mr=e.member_ratio, business_date=business_date,
                                   actor=actor)


def _accounts_set_ratio(*, employer: Employer, er: Decimal, mr: Decimal, business_date: date, actor: Actor,
                        only: Relation | None = None, exclude: Relation | None = None,
                        below: Decimal | None = None) -> int:
    """Set both ratios of the employer's normal accounts (optionally narrowed: accounts_set_ratio_for_employer)
    and recompute the monthly amounts with the SQL twin. Caller validates and holds the transaction."""
    n = accounts_set_ratio_for_employer(employer_id=employer.pk, center_id=employer.center_id, employer_ratio=er,
                                        member_ratio=mr, business_date=business_date, only=only, exclude=exclude,
                                        below=below)
    audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_RATIO_ADJUST, obj=employer, center=employer.center_id,
              business_date=business_date, after={"employer_ratio": er, "member_ratio": mr, "accounts": n})
    return n

