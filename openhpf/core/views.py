"""The project's error handlers (openhpf/urls.py handler400/403/404/500): a Chinese page outside the API, the
error catalogue's JSON shape under /api/ (core/edges.py). Never a library's English page or a traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

from . import context
from .edges import error_response, handler_context, is_api
from .error_codes import ErrorCode

log = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    said = handler_context(request, exception)
    if is_api(request):
        return error_response(request, ErrorCode.INPUT_INVALID, f"请求内容不正确：{said}" if said else "请求内容不正确")
    return error_response(request, ErrorCode.INPUT_INVALID, said or "请求内容不正确，请检查后重新提交。")


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if is_api(request):
        return error_response(request, ErrorCode.FORBIDDEN, handler_context(request, exception) or "无权限")
    exc = exception if isinstance(exception, Exception) else Exception(str(exception or ""))
    return defaults.permission_denied(request, exc, template_name="403.html")


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    message = handler_context(request, exception) or "您访问的页面不存在，请检查地址是否正确。"
    if is_api(request):
        return error_response(request, ErrorCode.NOT_FOUND, handler_context(request, exception)
                              or "请求的接口或对象不存在，请检查地址（接口文档：/api/v1/docs）")
    html = loader.get_template("404.html").render({"message": message}, request)
    return HttpResponse(html, status=404, content_type="text/html; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    """The page of an unexpected error: the request id to quote, nothing of the error itself (it is logged)."""
    rid = context.request_id.get() or request.META.get("HTTP_X_REQUEST_ID", "") or ""
    message = ErrorCode.SERVER_ERROR.render(request_id=rid or "（无）")
    if is_api(request):
        return error_response(request, ErrorCode.SERVER_ERROR, message)
    # no request context: the failure may be in what a context processor reads (the database)
    html = loader.get_template("500.html").render({"message": message, "request_id": rid})
    return HttpResponse(html, status=500, content_type="text/html; charset=utf-8")
