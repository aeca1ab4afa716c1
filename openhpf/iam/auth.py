"""django-ninja authentication for the JSON API: bearer tokens of active staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from .services import api_token_authenticate


class StaffTokenAuth(HttpBearer):
    """`Authorization: Bearer hpf_…`: an unexpired, unrevoked token of an active staff user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user
