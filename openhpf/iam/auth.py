"""django-ninja authentication for the JSON API: staff bearer tokens, partner client-credentials tokens (scope,
expiry, revocation, IP allow-list), and member / employer-agent tokens from password + one-time code sign-in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from ninja.security import HttpBearer

from openhpf.core.actors import AgentActor, MemberActor, PartnerActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import PermissionDenied

from .models import PrincipalKind
from .ratelimit import bearer_token, client_ip
from .services import api_token_authenticate, partner_token_check, portal_token_authenticate


class StaffTokenAuth(HttpBearer):
    """`Authorization: Bearer hpf_…`: an unexpired, unrevoked token of an active staff user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class PartnerTokenAuth(HttpBearer):
    """`Authorization: Bearer hpp_…` of a partner client: valid token → the PartnerToken (request.auth), with
    `request.partner` set to its client. Unknown, expired or revoked → 401; the scope not granted or the caller's
    IP not on the client's allow-list → 403."""

    def __init__(self, scope: str | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        t, reason = partner_token_check(token, ip=client_ip(request), scope=self.scope)
        if reason == "ip":
            raise PermissionDenied("来源 IP 不在该合作机构的白名单内", details={"reason": "ip"})
        if reason == "scope":
            raise PermissionDenied(f"令牌未获授权范围 {self.scope}", details={"scope": self.scope})
        if t is None:
            return None
        request.partner = t.client  # type: ignore[attr-defined]
        request.actor = PartnerActor(client=t.client, scopes=tuple(t.scopes or ()),  # type: ignore[attr-defined]
                                     purpose=t.purpose)
        return t


class MemberTokenAuth(HttpBearer):
    """`Authorization: Bearer hpm_…` from /member/login + /member/otp: request.auth is the MemberPrincipal."""

    kind = PrincipalKind.MEMBER

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        principal = portal_token_authenticate(token, kind=self.kind)
        if principal is not None:  # the typed actor (core/actors.py) that keys and scopes go by
            request.actor = (  # type: ignore[attr-defined]
                AgentActor(principal) if self.kind == PrincipalKind.AGENT else MemberActor(principal))
        return principal


class AgentTokenAuth(MemberTokenAuth):
    """`Authorization: Bearer hpm_…` from /agent/login + /agent/otp: request.auth is the EmployerAgent."""

    kind = PrincipalKind.AGENT


def openapi_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The NinjaAPI `docs_decorator`: under settings.HPF_OPENAPI_LOGIN_REQUIRED (on in production) the OpenAPI
    document and its page are for a signed-in staff member (console session) or a valid staff bearer token only;
    others get 401 UNAUTHENTICATED (the JSON) or the sign-in page (the docs page). The document lists every
    operation, field and error of the platform: a map for an attacker, so not public in production."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(settings, "HPF_OPENAPI_LOGIN_REQUIRED", False):
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff and user.is_active:
            return view(request, *args, **kwargs)
        token = bearer_token(request)
        if token and api_token_authenticate(token) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json") or token:
            return JsonResponse({"code": ErrorCode.UNAUTHENTICATED, "message": ErrorCode.UNAUTHENTICATED.template,
                                 "field": None, "row": None, "details": None}, status=401,
                                json_dumps_params={"ensure_ascii": False})
        return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")

    return wrapped
