"""The employer list's export (单位查询结果导出, .xlsx): every employer the filters find, codes with their names,
the watermark on top and the totals at the end; audited with its catalogue event. No personal data is in it (the
contact person is left out), so it is not a personal read."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.services import export_watermark
from openhpf.core.audit_events import AuditEvent
from openhpf.core.errors import DomainError
from openhpf.core.money import format_ratio
from openhpf.documents.exports import export_audit, xlsx_response, yuan_text
from openhpf.iam.services import console_center

from . import selectors
from .views import employer_filter

HEADER = ["单位账号", "单位名称", "统一社会信用代码", "经济类型", "所属行业", "发薪日", "单位缴存比例", "个人缴存比例",
          "缴至年月", "单位状态", "开户日期", "暂存款余额（元）"]


def _ym(v: str) -> str:
    return f"{v[:4]}-{v[4:]}" if len(v or "") == 6 else ""


@require_POST
@permission_required("accounts.export")
def employer_export(request: HttpRequest) -> HttpResponseBase:
    center = console_center(request.user)
    flt = employer_filter(request)
    reason = request.POST.get("reason", "")
    try:
        mark = export_watermark(request.user, reason)
        count, rows = selectors.employer_export_rows(center=center, user=request.user, filters=flt)
        with transaction.atomic(durable=True):
            export_audit(actor=request.user, event=AuditEvent.ACCOUNTS_EMPLOYER_EXPORT, center=center, reason=reason,
                         rows=count, filters=flt.as_dict())
    except DomainError as e:
        messages.error(request, f"未能导出：{e.message}")
        return redirect(f"{reverse('accounts:employer_list')}?{urlencode(flt.as_dict())}")
    total = [0]

    def lines() -> Iterator[list[object]]:
        for e in rows:
            total[0] += e.suspense_balance
            yield [e.account_no, e.name, e.credit_code, e.economic_type_label, e.industry_label, e.payday,
                   format_ratio(e.employer_ratio), format_ratio(e.member_ratio), _ym(e.paid_up_to), e.status_label,
                   e.opened_date, yuan_text(e.suspense_balance)]

    return xlsx_response(filename="单位查询结果.xlsx", title="单位查询结果", header=HEADER, rows=lines(),
                         watermark=mark, totals=lambda: ["合计", f"{count} 个单位", *[""] * 9, yuan_text(total[0])],
                         widths=[14, 30, 22, 16, 20, 8, 12, 12, 10, 8, 12, 16])

