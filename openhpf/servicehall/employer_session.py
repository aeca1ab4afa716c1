"""The employer agent's (单位经办人) session of the online hall's employer pages, kept apart from the member's and
from staff sessions: a cookie of its own, scoped to /hall/employer/, holding the bearer token iam issued after
password + one-time code (the same token the agent API takes). A staff session or a member's cookie without an
agent's is refused (403) on a signed-in page; a visitor without one is sent to the agent sign-in.

Writes the agent makes run the domain services as `SystemActor("hall", on_behalf_of=<the AgentActor>)`: the
agent kind holds only read permissions, the hall is the trusted code that has already scoped every object to
the agent's own employer (the audit trail records the agent behind it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect

from openhpf.core.actors import AgentActor, SystemActor
from openhpf.iam import policy
from openhpf.iam.models import PrincipalKind
from openhpf.iam.services import portal_token_authenticate

COOKIE = "hpf_hall_agent"
CHALLENGE_COOKIE = "hpf_hall_agent_challenge"
PATH = "/hall/employer/"


def _secure(request: HttpRequest) -> bool:
    return bool(request.is_secure() or getattr(settings, "SESSION_COOKIE_SECURE", False))


def agent_sign_in(response: HttpResponse, request: HttpRequest, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=int(policy.value("PORTAL_TOKEN_MINUTES")) * 60, path=PATH,
                        secure=_secure(request), httponly=True, samesite="Lax")
    response.delete_cookie(CHALLENGE_COOKIE, path=PATH)


def agent_challenge_keep(response: HttpResponse, request: HttpRequest, challenge: str) -> None:
    response.set_signed_cookie(CHALLENGE_COOKIE, challenge, salt="hall-agent-challenge", path=PATH,
                               max_age=int(policy.value("OTP_TTL_SECONDS")), secure=_secure(request),
                               httponly=True, samesite="Lax")


def agent_challenge(request: HttpRequest) -> str:
    return str(request.get_signed_cookie(CHALLENGE_COOKIE, default="", salt="hall-agent-challenge") or "")


def agent_token(request: HttpRequest) -> str:
    return request.COOKIES.get(COOKIE, "")


def hall_agent(request: HttpRequest) -> Any:
    """The EmployerAgent signed in on the employer pages, or None."""
    token = agent_token(request)
    return portal_token_authenticate(token, kind=PrincipalKind.AGENT) if token else None


def hall_system(actor: AgentActor) -> SystemActor:
    """The actor of a write the agent asked for (see the module's docstring)."""
    return SystemActor("hall", on_behalf_of=actor)


def agent_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        agent = hall_agent(request)
        if agent is None:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                raise PermissionDenied("单位网厅仅限单位经办人登录使用")
            return redirect("hallemp:login")
        request.hall_agent = agent  # type: ignore[attr-defined]
        request.hall_actor = AgentActor(agent)  # type: ignore[attr-defined]
        request.hall_employer = agent.employer  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped
