"""The edge of every request: malformed input answers 4xx in the error catalogue's shape, never a 500.

`EdgeMiddleware` runs first (settings.MIDDLEWARE) and refuses, before any view or database sees them:

- a NUL byte (U+0000) in the path, the query string or a text body (form or JSON): PostgreSQL cannot store it
  in a text column and a view would fail on it → 400 INPUT_INVALID;
- an integer of 2^63 or more (in magnitude) in a JSON body: no BIGINT column holds it → 400 INPUT_INVALID;
- a request body (other than a multipart upload, whose files the upload handlers stream to disk) over Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE → 413 PAYLOAD_TOO_LARGE.

It also turns what still escapes a view into 4xx (`process_exception`): a header value with CR/LF (BadHeaderError),
an integer or text the database cannot store (OverflowError, DataError), a body found too large while read
(RequestDataTooBig). Under /api/ the answer is JSON in the catalogue's shape {code, message, field, row,
details}; elsewhere it is the Chinese error page (templates/400.html, 413 with the same page).

`error_response` is shared with the project's handler400/403/404/500 (openhpf/urls.py), so a page outside the
API and an API path that no route matches answer the same way."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import BadHeaderError, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.views.debug import SafeExceptionReporterFilter

from . import context
from .api_errors import error_body
from .error_codes import ErrorCode

log = logging.getLogger(__name__)

INT_LIMIT = 2**63  # the first integer a BIGINT column cannot hold
API_PREFIX = "/api/"
TEMPLATES = {400: "400.html", 403: "403.html", 404: "404.html", 413: "400.html", 500: "500.html"}
TITLES = {400: "请求内容不正确", 403: "无权限", 404: "页面不存在", 413: "请求内容过大", 500: "系统内部错误"}


class InputRefused(Exception):
    """Input refused at the edge: the catalogue code, the Chinese message and the field concerned."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(request: HttpRequest, code: ErrorCode, message: str, *, field: str | None = None,
                   status: int | None = None) -> HttpResponse:
    """The error answer: JSON in the catalogue's shape under /api/, the Chinese error page elsewhere."""
    status = status or code.status
    if is_api(request):
        return JsonResponse(error_body(code, message, field=field), status=status,
                            json_dumps_params={"ensure_ascii": False})
    template = loader.get_template(TEMPLATES.get(status, "400.html"))
    html = template.render({"title": TITLES.get(status, "请求错误"), "message": message, "status": status,
                            "request_id": context.request_id.get() or ""})
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _nul(text: bytes) -> bool:
    return b"\x00" in text


def _check_int(text: str) -> int:
    value = int(text)
    if abs(value) >= INT_LIMIT:
        raise InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：整数超出范围（应小于 2^63）")
    return value


def _json_body(body: bytes) -> None:
    """Refuse a JSON body with a NUL character or an integer of 2^63 or more. A body that is not JSON is left to
    the view (its parser answers 400 in the catalogue's shape)."""
    if _nul(body) or b"\\u0000" in body.lower():
        raise InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：不能包含空字符（\\u0000）")
    try:
        json.loads(body, parse_int=_check_int)
    except ValueError:
        return


def check_request(request: HttpRequest) -> None:
    """Raise InputRefused for what the edge refuses (module docstring)."""
    if "\x00" in request.path or _nul(unquote_to_bytes(request.META.get("PATH_INFO", ""))):
        raise InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：地址中不能包含空字符")
    query = request.META.get("QUERY_STRING", "")
    if query and _nul(unquote_to_bytes(query.replace("+", " "))):
        raise InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：查询参数中不能包含空字符")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        # files stream to disk (their bytes are the upload's business); the text fields must hold no NUL
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists()):
            raise InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：表单中不能包含空字符")
        return
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise InputRefused(ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE.render(max_size=limit))
    body = request.body  # within the limit (Django raises RequestDataTooBig otherwise: process_exception)
    if content_type == "application/x-www-form-urlencoded":
        if _nul(unquote_to_bytes(body.replace(b"+", b" "))):
            raise InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：表单中不能包含空字符")
    elif content_type == "application/json" or content_type.endswith("+json"):
        _json_body(body)
    elif _nul(body):
        raise InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：不能包含空字符")


def _refusal_of(exc: BaseException) -> InputRefused | None:
    """The 4xx answer for an exception that malformed input raised inside a view, or None (a real 500)."""
    if isinstance(exc, InputRefused):
        return exc
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return InputRefused(ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE.render(max_size=limit))
    if isinstance(exc, MultiPartParserError):
        return InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：表单数据格式不正确")
    if isinstance(exc, BadHeaderError):
        return InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：不能包含换行或控制字符")
    if isinstance(exc, OverflowError):
        return InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：数值超出范围")
    if isinstance(exc, DataError):
        text = str(exc).lower()
        if "out of range" in text or "nul" in text or "0x00" in text or "too long" in text:
            return InputRefused(ErrorCode.INPUT_INVALID, "请求内容不正确：数值超出范围或包含不能保存的字符")
    return None


class EdgeMiddleware:
    """First in MIDDLEWARE: refuse malformed input before anything else reads it (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except InputRefused as e:
            return error_response(request, e.code, e.message, field=e.field)
        except (RequestDataTooBig, MultiPartParserError) as e:
            refused = _refusal_of(e)
            assert refused is not None
            return error_response(request, refused.code, refused.message)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        refused = _refusal_of(exception)
        if refused is None:
            return None
        log.warning("input refused after the view started: %s", type(exception).__name__)
        return error_response(request, refused.code, refused.message, field=refused.field)


def handler_context(request: HttpRequest, exception: Any = None) -> str:
    """The message of a Django error handler's exception when it is Chinese (a view's own words), else ''."""
    text = str(exception or "")
    return text if any("\u3400" <= ch <= "\u9fff" for ch in text) else ""


class SafeReporterFilter(SafeExceptionReporterFilter):
    """The debug page (HPF_DEBUG=1 only) and error reports: Django's filter, hiding also settings and request
    META entries that name a database, a URL with credentials or an Authorization header (DATABASE_URL, …)."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE|URL|DSN|AUTHORIZATION", flags=re.IGNORECASE)
