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

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from openhpf.core.actors import AgentActor, SystemActor
from openhpf.iam.models import PrincipalKind

from .session import PortalSession

AGENT = PortalSession(kind=PrincipalKind.AGENT, cookie="hpf_hall_agent", challenge_cookie="hpf_hall_agent_challenge",
                      path="/hall/employer/", salt="hall-agent-challenge", namespace="hallemp",
                      templates="hall/employer")
COOKIE, CHALLENGE_COOKIE, PATH = AGENT.cookie, AGENT.challenge_cookie, AGENT.path
agent_sign_in, agent_challenge_keep, agent_challenge = AGENT.sign_in, AGENT.challenge_keep, AGENT.challenge
agent_token, hall_agent = AGENT.token, AGENT.principal


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
