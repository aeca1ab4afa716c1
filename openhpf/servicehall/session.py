"""The member's session of the online hall (网上服务大厅) web pages, kept apart from staff sessions: a cookie of
its own, scoped to /hall/, holding the bearer token that iam issued after password + one-time code (the same
token the member API takes). Django's staff session is never read or written here; a staff session without a
member's cookie is refused (403), a visitor without one is sent to the member sign-in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect

from openhpf.core.actors import MemberActor
from openhpf.iam import policy
from openhpf.iam.models import PrincipalKind
from openhpf.iam.services import portal_token_authenticate

COOKIE = "hpf_hall"
CHALLENGE_COOKIE = "hpf_hall_challenge"
PATH = "/hall/"


def _secure(request: HttpRequest) -> bool:
    return bool(request.is_secure() or getattr(settings, "SESSION_COOKIE_SECURE", False))


def hall_sign_in(response: HttpResponse, request: HttpRequest, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=int(policy.value("PORTAL_TOKEN_MINUTES")) * 60, path=PATH,
                        secure=_secure(request), httponly=True, samesite="Lax")
    response.delete_cookie(CHALLENGE_COOKIE, path=PATH)


def hall_challenge_keep(response: HttpResponse, request: HttpRequest, challenge: str) -> None:
    response.set_signed_cookie(CHALLENGE_COOKIE, challenge, salt="hall-challenge", path=PATH,
                               max_age=int(policy.value("OTP_TTL_SECONDS")), secure=_secure(request),
                               httponly=True, samesite="Lax")


def hall_challenge(request: HttpRequest) -> str:
    return str(request.get_signed_cookie(CHALLENGE_COOKIE, default="", salt="hall-challenge") or "")


def hall_token(request: HttpRequest) -> str:
    return request.COOKIES.get(COOKIE, "")


def hall_member(request: HttpRequest) -> Any:
    """The MemberPrincipal signed in on the hall pages, or None."""
    token = hall_token(request)
    return portal_token_authenticate(token, kind=PrincipalKind.MEMBER) if token else None


def member_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        principal = hall_member(request)
        if principal is None:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                raise PermissionDenied("网上服务大厅仅限缴存职工本人登录使用")
            return redirect("hall:login")
        request.hall_principal = principal  # type: ignore[attr-defined]
        request.hall_actor = MemberActor(principal)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped
