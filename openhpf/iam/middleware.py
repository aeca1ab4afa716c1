"""Web security middleware: security headers with a Content-Security-Policy, the staff session rules (idle
timeout, single active session, forced password change and TOTP enrolment), and the general API rate limit."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from openhpf.core.api_errors import error_body
from openhpf.core.error_codes import ErrorCode

from . import policy, ratelimit
from .models import StaffSecurity
from .services import staff_password_expired, totp_required

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; "
    # Inline style attributes stay allowed: ECharts and htmx write styles into the page; scripts never.
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """CSP (scripts only from this site: the templates have no inline scripts or event handlers), referrer and
    permissions policy; Django's SecurityMiddleware adds nosniff/HSTS, XFrameOptionsMiddleware X-Frame-Options."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = getattr(settings, "HPF_CSP", DEFAULT_CSP)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.csp and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.path.startswith("/api/") or getattr(request, "hpf_no_store", False):
            response.setdefault("Cache-Control", "no-store")
        return response


SESSION_LAST_SEEN = "hpf_last_seen"
SESSION_2FA_PENDING = "hpf_2fa_pending"
# Paths a signed-in staff member may still open while a password change or TOTP enrolment is pending.
_GATE_EXEMPT = ("console:password_change", "console:totp_enrol", "console:logout")


class StaffSessionMiddleware:
    """For signed-in staff: end the session after the idle timeout or when a newer login replaced it (single
    session), and hold the user on the password-change / TOTP-enrolment page until done."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff and not request.path.startswith("/api/"):
            early = self._check(request, user)
            if early is not None:
                return early
        return self.get_response(request)

    def _check(self, request: HttpRequest, user) -> HttpResponse | None:
        now = int(time.time())
        last = request.session.get(SESSION_LAST_SEEN)
        if last is not None and now - int(last) > policy.value("SESSION_IDLE_SECONDS"):
            logout(request)
            return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}&timeout=1")
        if last is None or now - int(last) >= 30:  # write the session at most every 30 s
            request.session[SESSION_LAST_SEEN] = now
        sec = StaffSecurity.objects.filter(user=user).first()
        if sec is None:
            return None
        if (policy.value("SINGLE_SESSION") and sec.session_key and request.session.session_key
                and sec.session_key != request.session.session_key):
            logout(request)
            return redirect(f"{reverse(settings.LOGIN_URL)}?replaced=1")
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name in _GATE_EXEMPT or request.path.startswith(settings.STATIC_URL):
            return None
        if totp_required(user, sec) and not sec.totp_confirmed_at:
            return redirect("console:totp_enrol")
        if staff_password_expired(user, sec):
            return redirect("console:password_change")
        return None


class HtmxLoginRedirectMiddleware:
    """A sign-in redirect answering an htmx request (a session that timed out or was replaced, a signed-out user
    behind a panel that polls) would be followed by the browser's XHR and the login form swapped into a results
    box. Such an answer becomes 204 with `HX-Redirect`: htmx sends the whole page to the login page instead, and
    `next` is the page the user was on (htmx's HX-Current-URL, same site only), not the fragment's URL.
    Placed outside StaffSessionMiddleware and the views so it sees the redirects of both."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (request.headers.get("HX-Request") != "true" or response.status_code not in (301, 302, 303, 307, 308)
                or request.path.startswith("/api/")):
            return response
        target = urlsplit(response.get("Location", ""))
        login = reverse(settings.LOGIN_URL)
        if target.path != login or (target.netloc and target.netloc != request.get_host()):
            return response
        query = dict(parse_qsl(target.query))
        here = urlsplit(request.headers.get("HX-Current-URL", ""))
        if here.path.startswith("/") and here.netloc in ("", request.get_host()) and here.path != login:
            query["next"] = here.path + (f"?{here.query}" if here.query else "")
        answer = HttpResponse(status=204)
        answer["HX-Redirect"] = f"{login}?{urlencode(query)}" if query else login
        for name, value in response.items():  # keep what the redirect set (Vary, cookies come via .cookies)
            if name.lower() not in ("location", "content-type", "content-length"):
                answer.setdefault(name, value)
        answer.cookies = response.cookies
        return answer


class ApiRateLimitMiddleware:
    """The general API limit (HPF_RATE_LIMITS["api"]) per authenticated principal, or per client IP without a
    valid token → 429 (ratelimit.api_principal: the case of "Bearer" or a junk header opens no new budget)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            wait = ratelimit.hit_wait("api", ratelimit.api_principal(request))
            if wait:
                return api_ceiling_response(wait)
        return self.get_response(request)


def api_ceiling_response(wait: int) -> HttpResponse:
    """429 API_RATE_LIMITED in the catalogue's shape: the limit, its window and the wait (also in Retry-After)."""
    limit, window = ratelimit.limit_of("api")
    code = ErrorCode.API_RATE_LIMITED
    body = error_body(code, code.render(window=window, limit=limit, wait=wait),
                      details={"limit": limit, "window_seconds": window, "retry_after": wait})
    response = JsonResponse(body, status=code.status, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(wait)
    return response
