"""The one error shape of every JSON API: {code, message, field, row, details}, with the catalogue's HTTP status.

`install(api)` (called once per NinjaAPI, after its routers are added) gives the API:

- handlers that answer every error in the shape: DomainError (the code's status), PermissionDenied (403),
  ValidationReport (422 VALIDATION, every error in `details.errors`), a failed authentication (401), Http404 and
  ninja's HttpError (by status), and ninja's request validation (pydantic) translated into Chinese (400
  INPUT_INVALID, `field` the path of the first error, every error in `details.errors`); no library English
  reaches a caller;
- a renderer that refuses (raises ErrorOutsideCatalogue, a 500) an error response whose code is not in the
  catalogue or whose status is not the code's; the one exception is an OAuth 2.0 token error ({"error",
  "error_description"}, RFC 6749 §5.2), whose shape the standard fixes;
- the OpenAPI documentation of 400/401/403/404/409/422 with the error schema on every operation.

docs/errors.md lists the codes; docs/api.md describes the shape.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.constants import NOT_SET
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from .error_codes import ErrorCode
from .errors import DomainError, PermissionDenied, ValidationReport

DOCUMENTED = {
    400: "请求内容不正确（INPUT_INVALID 及各 …_FORMAT、…_REQUIRED 等代码）",
    401: "未认证或令牌无效（UNAUTHENTICATED）",
    403: "无权限（FORBIDDEN）",
    404: "请求的对象不存在（NOT_FOUND 及各 …_NOT_FOUND、…_UNKNOWN 代码）",
    409: "与当前数据状态冲突（已存在、已处理、状态不允许、请求正在处理中）",
    422: "业务规则不允许（各业务代码；VALIDATION：多处错误，见 details.errors）",
}

_CJK = re.compile(r"[\u3400-\u9fff]")


class ErrorOut(Schema):
    """The error body of every API operation (docs/api.md)."""

    code: str
    message: str
    field: str | None = None
    row: int | None = None
    details: dict[str, Any] | None = None


class ErrorOutsideCatalogue(RuntimeError):
    """An API error response carries a code outside the catalogue, or a status that is not its code's."""


def error_body(code: ErrorCode, message: str, *, field: str | None = None, row: int | None = None,
               details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, "row": row, "details": details or None}


def check_error_body(data: Any, status: int) -> None:
    """Raise ErrorOutsideCatalogue unless `data` is an error body of the catalogue with its code's status."""
    if isinstance(data, dict) and "code" not in data and "error" in data and "error_description" in data:
        return  # an OAuth 2.0 token endpoint error (RFC 6749 §5.2)
    code = data.get("code") if isinstance(data, dict) else None
    try:
        member = ErrorCode.of(code)
    except ValueError:
        raise ErrorOutsideCatalogue(f"HTTP {status} error body without a catalogue code: {data!r}") from None
    if member.status != status:
        raise ErrorOutsideCatalogue(f"{member} is HTTP {member.status} in the catalogue, answered with {status}")


class CatalogueJSONRenderer(JSONRenderer):
    """JSON with readable Chinese (no \\uXXXX escapes); an error response must carry a catalogue code."""

    json_dumps_params = {"ensure_ascii": False}

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        if 400 <= response_status < 500:
            check_error_body(data, response_status)
        return super().render(request, data, response_status=response_status)


# ---------------------------------------------------------------- pydantic errors in Chinese

_MESSAGES: dict[str, str] = {
    "missing": "必须填写",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字",
    "decimal_parsing": "应为数字", "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数不能超过 {max_digits} 位", "decimal_max_places": "小数不能超过 {decimal_places} 位",
    "decimal_whole_digits": "整数部分位数过多",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）", "date_type": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）", "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS）", "datetime_type": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
    "datetime_from_date_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
    "time_parsing": "应为时间（HH:MM:SS）", "time_type": "应为时间（HH:MM:SS）",
    "string_type": "应为文本", "string_unicode": "应为文本",
    "string_too_long": "不能超过 {max_length} 个字符", "string_too_short": "至少 {min_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "enum": "应为以下之一：{expected}", "literal_error": "应为以下之一：{expected}",
    "greater_than": "应大于 {gt}", "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}", "less_than_equal": "不能大于 {le}", "multiple_of": "应为 {multiple_of} 的倍数",
    "finite_number": "应为有限的数字",
    "too_long": "至多 {max_length} 项", "too_short": "至少 {min_length} 项",
    "list_type": "应为列表", "tuple_type": "应为列表", "set_type": "应为列表",
    "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "json_invalid": "不是合法的 JSON", "json_type": "应为 JSON 文本",
    "uuid_parsing": "应为 UUID", "uuid_type": "应为 UUID",
    "url_parsing": "应为网址", "url_type": "应为网址", "url_scheme": "网址协议不正确",
    "extra_forbidden": "不是可接受的字段",
    "none_required": "应为空", "bytes_type": "应为二进制数据",
}
_FALLBACK = "格式不正确"
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _ctx_text(value: Any) -> str:
    text = str(value)
    return text.replace("' or '", "、").replace("', '", "、").replace("'", "")


def _field(loc: Any) -> str | None:
    parts = [str(p) for p in (loc or ())]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source in ("body", "form") and len(parts) >= 2:
            parts.pop(0)  # the view's parameter name (payload, data): not a field the caller sends
    return ".".join(parts) or None


def translate(error: dict[str, Any]) -> str:
    """The Chinese message of one pydantic error (never the library's English)."""
    kind = str(error.get("type", ""))
    ctx = {k: _ctx_text(v) for k, v in (error.get("ctx") or {}).items()}
    if kind in ("value_error", "assertion_error"):  # our own validators raise Chinese messages
        text = str(ctx.get("error", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return text if _CJK.search(text) else _FALLBACK
    template = _MESSAGES.get(kind, _FALLBACK)
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return _FALLBACK


def input_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The error body of a request that does not validate (pydantic errors)."""
    items = []
    for e in errors:
        if "type" not in e:  # ninja's own, e.g. {"cursor": "Invalid Cursor"}
            e = {"type": "", "loc": tuple(e)}
        field = _field(e.get("loc"))
        text = translate(e)
        items.append({"field": field, "message": f"{field}：{text}" if field else text, "type": e.get("type", "")})
    first: dict[str, Any] = items[0] if items else {"field": None, "message": _FALLBACK}
    message = first["message"] + (f"（另有 {len(items) - 1} 处）" if len(items) > 1 else "")
    return error_body(ErrorCode.INPUT_INVALID, f"请求内容不正确：{message}", field=first["field"],
                      details={"errors": items})


# ---------------------------------------------------------------- handlers

_BY_STATUS = {400: ErrorCode.INPUT_INVALID, 401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN,
              404: ErrorCode.NOT_FOUND, 429: ErrorCode.RATE_LIMITED}


def _said(exc: BaseException, code: ErrorCode) -> str:
    """The exception's own text when it is Chinese, else the code's template (no library English)."""
    text = str(exc)
    return text if _CJK.search(text) else code.template


def install(api: NinjaAPI) -> None:
    """Give `api` the error handlers, the checking renderer and the OpenAPI error responses (module docstring).
    Call it after the API's routers are added."""
    api.renderer = CatalogueJSONRenderer()

    def respond(request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
        try:
            code = ErrorCode.of(body["code"])
        except ValueError:
            raise ErrorOutsideCatalogue(f"error code outside the catalogue: {body['code']!r}") from None
        return api.create_response(request, body, status=code.status)

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, error_body(exc.code, exc.message, field=exc.field, row=exc.row,
                                           details=exc.details))

    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        """The one place a refused permission or data scope becomes HTTP 403 in the API."""
        return respond(request, error_body(ErrorCode.FORBIDDEN, exc.message, field=exc.field, details=exc.details))

    def validation_report(request: HttpRequest, exc: ValidationReport) -> HttpResponse:
        errors = [{"code": e.code, "message": e.message, "field": e.field, "row": e.row,
                   **({"file": e.file} if e.file else {})} for e in exc.errors]
        return respond(request, error_body(ErrorCode.VALIDATION, ErrorCode.VALIDATION.render(count=len(errors)),
                                           details={"errors": errors}))

    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, input_errors(list(exc.errors)))

    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, error_body(ErrorCode.UNAUTHENTICATED, ErrorCode.UNAUTHENTICATED.template))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _BY_STATUS.get(exc.status_code, ErrorCode.INPUT_INVALID)  # another status: the request's fault
        if code is ErrorCode.INPUT_INVALID:
            message = f"请求内容不正确：{exc}" if _CJK.search(str(exc)) else "请求内容不正确"
        else:
            message = _said(exc, code)
        return respond(request, error_body(code, message))

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, error_body(ErrorCode.NOT_FOUND, _said(exc, ErrorCode.NOT_FOUND)))

    api.exception_handler(DomainError)(domain_error)
    api.exception_handler(PermissionDenied)(permission_denied)
    api.exception_handler(ValidationReport)(validation_report)
    api.exception_handler(NinjaValidationError)(validation_error)
    api.exception_handler(AuthenticationError)(authentication_error)
    api.exception_handler(HttpError)(http_error)
    api.exception_handler(Http404)(not_found)
    document(api)


def _error_like(model: Any) -> bool:
    """A response model declared by a view for an error status that is our error shape in part ({code, message}),
    not another standard's (RFC 6749 {error, error_description})."""
    fields = getattr(model, "model_fields", {})
    inner = getattr(fields.get("response"), "annotation", None)
    return "code" in getattr(inner, "model_fields", {})


def document(api: NinjaAPI) -> None:
    """Document 400/401/403/404/409/422 with ErrorOut on every operation of `api` (a view's own error schema for
    the status becomes ErrorOut too; an OAuth token endpoint keeps its RFC 6749 body)."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                models = dict(op.response_models or {})
                extra = dict(op.openapi_extra or {})
                responses = dict(extra.get("responses", {}))
                auth = op.auth_param
                if auth is NOT_SET:
                    auth = router.auth if router.auth is not NOT_SET else api.auth
                for status, description in DOCUMENTED.items():
                    if status == 401 and auth in (None, NOT_SET):
                        continue  # an operation without authentication never answers 401 UNAUTHENTICATED
                    if status not in models or _error_like(models[status]):
                        models[status] = op._create_response_model(ErrorOut)
                    responses[status] = {**responses.get(status, {}), "description": description}
                op.response_models = models
                extra["responses"] = responses
                op.openapi_extra = extra
