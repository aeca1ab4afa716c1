"""Public pages of the service catalogue (no sign-in): the list of items and one item's 办事指南."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors
from .models import ItemKind


@require_GET
def items(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in ItemKind.values:
        kind = ""
    today = timezone.localdate()
    rows = selectors.items_current(today, kind=kind or None)
    return render(request, "catalog/items.html", {
        "rows": [{"v": v, "promised": selectors.limit_text(v.promised_limit, v.promised_limit_unit),
                  "channels": selectors.channels_view(v)} for v in rows],
        "kind": kind, "kinds": ItemKind.choices})


@require_GET
def item(request: HttpRequest, code: str) -> HttpResponse:
    today = timezone.localdate()
    version = selectors.item_current(code, today)
    if version is None:
        raise Http404("服务事项不存在")
    upcoming = selectors.item_latest(code)
    return render(request, "catalog/item.html", {
        "v": version, "materials": selectors.materials_view(version), "channels": selectors.channels_view(version),
        "legal": selectors.limit_text(version.legal_limit, version.legal_limit_unit),
        "promised": selectors.limit_text(version.promised_limit, version.promised_limit_unit),
        "upcoming": upcoming if upcoming is not None and upcoming.version != version.version else None,
        "history": selectors.item_history(code)})
