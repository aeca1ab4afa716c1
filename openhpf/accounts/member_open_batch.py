"""个人批量开户 from an .xlsx roster (柜面): a template to download whose header says what each column takes (a
comment on each header cell and a 填写说明 sheet), an upload that shows a preview — every error by row and
column in Chinese — BEFORE anything is created, and a confirmation that opens every row or none and issues one
业务回单 with the count.

The preview is a dry run of the real thing: every row goes through `services.member_account_open` (each in its
own savepoint, so one bad row does not hide the next) and everything is rolled back; so the preview refuses what
the confirmation would (bases outside the cap/floor, ratios outside policy, a person who already has an account,
the same person twice in the file). The confirmation runs it again for real, in one durable transaction with its
回单; the uploaded file is kept under the form's one-time token between the two steps, and a second submission
of the same form lands on the first 回单."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from openhpf.access.decorators import permission_required
from openhpf.core.actors import Actor
from openhpf.core.codes import IdType, MaritalStatus, Sex
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.formfields import is_mobile
from openhpf.core.ids import validate_resident_id
from openhpf.core.models import Center
from openhpf.core.money import format_fen, parse_yuan
from openhpf.documents.counter import TOKEN_RE, UPLOAD_DIR, receipt_url
from openhpf.documents.receipts import Line, receipt_for_token, receipt_issue
from openhpf.iam.services import staff_center

from . import selectors, services
from .member_forms import EmployerNoField
from .models import Employer

KIND = "accounts.member.open_batch"
TITLE = "个人批量开户"
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS = 200

# (key, header, what the column takes) — the template's header row and its 填写说明 sheet
COLUMNS: list[tuple[str, str, str]] = [
    ("name", "姓名", "必填，职工姓名，不超过 60 个字"),
    ("id_type", "证件类型", "必填，代码或名称：" + "、".join(f"{v} {lbl}" for v, lbl in IdType.choices)),
    ("id_number", "证件号码", "必填，以文本格式填写；身份证为 18 位，校验位、出生日期与地区码自动校验"),
    ("birth_date", "出生日期", "非身份证必填，如 1990-01-31；身份证由号码得出，可不填"),
    ("sex", "性别", "非身份证必填：男 或 女；身份证由号码得出，可不填"),
    ("phone", "手机号码", "选填，以 1 开头的 11 位手机号码"),
    ("marital_status", "婚姻状况", "选填，代码或名称：" + "、".join(f"{v} {lbl}" for v, lbl in MaritalStatus.choices)
     + "；不填为「未说明」"),
    ("base", "缴存基数（元）", "必填，以元为单位，最多两位小数，如 8500 或 8500.50；须在本中心上下限之间"),
    ("employer_ratio", "单位缴存比例（%）", "选填，百分数，如 12 表示 12%；不填按单位比例"),
    ("member_ratio", "个人缴存比例（%）", "选填，百分数，如 12 表示 12%；不填按单位比例"),
]
HEADERS = [h for _, h, _ in COLUMNS]
LABEL = {k: h for k, h, _ in COLUMNS}


# ---------------------------------------------------------------- the template


@require_GET
@permission_required("accounts.open")
def open_template(request: HttpRequest) -> HttpResponse:
    """The .xlsx template: one header row (a comment on each cell says what it takes), text-formatted ID and
    phone columns, and a 填写说明 sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "开户清册"
    ws.append(HEADERS)
    for i, (key, header, what) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.comment = Comment(what, "公积金中心")
        ws.column_dimensions[cell.column_letter].width = max(12, len(header) * 2 + 4)
        if key in ("id_number", "phone", "birth_date"):
            for r in range(2, 1002):
                ws.cell(row=r, column=i).number_format = "@"
    ws.freeze_panes = "A2"
    guide = wb.create_sheet("填写说明")
    guide.append(["列名", "填写要求"])
    for _, header, what in COLUMNS:
        guide.append([header, what])
    guide.append([])
    guide.append(["说明", f"第 1 行为表头，不要修改；从第 2 行起每行一名职工，每个文件最多 {MAX_ROWS} 行。"])
    guide.append(["说明", "上传后先显示预览，列出每一行每一列的错误；确认后全部开户，有任何错误则不开户。"])
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    resp = HttpResponse(out.getvalue(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''%E4%B8%AA%E4%BA%BA%E5%BC%80%E6%88%B7%E6%A8%A1%E6%9D%BF.xlsx"
    return resp


# ---------------------------------------------------------------- reading and checking a file


@dataclass
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str  # the column's header, '' for the whole row or file
    message: str


@dataclass
class Checked:
    rows: int = 0
    opened: list[Any] = field(default_factory=list)  # MemberAccount, on the real run
    base_total: int = 0
    errors: list[RowError] = field(default_factory=list)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, datetime):
        return f"{v:%Y-%m-%d}"
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def _code(value: str, choices: list[tuple[str, str]], default: str = "") -> str | None:
    if not value:
        return default or None
    for code, label in choices:
        if value in (code, label) or (value.isdigit() and value.zfill(len(code)) == code):
            return code
    return None


def _percent(value: str) -> Decimal | None:
    text = value.replace("%", "").replace("％", "").strip()
    pct = Decimal(text)
    if not pct.is_finite() or pct != pct.quantize(Decimal("0.01")):
        raise InvalidOperation
    return pct / 100


def _parse_identity(cells: dict[str, Any], raw: dict[str, str], bad: Any, out: dict[str, Any]) -> None:
    id_type = _code(raw["id_type"], IdType.choices)
    if id_type is None:
        bad("id_type", f"证件类型「{raw['id_type']}」不正确" if raw["id_type"] else "请填写证件类型")
    out["id_type"] = id_type
    if isinstance(cells.get("id_number"), float) and len(raw["id_number"]) > 15:
        bad("id_number", "证件号码被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写")
    elif not raw["id_number"]:
        bad("id_number", "请填写证件号码")
    elif id_type == IdType.RESIDENT_ID:
        try:
            validate_resident_id(raw["id_number"])
        except DomainError as e:
            bad("id_number", e.message)
    out["id_number"] = raw["id_number"].upper()
    birth = cells.get("birth_date")
    out["birth_date"] = None
    if isinstance(birth, datetime | date):
        out["birth_date"] = birth.date() if isinstance(birth, datetime) else birth
    elif raw["birth_date"]:
        try:
            out["birth_date"] = date.fromisoformat(raw["birth_date"].replace("/", "-"))
        except ValueError:
            bad("birth_date", f"出生日期格式不正确：{raw['birth_date']}（应如 1990-01-31）")
    out["sex"] = _code(raw["sex"], Sex.choices)
    if raw["sex"] and out["sex"] is None:
        bad("sex", f"性别应为 男 或 女：{raw['sex']}")


def _parse_amounts(raw: dict[str, str], bad: Any, out: dict[str, Any]) -> None:
    if not raw["base"]:
        bad("base", "请填写缴存基数（元）")
    else:
        try:
            out["base"] = parse_yuan(raw["base"])
            if out["base"] <= 0:
                bad("base", "缴存基数应大于零")
        except DomainError:
            bad("base", f"缴存基数应为以元为单位、最多两位小数的金额：{raw['base']}")
    for key in ("employer_ratio", "member_ratio"):
        out[key] = None
        if raw[key]:
            try:
                out[key] = _percent(raw[key])
            except (InvalidOperation, ValueError):
                bad(key, f"{LABEL[key][:-3]}应为百分数，最多两位小数，如 12 表示 12%：{raw[key]}")


def _parse_row(cells: dict[str, Any], n: int, errors: list[RowError]) -> dict[str, Any] | None:
    """The row as service arguments, or None with its cell errors added."""
    before = len(errors)

    def bad(key: str, message: str) -> None:
        errors.append(RowError(n, LABEL[key], message))

    raw = {k: _text(cells.get(k)) for k, _, _ in COLUMNS}
    out: dict[str, Any] = {"name": raw["name"]}
    if not raw["name"]:
        bad("name", "请填写姓名")
    _parse_identity(cells, raw, bad, out)
    phone = raw["phone"].replace(" ", "").replace("-", "")
    if phone and not is_mobile(phone):
        bad("phone", f"手机号码应为以 1 开头的 11 位数字：{raw['phone']}")
    out["phone"] = phone
    out["marital_status"] = _code(raw["marital_status"], MaritalStatus.choices, MaritalStatus.UNKNOWN)
    if out["marital_status"] is None:
        bad("marital_status", f"婚姻状况「{raw['marital_status']}」不正确")
    _parse_amounts(raw, bad, out)
    return out if len(errors) == before else None


class _DryRun(Exception):
    """Raised to roll the preview's dry run back."""


def _read(content: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        return [], [RowError(0, "", "文件不是有效的 Excel（.xlsx）文件，请使用下载的模板填写")]
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [_text(v) for v in next(it, ())]
    while header and not header[-1]:
        header.pop()
    if header != HEADERS:
        return [], [RowError(1, "", "第 1 行表头应为：" + "、".join(HEADERS) + "（请使用下载的模板）")]
    rows = []
    for n, values in enumerate(it, 2):
        if not any(_text(v) for v in values):
            continue
        rows.append((n, {k: values[i] if i < len(values) else None for i, (k, _, _) in enumerate(COLUMNS)}))
        if len(rows) > MAX_ROWS:
            return [], [RowError(0, "", f"每个文件最多 {MAX_ROWS} 行，请拆分后上传")]
    wb.close()
    if not rows:
        return [], [RowError(0, "", "文件中没有数据行（从第 2 行起填写）")]
    return rows, []


def check_and_open(*, center: Center, employer: Employer, content: bytes, actor: Actor, business_date: date,
                   dry_run: bool) -> Checked:
    """Read the file and open every row through the service (a dry run rolls it all back). On the real run any
    error raises nothing but leaves `errors` set, and the caller rolls back."""
    rows, errors = _read(content)
    out = Checked(rows=len(rows), errors=errors)
    if errors:
        return out
    try:
        with transaction.atomic():
            for n, cells in rows:
                args = _parse_row(cells, n, out.errors)
                if args is None:
                    continue
                try:
                    with transaction.atomic():
                        acct = services.member_account_open(center=center, employer=employer, actor=actor,
                                                            business_date=business_date, **args)
                except DomainError as e:
                    out.errors.append(RowError(n, LABEL.get(e.field or "", ""), e.message))
                    continue
                out.opened.append(acct)
                out.base_total += acct.base
                if len(out.errors) >= MAX_ERRORS:
                    break
            if dry_run or out.errors:
                raise _DryRun
    except _DryRun:
        pass
    return out


# ---------------------------------------------------------------- the screen


class BatchForm(forms.Form):
    employer_no = EmployerNoField()
    file = forms.FileField(label="开户清册（.xlsx）", required=False,
                           help_text=f"使用下载的模板填写，最多 {MAX_ROWS} 行、5 MB")


def _path(token: str) -> str:
    return f"{UPLOAD_DIR}/{token}/open-batch.xlsx"


def _employer(center: Center, user: Any, employer_no: str) -> Employer:
    try:
        return selectors.employer_get(center=center, account_no=employer_no, user=user)
    except DomainError as e:
        raise DomainError(ErrorCode.EMPLOYER_UNKNOWN, e.message, field="employer_no") from None


@require_http_methods(["GET", "POST"])
@permission_required("accounts.open")
def open_batch(request: HttpRequest) -> HttpResponseBase:
    center = staff_center(request.user)
    assert center is not None  # permission_required refused a user without a center's permission
    token = request.POST.get("_token", "") if request.method == "POST" else uuid.uuid4().hex
    ctx: dict[str, Any] = {"title": TITLE, "max_rows": MAX_ROWS}
    if request.method == "GET":
        form = BatchForm(initial={"employer_no": request.GET.get("employer", "")})
        return render(request, "accounts/open_batch.html", {**ctx, "form": form, "token": token})
    if not TOKEN_RE.match(token):
        form = BatchForm(initial={"employer_no": request.POST.get("employer_no", "")})
        return render(request, "accounts/open_batch.html",
                      {**ctx, "form": form, "token": uuid.uuid4().hex,
                       "notice": f"{ErrorCode.COUNTER_TOKEN.template}（{ErrorCode.COUNTER_TOKEN}）"}, status=400)
    done = receipt_for_token(center, token)
    if done is not None:
        return HttpResponseRedirect(receipt_url(done) + "?repeat=1")
    form = BatchForm(request.POST, request.FILES)
    ctx.update(form=form, token=token)
    if not form.is_valid():
        return render(request, "accounts/open_batch.html", ctx, status=400)
    try:
        employer = _employer(center, request.user, form.cleaned_data["employer_no"])
    except DomainError as e:
        form.add_error("employer_no", f"{e.message}（{e.code}）")
        return render(request, "accounts/open_batch.html", ctx, status=400)
    upload = form.cleaned_data.get("file")
    if upload is not None:
        if upload.size > MAX_BYTES:
            form.add_error("file", "文件超过 5 MB，请拆分后上传")
            return render(request, "accounts/open_batch.html", ctx, status=400)
        if default_storage.exists(_path(token)):
            default_storage.delete(_path(token))
        default_storage.save(_path(token), ContentFile(upload.read()))
    elif not default_storage.exists(_path(token)):
        form.add_error("file", "请选择开户清册文件（.xlsx）")
        return render(request, "accounts/open_batch.html", ctx, status=400)
    with default_storage.open(_path(token)) as fh:
        content = fh.read()
    confirm = request.POST.get("_step") == "confirm" and upload is None
    ctx["employer"] = employer
    if not confirm:
        checked = check_and_open(center=Center.objects.get(pk=center.pk), employer=employer, content=content,
                                 actor=request.user, business_date=Center.objects.get(pk=center.pk).business_date,
                                 dry_run=True)
        return render(request, "accounts/open_batch.html", {**ctx, **_preview(checked)},
                      status=400 if checked.errors else 200)
    if request.POST.get("_ack") != "1":
        checked = check_and_open(center=center, employer=employer, content=content, actor=request.user,
                                 business_date=Center.objects.get(pk=center.pk).business_date, dry_run=True)
        return render(request, "accounts/open_batch.html",
                      {**ctx, **_preview(checked), "ack_error": "请勾选「已核对开户清册」后再确认开户"}, status=400)
    with transaction.atomic(durable=True):
        current = Center.objects.get(pk=center.pk)
        checked = check_and_open(center=current, employer=employer, content=content, actor=request.user,
                                 business_date=current.business_date, dry_run=False)
        if checked.errors:
            receipt = None
        else:
            nos = [a.account_no for a in checked.opened]
            receipt = receipt_issue(
                center=current, kind=KIND, title=TITLE, actor=request.user, business_date=current.business_date,
                token=token, object=employer, back_url=reverse("accounts:employer_detail", args=[employer.account_no]),
                lines=[Line("单位", f"{employer.name}（{employer.account_no}）"), Line("开户人数", f"{len(nos)} 人"),
                       Line("个人账号", f"{nos[0]} 至 {nos[-1]}" if len(nos) > 1 else nos[0]),
                       Line("缴存基数合计（元）", format_fen(checked.base_total))])
    if receipt is None:
        return render(request, "accounts/open_batch.html", {**ctx, **_preview(checked)}, status=400)
    default_storage.delete(_path(token))
    return HttpResponseRedirect(receipt_url(receipt))


def _preview(checked: Checked) -> dict[str, Any]:
    return {"preview": True, "rows": checked.rows, "ok_rows": len(checked.opened), "errors": checked.errors,
            "base_total": format_fen(checked.base_total), "too_many": len(checked.errors) >= MAX_ERRORS}
