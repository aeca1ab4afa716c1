"""The staff work queue (办件工作台): the queue, the review screen with its actions, claim and assign, the
materials, and counter intake. Every write goes through the engine's services; a DomainError is shown on the page
with its code and nothing is written. Personal data is read through the audited selectors (masked by level)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.accounts.selectors import employer_get, member_account_get
from openhpf.catalog.models import Channel, IdentityLevel, ItemKind, ServiceItemVersion
from openhpf.catalog.selectors import item_current, item_for_center
from openhpf.core.codes import RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask
from openhpf.core.models import Branch, Center
from openhpf.documents.counter import CounterTransaction, Done, Line, dry_run
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store
from openhpf.iam.services import console_center

from . import registry, rules, selectors, services
from .forms import MATERIAL_PREFIX, IntakeForm, split_lines
from .models import Application, ReviewDecision, State

VIEW = "applications.view"


def _center(request: HttpRequest) -> Center:
    return console_center(request.user)


def _app_or_404(request: HttpRequest, number: str) -> Application:
    """The application of the clerk's center by number; another center's (or none) is a 404, never a 403."""
    try:
        return selectors.application_get(request.user, number, center=_center(request))
    except DomainError as e:
        raise Http404(e.message) from None


def _error(e: DomainError) -> str:
    return f"{e.message}（{e.code}）"


# ---------------------------------------------------------------- the queue


@require_GET
@permission_required(VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    """办件工作台: filtered by item, state, branch, SLA colour and holder; paged with the true total."""
    center = _center(request)
    error, page, sla = None, None, selectors.sla_dates(center.business_date)
    try:
        f = selectors.QueueFilter.parse(request.GET)
    except DomainError as e:
        error, f = _error(e), selectors.QueueFilter()
    if error is None:
        page, sla = selectors.queue_page(center=center, actor=request.user, f=f, business_date=center.business_date,
                                         page=request.GET.get("page"))
    return render(request, "applications/queue.html", {
        "page": page, "rows": page.items if page else [], "f": f, "error": error, "sla": sla,
        "amber_days": selectors.amber_working_days(),
        "items": selectors.queue_items(center), "states": State.choices, "colours": selectors.SLA_COLOURS,
        "who_choices": selectors.WHO, "branches": list(Branch.objects.filter(center=center).order_by("code")),
        "can_intake": has_permission(request.user, services.ACCEPT_PERMISSION, center=center)},
        status=200 if error is None else 400)


# ---------------------------------------------------------------- the review screen and its actions


def _actions(request: HttpRequest, app: Application) -> dict[str, bool]:
    """What this clerk may do now (the services check again; this only decides which buttons show)."""
    user, center = request.user, app.center
    accept = has_permission(user, services.ACCEPT_PERMISSION, center=center)
    review = app.state == State.UNDER_REVIEW and has_permission(user, selectors.assign_permission(app), center=center)
    return {
        "accept": accept and app.state == State.SUBMITTED,
        "correction_intake": accept and app.state == State.SUBMITTED,
        "review": review,
        "execute": accept and app.state in (State.APPROVED, State.EXECUTION_FAILED),
        "close": accept and app.state == State.EXECUTION_FAILED,
        "cancel": accept and app.state in services.OPEN_STATES,
        "claim": app.state in selectors.QUEUE_STATES and app.assignee_id != user.pk
        and has_permission(user, selectors.assign_permission(app), center=center),
        "assign": app.state in selectors.QUEUE_STATES and has_permission(user, "applications.assign", center=center),
    }


@require_GET
@permission_required(VIEW)
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, _app_or_404(request, number))


def _detail(request: HttpRequest, app: Application, *, error: str = "", status: int = 200) -> HttpResponse:
    center = _center(request)
    view = selectors.review_view(application=app, actor=request.user, business_date=center.business_date)
    actions = _actions(request, app)
    return render(request, "applications/detail.html", {
        "v": view, "app": app, "actions": actions, "error": error,
        "decisions": ReviewDecision.Decision.choices,
        "candidates": selectors.assign_candidates(app) if actions["assign"] else []}, status=status)


ACTIONS = ("accept", "not_accept", "correction", "review", "execute", "close", "cancel")


@require_POST
@permission_required(VIEW)
def act(request: HttpRequest, number: str) -> HttpResponseBase:
    """One action of the review screen: 受理, 不予受理, 一次告知补正 (intake), 审核 (pass/reject/correction at the
    current level), 办理, 终止, 作废. A refusal is shown on the page with its code; nothing is written."""
    app = _app_or_404(request, number)
    center = _center(request)
    action, p = request.POST.get("action", ""), request.POST
    actor, day = request.user, center.business_date
    try:
        if action == "accept":
            app = services.application_accept(application=app, actor=actor, business_date=day)
        elif action == "not_accept":
            app = services.application_not_accept(application=app, actor=actor, business_date=day,
                                                  reasons=split_lines(p.get("reasons", "")))
        elif action == "correction":
            app = services.application_request_correction(application=app, actor=actor, business_date=day,
                                                          problems=split_lines(p.get("problems", "")))
        elif action == "review":
            app = services.application_review(application=app, actor=actor, business_date=day,
                                               decision=p.get("decision", ""), reason=p.get("reason", ""),
                                               problems=split_lines(p.get("problems", "")))
        elif action == "execute":
            app = services.application_execute(application=app, actor=actor, business_date=day)
        elif action == "close":
            app = services.application_close(application=app, actor=actor, business_date=day,
                                             reason=p.get("reason", ""))
        elif action == "cancel":
            app = services.application_cancel(application=app, actor=actor, business_date=day,
                                              reason=p.get("reason", ""))
        else:
            raise Http404("没有这项操作")
    except DomainError as e:
        return _detail(request, _app_or_404(request, number), error=_error(e), status=e.code.status)
    messages.success(request, f"办件 {app.number} 现为「{app.get_state_display()}」")
    return redirect("applications:detail", number=app.number)


@require_POST
@permission_required(VIEW)
def claim(request: HttpRequest, number: str) -> HttpResponseBase:
    app = _app_or_404(request, number)
    try:
        services.application_claim(application=app, actor=request.user, business_date=_center(request).business_date)
    except DomainError as e:
        return _detail(request, _app_or_404(request, number), error=_error(e), status=e.code.status)
    messages.success(request, f"已领办办件 {app.number}")
    return redirect("applications:detail", number=app.number)


@require_POST
@permission_required("applications.assign")
def assign(request: HttpRequest, number: str) -> HttpResponseBase:
    app = _app_or_404(request, number)
    raw = request.POST.get("assignee", "")
    user = get_user_model().objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    try:
        services.application_assign(application=app, actor=request.user, assignee=user,
                                    business_date=_center(request).business_date, reason=request.POST.get("reason", ""))
    except DomainError as e:
        return _detail(request, _app_or_404(request, number), error=_error(e), status=e.code.status)
    messages.success(request, f"办件 {app.number} 已分派")
    return redirect("applications:detail", number=app.number)


@require_GET
@permission_required(VIEW)
def material(request: HttpRequest, pk: int) -> FileResponse:
    """One scanned material of an application of the clerk's center (read-audited); anything else is 404."""
    center = _center(request)
    app = (selectors.applications_visible(request.user, center).filter(materials__pk=pk).first())
    if app is None:
        raise Http404("材料不存在")
    doc = selectors.material_document(application=app, material_id=pk, actor=request.user)
    return FileResponse(doc.file.open("rb"), filename=doc.original_name, as_attachment=False,
                        content_type=doc.content_type or "application/octet-stream")


# ---------------------------------------------------------------- counter intake (填写 → 核对 → 回单)


def _doc_type(material_code: str) -> str:
    return material_code if material_code in DocType.values else DocType.OTHER


@require_GET
@permission_required(services.ACCEPT_PERMISSION)
def intake_items(request: HttpRequest) -> HttpResponse:
    """柜面代为申请, step 0: the clerk picks one of the catalogue's items that has a handler and a counter channel."""
    center = _center(request)
    rows = []
    for code in registry.handled_items():
        v = item_current(code, center.business_date)
        if v is not None and v.active and any(c["channel"] == Channel.COUNTER for c in v.channels):
            rows.append(v)
    return render(request, "applications/intake_items.html", {"rows": rows})


class Intake(CounterTransaction):
    """柜面代为申请: a clerk files an application for a member or an employer at the counter, scanning its
    materials, and submits and 受理s it at once (channel 柜台, identity checked at the counter)."""

    kind, title, permission, form_class = "applications.intake", "柜面代为申请", "applications.accept", IntakeForm
    version: ServiceItemVersion
    template = "applications/intake.html"
    submit_label = "下一步：核对"
    confirm_label = "提交并受理"
    review_heading = "请与申请人核对以下内容"

    def _version(self, request: HttpRequest) -> ServiceItemVersion:
        code = request.GET.get("item", "")
        v = item_current(code, _center(request).business_date) if code in registry.handled_items() else None
        if v is None or not v.active:
            raise Http404("请先选择可办理的服务事项")
        return v

    def _materials(self, request: HttpRequest) -> list[dict[str, Any]]:
        """The item's materials as this center asks for them today: the national list and its 实施清单's own."""
        center = _center(request)
        here = item_for_center(self._version(request).item.code, center, center.business_date)
        return here.materials if here is not None else list(self._version(request).materials)

    def dispatch(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        self.version = self._version(request)
        self.materials = self._materials(request)
        return super().dispatch(request, **kwargs)

    def _file_fields(self) -> list[str]:
        """The scans are fields of this item's form, not of the base class: keep them between 核对 and 办理."""
        return [MATERIAL_PREFIX + m["code"] for m in self.materials]

    def form_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"version": self._version(request), "materials": self._materials(request)}

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"version": self._version(request)}

    def _party(self, request: HttpRequest, data: dict[str, Any], version: ServiceItemVersion) -> dict[str, Any]:
        center = _center(request)
        if version.kind == ItemKind.PERSON:
            acct = member_account_get(center=center, account_no=data["account_no"], user=request.user)
            return {"member_id": acct.member_id, "branch_id": acct.branch_id,
                    "label": f"{mask('name', acct.member.name)}（个人账号 {acct.account_no}）"}
        e = employer_get(center=center, account_no=data["employer_no"], user=request.user)
        return {"employer_id": e.pk, "branch_id": e.branch_id, "label": f"{e.name}（单位账号 {e.account_no}）"}

    def _file(self, request: HttpRequest, form_data: dict[str, Any], version: ServiceItemVersion, *,
              actor: Any, business_date: Any, attach: bool) -> Application:
        form = IntakeForm(version=version, materials=self._materials(request))
        form.cleaned_data = form_data
        party = self._party(request, form_data, version)
        app = services.application_create(
            center=_center(request), item_code=version.item.code, channel=Channel.COUNTER,
            identity_level=IdentityLevel.COUNTER_CHECK, actor=actor, business_date=business_date,
            payload=form.payload(), member_id=party.get("member_id"), employer_id=party.get("employer_id"),
            branch_id=party.get("branch_id"))
        if attach:
            for code, upload in form.uploads():
                upload.seek(0)
                doc = document_store(center=app.center, content=upload, original_name=upload.name or code,
                                     doc_type=_doc_type(code), retention=RetentionClass.LONG_30Y, actor=actor,
                                     business_date=business_date, obj=app,
                                     content_type=getattr(upload, "content_type", "") or "")
                services.application_attach(application=app, material_code=code, document=doc, actor=actor,
                                            business_date=business_date)
        return app

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        version = self._version(request)
        center = _center(request)
        party = self._party(request, data, version)
        form = IntakeForm(version=version, materials=self._materials(request))
        form.cleaned_data = data

        def check() -> list[tuple[str, str]]:
            app = self._file(request, data, version, actor=request.user, business_date=center.business_date,
                             attach=False)
            handler = registry.handler_for(version.item.code, version.name)
            payload, problems = handler.validate(dict(app.payload), app)
            if problems:
                raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=len(problems), problems="；".join(problems),
                                  details={"problems": problems})
            app.payload = payload  # the rules read the payload as the handler normalised it, as at 受理
            checks = [(f"规则 {r.code}", "符合" if r.holds else f"{r.message}（{rules.SEVERITIES.get(r.severity, r.severity)}）")
                      for r in services.rules_preview(app, center.business_date, request.user)]
            return selectors.payload_rows(app) + checks

        rows = dry_run(check)
        names = {m["code"]: m["name"] for m in self._materials(request)}
        return [Line("服务事项", version.name), Line("申请人", party["label"]), Line("办理渠道", Channel.COUNTER.label),
                *[Line(label, text) for label, text in rows],
                *[Line("申请材料", f"{names.get(code, code)}：{f.name}") for code, f in form.uploads()]]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Any, business_date: Any,
                **kwargs: Any) -> Done:
        version = self._version(request)
        app = self._file(request, data, version, actor=actor, business_date=business_date, attach=True)
        services.application_submit(application=app, actor=actor, business_date=business_date)
        app = services.application_accept(application=app, actor=actor, business_date=business_date)
        lines = [Line("办件编号", app.number), Line("服务事项", version.name),
                 Line("申请人", self._party(request, data, version)["label"]),
                 Line("状态", app.get_state_display()),
                 Line("法定办结期限", app.legal_due.isoformat() if app.legal_due else "—"),
                 Line("承诺办结期限", app.promised_due.isoformat() if app.promised_due else "—")]
        return Done(lines=lines, object=app, back_url=reverse("applications:detail", args=[app.number]),
                    title="柜面代为申请（已受理）")


intake = Intake.as_view()
