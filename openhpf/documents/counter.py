"""The counter transaction (柜面业务): one screen per transaction, the same three steps everywhere.

    填写 (GET: the form)  →  确认 (POST _step=review: validated, the summary of what will happen)
                          →  办理 (POST _step=confirm: validated again, done in ONE durable transaction together with
                                   its 业务回单, then a redirect to the 回单 page)

A transaction is a subclass that names its form, permission and title and implements `preview()` (the lines of
the 确认 page) and `execute()` (calls the services, returns the 回单's lines). Rules stay in the services: their
DomainError is shown on the form (on its field when the error names one of the form's fields) with its code, and
nothing is written. A one-time token (a hidden field, made on GET) is stored on the 回单: a second submission of
the same form (a double click, back and resubmit, two tabs) finds that 回单 instead of doing the work twice, also
when both arrive at once (the (center, token) constraint fails the later transaction, which rolls back whole).

Files (a legal document for a freeze) are kept between 确认 and 办理 under the token in the default storage, so
the clerk does not choose them twice; they are removed once the transaction is done.

    class MemberSeal(CounterTransaction):
        kind, title, permission, form_class = "accounts.member.seal", "个人账户封存", "accounts.change", SealForm
        def preview(self, request, data, **kw): return [Line("封存原因", data["reason"])]
        def execute(self, request, data, *, actor, business_date, **kw):
            acct = services.member_account_seal(...)
            return Done(lines=[...], object=acct, back_url=...)

    path("members/<str:account_no>/seal/", MemberSeal.as_view(), name="member_seal")
"""

from __future__ import annotations

import abc
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, TypeVar, cast

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openhpf.core.actors import Actor
from openhpf.core.authz import permission_required, staff_center_required
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center

from .models import Receipt
from .receipts import Line, receipt_for_token, receipt_issue

__all__ = ["CounterTransaction", "Done", "Line", "dry_run", "receipt_url"]

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
STEP_REVIEW = "review"
STEP_CONFIRM = "confirm"
UPLOAD_DIR = "counter-uploads"
T = TypeVar("T")


@dataclass
class Done:
    """What `execute()` did, for the 回单: its lines (amounts in 元), the business object it made or changed, the
    page 返回 leads to, a title other than the transaction's (e.g. 已提交复核) and the amount in fen."""

    lines: list[Line] = field(default_factory=list)
    object: models.Model | tuple[str, Any] | None = None
    back_url: str = ""
    title: str | None = None
    amount_fen: int | None = None


class _DryRun(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__("dry run")
        self.value = value


def dry_run(fn: Callable[[], T]) -> T:
    """Run `fn` — the service call the 办理 step will make — in a transaction that is then rolled back, and return
    what it returned: the 核对 page refuses what 办理 would (caps, policy ratios, states) and shows what it would
    make, with nothing written. Read everything the page shows inside `fn`: after it, the rows are gone."""
    try:
        with transaction.atomic():
            raise _DryRun(fn())
    except _DryRun as done:
        return cast(T, done.value)


def receipt_url(receipt: Receipt) -> str:
    return reverse("documents:receipt", args=[receipt.number])


def _error_text(e: DomainError) -> str:
    return f"{e.message}（{e.code}）"


class CounterTransaction(abc.ABC):
    """One counter transaction screen (see the module docstring). Subclasses set the class attributes and
    implement `preview` and `execute` (abstract: a subclass without them cannot be made); `context` and `initial`
    are optional."""

    kind: ClassVar[str]
    title: ClassVar[str]
    permission: ClassVar[str]
    form_class: ClassVar[type[forms.Form]]
    money_moving: ClassVar[bool] = False
    template: ClassVar[str] = "documents/counter/form.html"
    confirm_template: ClassVar[str] = "documents/counter/confirm.html"
    submit_label: ClassVar[str] = "下一步：核对"
    confirm_label: ClassVar[str] = "确认办理"
    # the 核对 page's heading and the money-moving tick box: a customer at the counter by default; a back-office
    # form (a voucher, a year-end transfer) says what its clerk checks instead
    review_heading: ClassVar[str] = "请与客户核对以下内容"
    ack_label: ClassVar[str] = "已与客户核对金额和账户"

    # ------------------------------------------------------------ hooks

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        """Extra template context (the account or employer shown above the form)."""
        return {}

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {}

    def form_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        """Extra keyword arguments for the form (choices that depend on the center)."""
        return {}

    @abc.abstractmethod
    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        """The lines of the 核对 page: what will happen, checked by the services' rules, nothing written."""

    @abc.abstractmethod
    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        """Do it (inside the durable transaction that also issues the 回单) and say what was done."""

    # ------------------------------------------------------------ the flow

    @classmethod
    def as_view(cls) -> Callable[..., HttpResponseBase]:
        @require_http_methods(["GET", "POST"])
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
            return cls().dispatch(request, **kwargs)

        view.__name__ = view.__qualname__ = f"{cls.__name__}_view"
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        guarded = permission_required(cls.permission)(cast(Callable[..., HttpResponse], view))
        guarded.counter_transaction = cls  # type: ignore[attr-defined]
        return guarded

    def dispatch(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        center = staff_center_required(request.user, perm=self.permission)
        extra = self.context(request, **kwargs)
        if request.method == "GET":
            form = self.form_class(initial=self.initial(request, **kwargs), **self.form_kwargs(request, **kwargs))
            return self._form(request, form, uuid.uuid4().hex, extra)
        token = request.POST.get("_token", "")
        if not TOKEN_RE.match(token):
            form = self.form_class(initial=self.initial(request, **kwargs), **self.form_kwargs(request, **kwargs))
            return self._form(request, form, uuid.uuid4().hex, extra, status=400,
                              notice=f"{ErrorCode.COUNTER_TOKEN.template}（{ErrorCode.COUNTER_TOKEN}）")
        done = receipt_for_token(center, token)
        if done is not None:  # this form was already submitted and done: show its 回单, do nothing again
            return HttpResponseRedirect(receipt_url(done) + "?repeat=1")
        step = request.POST.get("_step", STEP_REVIEW)
        files = self._files(request, token)
        form = self.form_class(request.POST, cast(Any, files), **self.form_kwargs(request, **kwargs))
        if not form.is_valid():
            return self._form(request, form, token, extra, status=400)
        data = dict(form.cleaned_data)
        if step == "edit":
            return self._form(request, form, token, extra)
        try:
            lines = self.preview(request, data, **kwargs)
        except DomainError as e:
            self._add_error(form, e)
            return self._form(request, form, token, extra, status=400)
        if step != STEP_CONFIRM:
            self._keep_files(request, token)
            return self._confirm(request, form, token, lines, extra)
        if self.money_moving and request.POST.get("_ack") != "1":
            return self._confirm(request, form, token, lines, extra, ack_error=f"请勾选「{self.ack_label}」后再确认办理")
        try:
            receipt = self._run(request, center, data, token, kwargs)
        except DomainError as e:
            self._add_error(form, e)
            return self._form(request, form, token, extra, status=400)
        except IntegrityError:
            again = receipt_for_token(center, token)
            if again is None:
                raise
            return HttpResponseRedirect(receipt_url(again) + "?repeat=1")
        self._drop_files(token)
        return HttpResponseRedirect(receipt_url(receipt))

    def _run(self, request: HttpRequest, center: Center, data: dict[str, Any], token: str,
             kwargs: dict[str, Any]) -> Receipt:
        with transaction.atomic(durable=True):
            current = Center.objects.get(pk=center.pk)  # the business date as it is now
            done = self.execute(request, data, actor=request.user, business_date=current.business_date, **kwargs)
            return receipt_issue(center=current, kind=self.kind, title=done.title or self.title, lines=done.lines,
                                 actor=request.user, business_date=current.business_date, token=token,
                                 object=done.object, back_url=done.back_url, amount_fen=done.amount_fen)

    # ------------------------------------------------------------ rendering

    def _base_context(self, token: str, extra: dict[str, Any]) -> dict[str, Any]:
        return {"title": self.title, "token": token, "money_moving": self.money_moving, "transaction": self,
                "submit_label": self.submit_label, "confirm_label": self.confirm_label,
                "review_heading": self.review_heading, "ack_label": self.ack_label, **extra}

    def _form(self, request: HttpRequest, form: forms.Form, token: str, extra: dict[str, Any],
              status: int = 200, notice: str = "") -> HttpResponse:
        ctx = {**self._base_context(token, extra), "form": form, "kept_files": self._kept_names(token),
               "notice": notice}
        return render(request, self.template, ctx, status=status)

    def _confirm(self, request: HttpRequest, form: forms.Form, token: str, lines: list[Line],
                 extra: dict[str, Any], ack_error: str = "") -> HttpResponse:
        ctx = {**self._base_context(token, extra), "form": form, "lines": lines, "ack_error": ack_error,
               "kept_files": self._kept_names(token)}
        return render(request, self.confirm_template, ctx, status=400 if ack_error else 200)

    @staticmethod
    def _add_error(form: forms.Form, e: DomainError) -> None:
        name = e.field if e.field in form.fields else None
        form.add_error(name, _error_text(e))

    # ------------------------------------------------------------ files kept between 确认 and 办理

    def _file_fields(self) -> list[str]:
        return [n for n, f in self.form_class.base_fields.items() if isinstance(f, forms.FileField)]

    @staticmethod
    def _path(token: str, name: str) -> str:
        return f"{UPLOAD_DIR}/{token}/{name}"

    def _keep_files(self, request: HttpRequest, token: str) -> None:
        for name in self._file_fields():
            upload = request.FILES.get(name)
            if upload is None:
                continue
            for suffix in ("", ".name"):
                if default_storage.exists(self._path(token, name) + suffix):
                    default_storage.delete(self._path(token, name) + suffix)
            default_storage.save(self._path(token, name), ContentFile(upload.read()))
            default_storage.save(self._path(token, name) + ".name",
                                 ContentFile((upload.name or name).encode("utf-8")))

    def _kept_names(self, token: str) -> dict[str, str]:
        out = {}
        for name in self._file_fields():
            path = self._path(token, name) + ".name"
            if default_storage.exists(path):
                with default_storage.open(path) as fh:
                    out[name] = fh.read().decode("utf-8")
        return out

    def _files(self, request: HttpRequest, token: str) -> dict[str, Any]:
        files: dict[str, Any] = dict(request.FILES.items())
        for name, original in self._kept_names(token).items():
            if name not in files:
                with default_storage.open(self._path(token, name)) as fh:
                    files[name] = SimpleUploadedFile(original, fh.read())
        return files

    def _drop_files(self, token: str) -> None:
        for name in self._file_fields():
            for suffix in ("", ".name"):
                if default_storage.exists(self._path(token, name) + suffix):
                    default_storage.delete(self._path(token, name) + suffix)
