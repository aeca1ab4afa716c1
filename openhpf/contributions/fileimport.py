"""Roster file import (缴存清册导入): .xlsx or .csv (UTF-8 or GBK) with the clerks' Chinese headers, one employer
or many (单位账号 column, files from agencies and banks), validated completely before anything is created.

Rows stream into a staging table (COPY / executemany) with the per-row checks done while reading (formats, ID
check digit through core.ids); the staged rows are joined once to accounts, members and employers, and every
rule runs as one SQL statement over that table (names, ID numbers, status, base cap/floor and ratio range in
force for the month, amount = base × ratio through accounts.calculations' SQL twin, duplicates, month already
paid). Every error is reported (row, column, code, Chinese message) in an .xlsx error file. Unless every row is
valid — or the clerk excludes the rejected rows — nothing is created; otherwise the confirmed remittances, one
per employer, and their lines are created with two INSERT … SELECT statements."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from openhpf.accounts.calculations import sql_monthly_amount
from openhpf.accounts.cutover import (
    FieldError,
    _norm_header,
    _ResidentIds,
    detect_encoding,
    parse_fen,
    parse_ratio_e4,
)
from openhpf.accounts.models import Employer
from openhpf.audit.services import actor_label, audit_log
from openhpf.core.codes import EmployerStatus, MemberAccountStatus
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.policy import policy_value
from openhpf.ledger import sql

from .models import RemittanceImport
from .relief import ym_first_day, ym_parse
from .services import _require

CHUNK = 50_000
ERROR_HEADER = ["行号", "列", "错误代码", "错误信息"]
# header → staging column; the optional 单位账号 lets one file carry many employers
COLUMNS = [("单位账号", "emp_no", False), ("姓名", "name", True), ("证件号码", "id_number", True),
           ("个人账号", "account_no", True), ("缴存基数", "base", True), ("单位比例", "er", True),
           ("个人比例", "mr", True), ("单位月缴额", "ea", True), ("个人月缴额", "ma", True)]
ALIASES = {"单位缴存比例": "单位比例", "个人缴存比例": "个人比例", "单位月缴存额": "单位月缴额",
           "个人月缴存额": "个人月缴额", "缴存基数(元)": "缴存基数", "单位月缴额(元)": "单位月缴额",
           "个人月缴额(元)": "个人月缴额"}
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
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.status == RemittanceImport.Status.ACCEPTED


class _Errors:
    """Every error of a file: (line, column, code, message), kept in order of discovery."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str, str]] = []

    def add(self, line: int, column: str, code: str, message: str) -> None:
        self.rows.append((line, column, code, message))

    def write_xlsx(self, path: Path) -> None:
        from openpyxl import Workbook

        path.parent.mkdir(parents=True, exist_ok=True)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("错误清单")
        ws.append(ERROR_HEADER)
        for r in sorted(self.rows, key=lambda x: (x[0], x[1])):
            ws.append(list(r))
        wb.save(path)


# ---------------------------------------------------------------- reading


def _header_map(header: list[Any], errors: _Errors) -> dict[str, int] | None:
    names = [ALIASES.get(h, h) for h in (_norm_header(str(x or "")) for x in header)]
    index = {h: i for i, h in enumerate(names)}
    missing = [h for h, _, req in COLUMNS if req and h not in index]
    for h in missing:
        errors.add(1, h, "HEADER_MISSING", f"缺少必需的列：{h}")
    return None if missing else index


def _raw_rows(path: Path, errors: _Errors) -> Iterator[tuple[int, list[Any]]]:
    """(line number, cells) of the data rows; the header row first with line 1."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(path))
            sheet = wb.get_sheet_by_index(0)
        except Exception as exc:
            errors.add(1, "", "FILE_UNREADABLE", f"无法读取 Excel 文件：{exc}")
            return
        for i, row in enumerate(sheet.iter_rows(), 1):
            yield i, row
        return
    enc = detect_encoding(path)
    with path.open("r", encoding=enc, newline="") as fh:
        reader = csv.reader(fh)
        try:
            for row in reader:
                yield reader.line_num, row
        except UnicodeDecodeError:
            errors.add(reader.line_num + 1, "", "FILE_ENCODING", f"文件编码错误（按 {enc} 读取失败，应为 UTF-8 或 GBK）")
        except csv.Error as exc:
            errors.add(reader.line_num, "", "CSV_FORMAT", f"CSV 格式错误：{exc}")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):  # Excel numbers: 5000.0 → "5000", 0.12 → "0.12" (repr is the shortest exact text)
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


def _parse(path: Path, errors: _Errors, on: date) -> Iterator[tuple]:
    """Staging tuples; a row with any format error is staged too (bad = 1, unusable values NULL)."""
    rows = _raw_rows(path, errors)
    first = next(rows, None)
    if first is None:
        errors.add(1, "", "FILE_EMPTY", "文件为空")
        return
    index = _header_map(list(first[1]), errors)
    if index is None:
        return
    plan = [(h, col, req, index.get(h)) for h, col, req in COLUMNS]
    ids = _ResidentIds(on=on)
    ratio_cache: dict[str, int] = {}
    seq = 0
    for line, raw in rows:
        cells = [_cell(raw[i]) if i is not None and i < len(raw) else "" for *_, i in plan]
        if not any(cells):
            continue
        seq += 1
        bad = 0
        out: list[Any] = [seq, line]
        for (h, col, req, _), v in zip(plan, cells, strict=True):
            if not v:
                if req:
                    errors.add(line, h, "REQUIRED", f"{h}不能为空")
                    bad = 1
                out.append(None)
                continue
            try:
                if col in ("base", "ea", "ma"):
                    out.append(parse_fen(v, h))
                elif col in ("er", "mr"):
                    got = ratio_cache.get(v)
                    if got is None:
                        got = parse_ratio_e4(v, h)
                        if len(ratio_cache) < 10_000:
                            ratio_cache[v] = got
                    out.append(got)
                elif col == "id_number":
                    out.append(ids.check(v)[0])
                else:
                    out.append(v[:120])
            except (FieldError, DomainError) as exc:
                errors.add(line, h, exc.code, exc.message)
                bad = 1
                out.append(None)
        out.append(bad)
        yield tuple(out)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    column: str
    code: str
    message: str  # formatted with the detail values
    where: str  # on the resolved table
    detail: str = ""  # extra SELECT expressions
    params: tuple[Any, ...] = ()


def _rules(t: str, *, month: str, employer_id: int | None, center_id: int, multi: bool) -> list[Rule]:
    on = ym_first_day(month)
    cap = int(policy_value("contribution.base.cap", on=on, center=center_id))
    floor = int(policy_value("contribution.base.floor", on=on, center=center_id))

    def e4(key: str) -> int:
        return int(Decimal(str(policy_value(key, on=on, center=center_id))) * 10000)

    lo, hi, reduced = e4("contribution.ratio.min"), e4("contribution.ratio.max"), e4("contribution.ratio.reduced_min")
    equal = bool(policy_value("contribution.ratio.equal_sides", on=on, center=center_id))
    rounding = str(policy_value("contribution.rounding", on=on, center=center_id))
    reduction = (f"employer_id IN (SELECT employer_id FROM accounts_ratioreduction WHERE valid_from <= '{on}' "
                 f"AND valid_to >= '{on}' AND approved_by <> '')")
    known = "sub_id IS NOT NULL"
    rules = [
        Rule("个人账号", "ACCOUNT_UNKNOWN", "个人账号 {0} 不存在", "account_no IS NOT NULL AND sub_id IS NULL", "account_no"),
        Rule("个人账号", "DUPLICATE", "个人账号 {0} 在文件中重复出现",
             f"account_no IN (SELECT account_no FROM {t} GROUP BY account_no HAVING COUNT(*) > 1)", "account_no"),
        Rule("姓名", "NAME_MISMATCH", "姓名「{0}」与个人账户登记的姓名不符", f"{known} AND name IS NOT NULL AND m_name <> name",
             "name"),
        Rule("证件号码", "ID_MISMATCH", "证件号码与个人账户登记的不符",
             f"{known} AND id_number IS NOT NULL AND m_id <> id_number"),
        Rule("个人账号", "ACCOUNT_NOT_NORMAL", "个人账户状态为 {0}，不是正常（01）状态，不能汇缴",
             f"{known} AND a_status <> '{MemberAccountStatus.NORMAL}'", "a_status"),
        Rule("个人账号", "MONTH_PAID", "个人账户已缴至 {0}，" + month + " 已缴存", f"{known} AND a_paid >= '{month}'", "a_paid"),
        Rule("单位账号", "EMPLOYER_NOT_NORMAL", "单位 {0} 不是正常状态，不能汇缴",
             f"{known} AND e_status <> '{EmployerStatus.NORMAL}'", "e_no"),
        Rule("单位账号", "REMITTANCE_EXISTS", "单位 {0} " + month + " 的汇缴单已存在",
             f"{known} AND employer_id IN (SELECT employer_id FROM contributions_remittance WHERE month = '{month}' "
             "AND biz_type = '01' AND status IN ('D', 'C', 'P'))", "e_no"),
        Rule("缴存基数", "BASE_ABOVE_CAP", f"缴存基数 {{0}} 分高于 {month} 的上限 {cap} 分", f"base > {cap}", "base"),
        Rule("缴存基数", "BASE_BELOW_FLOOR", f"缴存基数 {{0}} 分低于 {month} 的下限 {floor} 分", f"base < {floor}", "base"),
    ]
    for col, side in (("er", "单位比例"), ("mr", "个人比例")):
        rules.append(Rule(side, "RATIO_RANGE", f"{side} {{0}}（万分之）不在 {lo}–{hi} 范围内",
                          f"{col} > {hi} OR ({col} < {lo} AND NOT ({col} >= {reduced} AND {known} AND {reduction}))",
                          col))
    if equal:
        rules.append(Rule("个人比例", "RATIO_SIDES_DIFFER", "单位与个人缴存比例须相同", "er <> mr"))
    if multi:
        rules.append(Rule("单位账号", "EMPLOYER_MISMATCH", "个人账户不属于单位 {0}",
                          f"{known} AND emp_no IS NOT NULL AND emp_no <> e_no", "emp_no"))
    if employer_id is not None:
        rules.append(Rule("个人账号", "EMPLOYER_MISMATCH", "个人账户属于单位 {0}，不属于本单位",
                          f"{known} AND employer_id <> {int(employer_id)}", "e_no"))
    # amount = base × ratio with the center's rounding: the money rule's SQL twin, one statement per ratio
    for col, amount, side in (("er", "ea", "单位月缴额"), ("mr", "ma", "个人月缴额")):
        for (r,) in sql.fetch(f"SELECT DISTINCT {col} FROM {t} WHERE {col} IS NOT NULL AND {col} > 0"):
            expected = sql_monthly_amount("base", Decimal(int(r)) / 10000, rounding)
            rules.append(Rule(side, "AMOUNT_MISMATCH", f"{side} {{0}} 分应为 {{1}} 分（缴存基数 × 比例）",
                              f"{col} = {int(r)} AND base IS NOT NULL AND {amount} IS NOT NULL AND {amount} <> {expected}",
                              f"{amount}, {expected}"))
    return rules


def _run_rules(t: str, rules: list[Rule], errors: _Errors) -> None:
    with connection.cursor() as cur:
        for r in rules:
            detail = f", {r.detail}" if r.detail else ""
            cur.execute(f"SELECT line{detail} FROM {t} WHERE {r.where} ORDER BY seq", r.params)
            while batch := cur.fetchmany(5000):
                for line, *d in batch:
                    errors.add(int(line), r.column, r.code, r.message.format(*d, "", ""))
            cur.execute(f"UPDATE {t} SET bad = 1 WHERE bad = 0 AND ({r.where})", r.params)


# ---------------------------------------------------------------- the import


def _protect(buf: list[tuple]) -> list[tuple]:
    """ID numbers are staged as their blind index only (the column is encrypted at rest; no plaintext copy)."""
    from openhpf.security.fields import blind_index_many

    idx = blind_index_many("id_number", [r[4] for r in buf], normalize="id_number")
    return [(*r[:4], b, *r[5:]) for r, b in zip(buf, idx, strict=True)]


def _tables(import_id: int) -> tuple[str, str]:
    return f"remit_stage_{import_id}", f"remit_res_{import_id}"


def _drop(*tables: str) -> None:
    with transaction.atomic():
        for t in tables:
            sql.execute(f"DROP TABLE IF EXISTS {t}")


def remittance_import(
    *, center: Center, path: Path | str, month: str, actor: Any, business_date: date,
    employer: Employer | None = None, exclude_rejected: bool = False, error_file: Path | str | None = None,
    progress: Any = None,
) -> ImportResult:
    """Import a roster file for `month` (YYYY-MM). An entry point (outside any transaction). Returns the result;
    rejected files have status R and an error file, and nothing was created."""
    import time

    from openhpf.jobs.runner import Step, job_start, run_job

    _require(actor, center)
    path = Path(path)
    month = ym_parse(month)
    if not path.is_file():
        raise DomainError("FILE_MISSING", f"文件不存在：{path}", field="file")
    # a month after the current one is a 预缴 roster: accepted; its money waits in 暂存 until the month
    with transaction.atomic(durable=True):
        imp = RemittanceImport.objects.create(
            center=center, employer=employer, month=month, file_name=path.name[:255], exclude_rejected=exclude_rejected,
            business_date=business_date, created_by=actor_label(actor)[0])
    stage_t, res_t = _tables(imp.pk)
    errors = _Errors()
    result = ImportResult(import_id=imp.pk)
    err_path = Path(error_file) if error_file else Path(settings.VAR_DIR) / "remit" / f"errors-import-{imp.pk}.xlsx"
    job = job_start(kind="contributions.remit_import", actor=actor, center=center, business_date=business_date,
                    title=f"缴存清册导入 {path.name}", params={"import": imp.pk, "file": str(path), "month": month})
    imp.job_id = job.pk
    RemittanceImport.objects.filter(pk=imp.pk).update(job_id=job.pk)
    state: dict[str, Any] = {}
    big = "BIGINT" if connection.vendor == "postgresql" else "INTEGER"
    unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""

    def stage(ctx: Any) -> dict[str, int]:
        t0 = time.perf_counter()
        size = path.stat().st_size
        ctx.advance(0, total=max(size // 80, 1))
        _drop(stage_t, res_t)
        with transaction.atomic():
            sql.execute(f"CREATE {unlogged}TABLE {stage_t} (seq {big} NOT NULL, line {big} NOT NULL, emp_no TEXT, "
                        f"name TEXT, id_number TEXT, account_no TEXT, base {big}, er {big}, mr {big}, ea {big}, "
                        f"ma {big}, bad {big} NOT NULL)")
        buf: list[tuple] = []
        n = 0
        multi = False
        for row in _parse(path, errors, business_date):
            buf.append(row)
            multi = multi or bool(row[2])
            if len(buf) >= CHUNK:
                with transaction.atomic():
                    n += sql.bulk_insert(stage_t, STAGE_COLS, _protect(buf))
                ctx.advance(len(buf))
                buf = []
        if buf:
            with transaction.atomic():
                n += sql.bulk_insert(stage_t, STAGE_COLS, _protect(buf))
            ctx.advance(len(buf))
        state["multi"] = multi
        result.rows = n
        result.timings["stage"] = time.perf_counter() - t0
        return {"rows": n}

    def validate(ctx: Any) -> dict[str, int]:
        t0 = time.perf_counter()
        with transaction.atomic():
            # one join to accounts, members and employers; every rule then reads this table alone
            sql.execute(
                f"CREATE {unlogged}TABLE {res_t} AS SELECT s.seq, s.line, s.emp_no, s.name, s.id_number, s.account_no, "
                "s.base, s.er, s.mr, s.ea, s.ma, s.bad, a.sub_id, a.employer_id, a.status AS a_status, "
                "a.paid_up_to AS a_paid, m.name AS m_name, m.id_number_bidx AS m_id, e.account_no AS e_no, "
                f"e.status AS e_status FROM {stage_t} s "
                "LEFT JOIN accounts_memberaccount a ON a.account_no = s.account_no AND a.center_id = %s "
                "LEFT JOIN accounts_member m ON m.id = a.member_id "
                "LEFT JOIN accounts_employer e ON e.id = a.employer_id", [center.pk])
            sql.execute(f"CREATE INDEX {res_t}_acct ON {res_t} (account_no)")
            sql.execute(f"CREATE INDEX {res_t}_emp ON {res_t} (employer_id)")
            if connection.vendor == "postgresql":
                sql.execute(f"ANALYZE {res_t}")
            if employer is None and not state.get("multi", False):
                errors.add(1, "单位账号", "EMPLOYER_REQUIRED", "文件没有单位账号，请指定单位（--employer）")
            rules = _rules(res_t, month=month, employer_id=employer.pk if employer else None, center_id=center.pk,
                           multi=state.get("multi", False))
            ctx.advance(0, total=len(rules))
            _run_rules(res_t, rules, errors)
        ctx.advance(len(rules))
        bad = sql.fetch(f"SELECT COUNT(*) FROM {res_t} WHERE bad <> 0")[0][0]
        result.errors, result.rejected_rows = len(errors.rows), int(bad)
        result.accepted_rows = result.rows - result.rejected_rows
        result.timings["validate"] = time.perf_counter() - t0
        return {"errors": result.errors, "rejected_rows": result.rejected_rows}

    def create(ctx: Any) -> dict[str, Any]:
        t0 = time.perf_counter()
        file_level = any(line <= 1 for line, *_ in errors.rows)
        if errors.rows:
            errors.write_xlsx(err_path)
            result.error_file = str(err_path)
        if (errors.rows and not exclude_rejected) or file_level or result.accepted_rows == 0 or result.rows == 0:
            result.status = RemittanceImport.Status.REJECTED
            if result.rows == 0 and not errors.rows:
                errors.add(1, "", "FILE_EMPTY", "文件没有数据行")
                errors.write_xlsx(err_path)
                result.error_file, result.errors = str(err_path), 1
            return {"status": "R"}
        now = timezone.now()
        label = actor_label(actor)[0]
        with transaction.atomic():
            try:
                with transaction.atomic():
                    sql.execute(
                        "INSERT INTO contributions_remittance (center_id, employer_id, month, biz_type, back_kind, reason, "
                        "status, lines, employer_total, member_total, total, source_import_id, batch_key, business_date, "
                        "created_by, confirmed_by, created_at) "
                        "SELECT %s, employer_id, %s, '01', '', '', 'C', COUNT(*), SUM(ea), SUM(ma), SUM(ea + ma), %s, '', "
                        f"%s, %s, %s, %s FROM {res_t} WHERE bad = 0 GROUP BY employer_id ORDER BY employer_id",
                        [center.pk, month, imp.pk, business_date, label, label, now])
            except IntegrityError:
                raise DomainError("REMITTANCE_EXISTS", f"{month} 的汇缴单已由其他业务建立，请重新导入", field="month") from None
            sql.execute(
                "INSERT INTO contributions_remittanceline (remittance_id, seq, account_id, base, employer_ratio_e4, "
                "member_ratio_e4, employer_amount, member_amount) "
                f"SELECT r.id, s.seq, s.sub_id, s.base, s.er, s.mr, s.ea, s.ma FROM {res_t} s "
                "JOIN contributions_remittance r ON r.source_import_id = %s AND r.employer_id = s.employer_id "
                "WHERE s.bad = 0", [imp.pk])
            if connection.vendor == "postgresql":  # a file adds ~10⁵ remittances and 10⁶ lines: fresh plans for posting
                sql.execute("ANALYZE contributions_remittance")
                sql.execute("ANALYZE contributions_remittanceline")
            ids = [r[0] for r in sql.fetch("SELECT id FROM contributions_remittance WHERE source_import_id = %s "
                                           "ORDER BY id", [imp.pk])]
            total = sql.fetch("SELECT COALESCE(SUM(total), 0) FROM contributions_remittance WHERE source_import_id = %s",
                              [imp.pk])[0][0]
            result.remittance_ids, result.total = ids, int(total)
            result.status = RemittanceImport.Status.ACCEPTED
            RemittanceImport.objects.filter(pk=imp.pk).update(status=result.status, remittances=len(ids),
                                                              total=result.total)
            audit_log(actor=actor, action="contributions.remittance.import", obj=imp, center=center,
                      business_date=business_date,
                      after={"file": path.name, "month": month, "rows": result.rows, "accepted": result.accepted_rows,
                             "rejected": result.rejected_rows, "remittances": len(ids), "total": result.total})
        ctx.advance(result.accepted_rows, total=result.accepted_rows)
        result.timings["create"] = time.perf_counter() - t0
        return {"status": "A", "remittances": len(ids)}

    try:
        run_job(job, steps=[Step("stage", stage, weight=4, label="读取并暂存文件"),
                            Step("validate", validate, weight=2, label="校验"),
                            Step("create", create, weight=1, label="生成汇缴单")], progress=progress)
    finally:
        _drop(stage_t, res_t)
        RemittanceImport.objects.filter(pk=imp.pk).update(
            status=result.status if result.status != RemittanceImport.Status.VALIDATING else RemittanceImport.Status.REJECTED,
            rows=result.rows, accepted_rows=result.accepted_rows if result.accepted else 0,
            rejected_rows=result.rejected_rows, errors=len(errors.rows), error_file=result.error_file)
    result.errors = len(errors.rows)
    result.first_errors = [{"row": line, "column": c, "code": code, "message": m}
                           for line, c, code, m in sorted(errors.rows)[:20]]
    return result


# ---------------------------------------------------------------- the expected roster as a file (清册模板)


def _ratio_text(e4: int) -> str:
    return str((Decimal(int(e4)) / 10000).normalize())


def _yuan(fen: int) -> str:
    return f"{int(fen) // 100}.{int(fen) % 100:02d}"


def roster_rows(*, center: Center, month: str, employer: Employer | None = None) -> Iterator[list[str]]:
    """The expected roster of `month`: every normal account not yet paid for it, with the clerks' headers
    (单位账号 first, so the file may carry many employers). Streams in chunks by account id."""
    from openhpf.security.fields import decrypt_value, is_encrypted

    month = ym_parse(month)
    yield [h for h, _, _ in COLUMNS]
    where, params = "a.center_id = %s AND a.status = %s AND a.paid_up_to < %s", [center.pk, MemberAccountStatus.NORMAL,
                                                                                 month]
    if employer is not None:
        where += " AND a.employer_id = %s"
        params.append(employer.pk)
    last = 0
    while True:
        rows = sql.fetch(
            "SELECT a.sub_id, e.account_no, m.name, m.id_number, a.account_no, a.base, "
            f"{_e4_sql('a.employer_ratio')}, {_e4_sql('a.member_ratio')}, a.employer_amount, a.member_amount "
            "FROM accounts_memberaccount a JOIN accounts_member m ON m.id = a.member_id "
            f"JOIN accounts_employer e ON e.id = a.employer_id WHERE {where} AND a.sub_id > %s "
            "ORDER BY a.sub_id LIMIT 20000", [*params, last])
        if not rows:
            return
        for _sid, eno, name, idn, ano, base, er, mr, ea, ma in rows:
            idn = decrypt_value("id_number", idn) if is_encrypted(idn) else idn
            yield [eno, name, idn, ano, _yuan(base), _ratio_text(er), _ratio_text(mr), _yuan(ea), _yuan(ma)]
        last = rows[-1][0]


def _e4_sql(col: str) -> str:
    return f"CAST(ROUND({col} * 10000) AS INTEGER)"


def roster_write(*, center: Center, month: str, path: Path | str, employer: Employer | None = None,
                 encoding: str = "utf-8-sig") -> int:
    """Write the expected roster to .csv (UTF-8 with BOM, or gbk) or .xlsx; returns the data rows written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = -1
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("缴存清册")
        for row in roster_rows(center=center, month=month, employer=employer):
            ws.append(row)
            n += 1
        wb.save(path)
        return n
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        for row in roster_rows(center=center, month=month, employer=employer):
            w.writerow(row)
            n += 1
    return n
