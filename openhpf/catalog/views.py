"""Public pages of the service catalogue (no sign-in): the list of items and one item's 办事指南, each as a center
implements it (its 实施清单) when a center is named (`?center=<机构代码>`) or when there is only one center.
And the console pages of a center's 实施清单 for staff with catalog.change (list; one item with the change form)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openhpf.approvals.services import command_submit
from openhpf.core.authz import permission_required, staff_center_required
from openhpf.core.errors import DomainError
from openhpf.core.paging import paginate

from . import selectors
from .commands import IMPLEMENTATION_COMMAND, PERMISSION
from .forms import ImplementationForm
from .models import ItemKind
from .services import implementation_spec_of


def _center(request: HttpRequest) -> Any:
    code = request.GET.get("center", "").strip()
    if not code:
        return selectors.default_center()
    center = selectors.center_by_code(code)
    if center is None:
        raise Http404("管理中心不存在")
    return center


@require_GET
def items(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in ItemKind.values:
        kind = ""
    center = _center(request)
    if center is not None:
        here = selectors.items_for_center(center, center.business_date, kind=kind or None, offered_only=True)
        rows = [{"v": r.version, "promised": selectors.limit_text(r.promised_limit, r.promised_limit_unit),
                 "channels": selectors.center_channels_view(r)} for r in here]
    else:
        rows = [{"v": v, "promised": selectors.limit_text(v.promised_limit, v.promised_limit_unit),
                 "channels": selectors.channels_view(v)}
                for v in selectors.items_current(timezone.localdate(), kind=kind or None)]
    return render(request, "catalog/items.html", {"rows": rows, "kind": kind, "kinds": ItemKind.choices,
                                                  "center": center})


@require_GET
def item(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(request)
    on = center.business_date if center is not None else timezone.localdate()
    version = selectors.item_current(code, on)
    if version is None:
        raise Http404("服务事项不存在")
    upcoming = selectors.item_latest(code)
    context: dict[str, Any] = {
        "v": version, "materials": selectors.materials_view(version), "channels": selectors.channels_view(version),
        "legal": selectors.limit_text(version.legal_limit, version.legal_limit_unit),
        "promised": selectors.limit_text(version.promised_limit, version.promised_limit_unit),
        "upcoming": upcoming if upcoming is not None and upcoming.version != version.version else None,
        "history": selectors.item_history(code), "center": center, "here": None}
    if center is not None:
        here = selectors.item_for_center(code, center, on)
        assert here is not None  # the item's version exists on `on`
        latest = selectors.implementation_latest(center, code)
        context.update({
            "here": here, "materials": selectors.center_materials_view(here),
            "channels": selectors.center_channels_view(here),
            "promised": selectors.limit_text(here.promised_limit, here.promised_limit_unit),
            "impl_upcoming": latest if latest is not None and latest != here.implementation else None})
    return render(request, "catalog/item.html", context)


# ---------------------------------------------------------------- console: the center's 实施清单 (catalog.change)


@require_GET
@permission_required(PERMISSION)
def implementations(request: HttpRequest) -> HttpResponse:
    """The staff member's center's 实施清单: every national item as the center implements it on its business
    date, with whether it has its own version and whether a change is waiting for a checker."""
    center = staff_center_required(request.user, perm=PERMISSION)
    kind = request.GET.get("kind", "")
    if kind not in ItemKind.values:
        kind = ""
    rows = selectors.items_for_center(center, center.business_date, kind=kind or None)
    page = paginate(rows, request.GET.get("page"))
    pending = set(selectors.implementation_pending_codes(center))
    return render(request, "catalog/implementations.html", {
        "center": center, "kind": kind, "kinds": ItemKind.choices, "page": page,
        "rows": [{"r": r, "promised": selectors.limit_text(r.promised_limit, r.promised_limit_unit),
                  "channels": selectors.center_channels_view(r), "pending": r.code in pending} for r in page.items]})


@permission_required(PERMISSION)
def implementation(request: HttpRequest, code: str) -> HttpResponse:
    """One item's 实施清单 at the staff member's center: what is in force, its history, and the form that submits
    a change (maker-checker `catalog.implementation_change`; a different checker approves it under 复核)."""
    center = staff_center_required(request.user, perm=PERMISSION)
    national = selectors.item_latest(code)
    if national is None:
        raise Http404("服务事项不存在")
    latest = selectors.implementation_latest(center, code)
    base = implementation_spec_of(latest, national)
    error, submitted = "", None
    if request.method == "POST":
        form = ImplementationForm(request.POST, national=national)
        if form.is_valid():
            try:
                with transaction.atomic():
                    submitted = command_submit(
                        name=IMPLEMENTATION_COMMAND, actor=request.user, center=center,
                        business_date=center.business_date,
                        params={"code": code, "spec": form.spec(), "reason": form.cleaned_data["reason"],
                                "effective_from": form.cleaned_data["effective_from"].isoformat()},
                        idempotency_key=f"{selectors.PENDING_KEY}{code}:{uuid.uuid4().hex}")
            except DomainError as exc:
                error = f"{exc.message}（{exc.code}）"
    else:
        form = ImplementationForm(initial={**ImplementationForm.initial_from(base),
                                           "effective_from": center.business_date}, national=national)
    here = selectors.item_for_center(code, center, center.business_date)
    return render(request, "catalog/implementation.html", {
        "center": center, "national": national, "here": here, "form": form, "error": error,
        "submitted": submitted, "history": selectors.implementation_history(center, code),
        "promised": selectors.limit_text(here.promised_limit, here.promised_limit_unit) if here else "—",
        "channels": selectors.center_channels_view(here) if here else [],
        "materials": selectors.center_materials_view(here) if here else []},
        status=422 if request.method == "POST" and submitted is None else 200)
