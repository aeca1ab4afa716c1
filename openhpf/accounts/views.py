"""Console pages of accounts (单位与个人账户): search and detail, personal data masked, every read audited.

Views are thin: they call the selectors, which scope, mask and audit the read (core.personal), and turn fen into
yuan strings for display (core.money.format_fen)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.core.codes import EconomicType, EmployerStatus, Industry
from openhpf.core.edges import error_response
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_ratio
from openhpf.iam.services import staff_center

from . import panels, selectors
from .member_forms import HistoryFilterForm
from .models import Employer, MemberAccount

HISTORY_PAGE_SIZE = 20
EMPLOYER_MEMBERS_PAGE_SIZE = 20

# ---------------------------------------------------------------- plumbing


def _center(request: HttpRequest) -> Center:
    center = staff_center(request.user)
    if center is None:
        raise PermissionDenied("当前用户未归属任何管理中心")
    return center


def _is_partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore after a cache miss wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else format_fen(fen)


def _percent(ratio: str | Decimal) -> str:
    """'0.1200' → '12%'."""
    return format_ratio(ratio)


def _year_month(yyyymm: str) -> str:
    """'202611' → '2026-11' (缴至年月); empty → '—'."""
    return f"{yyyymm[:4]}-{yyyymm[4:]}" if len(yyyymm or "") == 6 else (yyyymm or "—")


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _account(request: HttpRequest, center: Center, account_no: str) -> MemberAccount:
    try:
        return selectors.member_account_get(center=center, account_no=account_no, user=request.user)
    except DomainError as e:
        raise Http404(e.message) from None


def _employer(request: HttpRequest, center: Center, account_no: str) -> Employer:
    try:
        return selectors.employer_get(center=center, account_no=account_no, user=request.user)
    except DomainError as e:
        raise Http404(e.message) from None


# ---------------------------------------------------------------- employers (单位)


def employer_filter(request: HttpRequest) -> selectors.EmployerFilter:
    g = request.POST if request.method == "POST" else request.GET
    return selectors.EmployerFilter(q=g.get("q", "").strip(), status=g.get("status", ""),
                                    economic_type=g.get("economic_type", ""), industry=g.get("industry", ""))


@require_GET
@permission_required("accounts.view")
@vary_on_headers("HX-Request")
def employer_list(request: HttpRequest) -> HttpResponse:
    """单位: every employer of the center, or those matching the search (单位账号, 统一社会信用代码 exact, part of
    the name) and the code-table filters, paged with the true total; htmx swaps only the results."""
    center = _center(request)
    flt = employer_filter(request)
    ctx: dict[str, Any] = {"q": flt.q, "f": flt, "error": "", "page": None,
                           "statuses": EmployerStatus.choices, "economic_types": EconomicType.choices,
                           "industries": Industry.choices,
                           "can_register": has_permission(request.user, "accounts.open", center=center),
                           "can_export": has_permission(request.user, "accounts.export", center=center)}
    try:
        ctx["page"] = selectors.employer_page(center=center, user=request.user, filters=flt,
                                              page=request.GET.get("page"))
    except DomainError as e:
        ctx["error"] = e.message
    template = "accounts/_employer_results.html" if _is_partial(request) else "accounts/employer_list.html"
    return render(request, template, ctx)


@require_GET
@permission_required("accounts.view")
def employer_detail(request: HttpRequest, account_no: str) -> HttpResponse:
    center = _center(request)
    employer = _employer(request, center, account_no)
    d = selectors.employer_detail(employer=employer, actor=request.user, members_page=_page_number(request),
                                  members_page_size=EMPLOYER_MEMBERS_PAGE_SIZE)
    assert d.members is not None
    members = {
        "items": [{"account_no": m.account_no, "name": m.name, "base": _yuan(m.base),
                   "monthly_amount": _yuan(m.monthly_amount), "paid_up_to": _year_month(m.paid_up_to),
                   "status_label": m.status_label} for m in d.members.items],
        "total": d.members.total, "page": d.members.page, "pages": d.members.pages, "page_obj": d.members,
    }
    ctx = {
        "e": d,
        "employer_ratio": _percent(d.employer_ratio),
        "member_ratio": _percent(d.member_ratio),
        "suspense_balance": _yuan(d.suspense_balance),
        "monthly_amount": _yuan(d.monthly_amount),
        "paid_up_to": _year_month(d.paid_up_to),
        "members": members,
        "economic_type_label": _label(EconomicType, d.economic_type),
        "industry_label": _label(Industry, d.industry),
        # the 「办理」 links and the panels other apps add (accounts.panels)
        "actions": panels.employer_actions(user=request.user, center=center, account_no=d.account_no,
                                           status=d.status),
        "panels": panels.employer_panels(user=request.user, center=center, account_no=d.account_no),
        "can_open": has_permission(request.user, "accounts.open", center=center),
    }
    return render(request, "accounts/employer_detail.html", ctx)


_label = selectors.code_label


# ---------------------------------------------------------------- member accounts (个人)


@require_http_methods(["GET", "POST"])
@permission_required("accounts.view")
def member_list(request: HttpRequest) -> HttpResponse:
    """个人账户查询: by 个人账号, full 证件号码, 手机号码 or 姓名 prefix; results masked, the search audited.

    The query is POSTed so that ID numbers and phone numbers never land in URLs, access logs or browser history."""
    center = _center(request)
    if request.method == "GET" and request.GET.get("q", "").strip():
        # a query in the URL (an old bookmark, a hand-made link) reached the access log already: search nothing
        code = ErrorCode.PERSONAL_IN_URL
        return error_response(request, code, code.render(method="POST", path=request.path), field="q")
    q = request.POST.get("q", "").strip() if request.method == "POST" else ""
    page = selectors.member_search_page(center=center, q=q, actor=request.user,
                                        page=request.POST.get("page")) if q else None
    ctx = {"q": q, "searched": bool(q), "page": page,
           "can_export": has_permission(request.user, "accounts.export", center=center),
           "can_open": has_permission(request.user, "accounts.open", center=center)}
    template = "accounts/_member_results.html" if _is_partial(request) else "accounts/member_list.html"
    return render(request, template, ctx)


@dataclass(frozen=True)
class _HistoryFilter:
    """个人明细's date filter from the GET parameters; bad dates are told and not applied."""

    form: HistoryFilterForm
    date_from: date | None
    date_to: date | None

    @property
    def query(self) -> str:
        """The filter as URL parameters for the print link ('' when none), starting with '&'."""
        params = {k: v.isoformat() for k, v in (("date_from", self.date_from), ("date_to", self.date_to)) if v}
        return "&" + urlencode(params) if params else ""


def _history_filter(request: HttpRequest) -> _HistoryFilter:
    form = HistoryFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return _HistoryFilter(form, form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to"))
    return _HistoryFilter(form, None, None)


def _event_reference(account: MemberAccount, r: selectors.HistoryRow) -> str:
    """流水 of a row: the voucher of a money row; for an event row what happened (rows written before the event
    text was kept carry the account number: the business type says it)."""
    if r.voucher_no:
        return r.voucher_no
    if not r.reference or r.reference == account.account_no:
        return r.biz_label
    return r.reference


def _history_context(account: MemberAccount, p: selectors.Page, flt: _HistoryFilter) -> dict[str, Any]:
    rows = [
        {**asdict(r), "amount_yuan": _yuan(r.amount), "balance_yuan": _yuan(r.balance_after),
         "month_label": _year_month(r.month) if r.month else "—", "summary_text": r.summary or "—",
         "flow": _event_reference(account, r)}
        for r in p.items
    ]
    return {"account_no": account.account_no, "rows": rows, "total": p.total, "page": p.page, "pages": p.pages,
            "page_obj": p, "filter": flt.form, "filter_query": flt.query, "filtered": bool(flt.date_from or flt.date_to)}


@require_GET
@permission_required("accounts.view")
def member_detail(request: HttpRequest, account_no: str) -> HttpResponse:
    center = _center(request)
    account = _account(request, center, account_no)
    flt = _history_filter(request)
    d, p = selectors.member_account_page(account=account, actor=request.user, history_page=_page_number(request),
                                         history_page_size=HISTORY_PAGE_SIZE, date_from=flt.date_from,
                                         date_to=flt.date_to)
    history = _history_context(account, p, flt)  # past the end: the last page
    ctx = {
        "a": d,
        "money": {k: _yuan(getattr(d, k)) for k in (
            "base", "employer_amount", "member_amount", "monthly_amount", "balance", "balance_current",
            "balance_carried", "frozen_amount", "hold_amount", "available")},
        "employer_ratio": _percent(d.employer_ratio),
        "member_ratio": _percent(d.member_ratio),
        "paid_up_to": _year_month(d.paid_up_to),
        "history": history,
        "can_unmask": has_permission(request.user, "personal_data.unmask", center=center),
        "can_change": has_permission(request.user, "accounts.change", center=center),
        "can_freeze": has_permission(request.user, "accounts.freeze", center=center),
        "panels": panels.member_panels(user=request.user, center=center, account_no=d.account_no),
    }
    return render(request, "accounts/member_detail.html", ctx)


@require_GET
@permission_required("accounts.view")
def member_history(request: HttpRequest, account_no: str) -> HttpResponse:
    """One page of 个人明细账 (the fragment the detail page swaps with htmx)."""
    center = _center(request)
    account = _account(request, center, account_no)
    flt = _history_filter(request)
    p = selectors.account_history(account=account, actor=request.user, page=_page_number(request),
                                  page_size=HISTORY_PAGE_SIZE, last_if_past_end=True, date_from=flt.date_from,
                                  date_to=flt.date_to)
    history = _history_context(account, p, flt)
    return render(request, "accounts/_history.html", {"history": history})
