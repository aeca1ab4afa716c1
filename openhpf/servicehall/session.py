"""The member's session of the online hall (网上服务大厅) web pages, kept apart from staff sessions: a cookie of
its own, scoped to /hall/, holding the bearer token that iam issued after password + one-time code (the same
token the member API takes). Django's staff session is never read or written here; a staff session without a
member's cookie is refused (403), a visitor without one is sent to the member sign-in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from openhpf.core.actors import MemberActor
from openhpf.iam import policy, ratelimit
from openhpf.iam.models import PrincipalKind
from openhpf.iam.services import portal_login_otp, portal_login_password, portal_token_authenticate

TOO_MANY = "尝试过于频繁，请稍后再试"


def too_many(request: HttpRequest, *parts: str) -> bool:
    """The sign-in rate limits of the hall (per address, and per address and what is tried): True when exceeded."""
    ip = ratelimit.client_ip(request)
    return not (ratelimit.hit("login_ip", ip) and ratelimit.hit("login", ip, *parts))


def _secure(request: HttpRequest) -> bool:
    return bool(request.is_secure() or getattr(settings, "SESSION_COOKIE_SECURE", False))


@dataclass(frozen=True)
class PortalSession:
    """One kind of portal sign-in on the hall's pages (the member's, the employer agent's): its own cookies scoped
    to its own path, and the password + one-time code flow that fills them."""

    kind: str  # PrincipalKind
    cookie: str
    challenge_cookie: str
    path: str
    salt: str
    namespace: str  # the URL namespace of its pages
    templates: str  # the template folder of its login.html and otp.html

    def sign_in(self, response: HttpResponse, request: HttpRequest, token: str) -> None:
        response.set_cookie(self.cookie, token, max_age=int(policy.value("PORTAL_TOKEN_MINUTES")) * 60,
                            path=self.path, secure=_secure(request), httponly=True, samesite="Lax")
        response.delete_cookie(self.challenge_cookie, path=self.path)

    def challenge_keep(self, response: HttpResponse, request: HttpRequest, challenge: str) -> None:
        response.set_signed_cookie(self.challenge_cookie, challenge, salt=self.salt, path=self.path,
                                   max_age=int(policy.value("OTP_TTL_SECONDS")), secure=_secure(request),
                                   httponly=True, samesite="Lax")

    def challenge(self, request: HttpRequest) -> str:
        return str(request.get_signed_cookie(self.challenge_cookie, default="", salt=self.salt) or "")

    def token(self, request: HttpRequest) -> str:
        return request.COOKIES.get(self.cookie, "")

    def principal(self, request: HttpRequest) -> Any:
        """The principal signed in on these pages, or None."""
        token = self.token(request)
        return portal_token_authenticate(token, kind=self.kind) if token else None

    def login_view(self, request: HttpRequest) -> HttpResponse:
        """Step 1: login name and password; the one-time code goes to the registered phone."""
        if request.method == "GET" and self.principal(request) is not None:
            return redirect(f"{self.namespace}:home")
        error, login_name = "", (request.POST.get("login") or "").strip()
        if request.method == "POST":
            if too_many(request, self.kind, login_name):
                error = TOO_MANY
            else:
                with transaction.atomic(durable=True):  # the code goes out when this commits
                    r = portal_login_password(kind=self.kind, login=login_name,
                                              password=request.POST.get("password", ""),
                                              ip=ratelimit.client_ip(request))
                if r.ok:
                    resp = redirect(f"{reverse(f'{self.namespace}:otp')}?{urlencode({'phone': r.phone_hint})}")
                    self.challenge_keep(resp, request, r.challenge)
                    return resp
                error = r.message
        return render(request, f"{self.templates}/login.html", {"error": error, "login": login_name},
                      status=400 if error else 200)

    def otp_view(self, request: HttpRequest, extra: dict[str, Any] | None = None) -> HttpResponse:
        """Step 2: the one-time code; the session's cookie on success."""
        challenge = self.challenge(request)
        if not challenge:
            return redirect(f"{self.namespace}:login")
        error = ""
        if request.method == "POST":
            if too_many(request, self.kind, "otp", challenge[:64]):
                error = TOO_MANY
            else:
                with transaction.atomic(durable=True):
                    r = portal_login_otp(kind=self.kind, challenge=challenge, code=request.POST.get("code", ""),
                                         ip=ratelimit.client_ip(request))
                if r.ok:
                    resp = redirect(f"{self.namespace}:home")
                    self.sign_in(resp, request, r.token)
                    return resp
                error = r.message
        return render(request, f"{self.templates}/otp.html",
                      {"error": error, "phone": request.GET.get("phone", "")[:11], **(extra or {})},
                      status=400 if error else 200)


MEMBER = PortalSession(kind=PrincipalKind.MEMBER, cookie="hpf_hall", challenge_cookie="hpf_hall_challenge",
                       path="/hall/", salt="hall-challenge", namespace="hall", templates="hall")
COOKIE, CHALLENGE_COOKIE, PATH = MEMBER.cookie, MEMBER.challenge_cookie, MEMBER.path
hall_sign_in, hall_challenge_keep, hall_challenge = MEMBER.sign_in, MEMBER.challenge_keep, MEMBER.challenge
hall_token, hall_member = MEMBER.token, MEMBER.principal


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
