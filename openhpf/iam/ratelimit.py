"""A small cache-backed rate limiter (Django's default cache: LocMem in one process, or whatever CACHES says).

Each key counts hits in a window that starts with its first hit, so a burst is judged the same way whenever it
starts (no clock-boundary effects in tests). Limits are "N/seconds" strings in settings.HPF_RATE_LIMITS.

The API limit is keyed on the authenticated principal (`api_principal`): a valid bearer token (whatever the case
of "Bearer", as the authentication accepts it) counts against its staff user, partner client, member or agent, so
several tokens of one principal share one budget; anything else (no header, a junk header, an unknown or expired
token) counts against the client IP. Varying the header therefore never opens a fresh budget."""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from .models import ApiToken, PartnerToken, PortalToken

DEFAULT_LIMITS = {
    "login": "20/300",  # console and API sign-in attempts per client IP and login name
    "login_ip": "100/300",  # sign-in attempts per client IP, whatever the login name
    "api": "600/60",  # API requests per authenticated principal (or per IP without a valid token)
}


def _limit(name: str) -> tuple[int, int]:
    spec = getattr(settings, "HPF_RATE_LIMITS", {}).get(name, DEFAULT_LIMITS[name])
    n, secs = spec.split("/")
    return int(n), int(secs)


def hit(name: str, *parts: str) -> bool:
    """Count one hit for (name, parts); False when the limit is already used up in the current window."""
    return hit_wait(name, *parts) == 0


def limit_of(name: str) -> tuple[int, int]:
    """(requests, window in seconds) of a limit of HPF_RATE_LIMITS."""
    return _limit(name)


def hit_wait(name: str, *parts: str) -> int:
    """Count one hit for (name, parts): 0 when it is allowed, else the seconds (at least 1) until the current
    window ends and the limit allows again."""
    n, secs = _limit(name)
    key = "hpf-rl:" + name + ":" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    now = time.time()
    state = cache.get(key)
    if state is None or now - state[1] >= secs:
        state = (0, now)
    if state[0] >= n:
        return max(1, math.ceil(state[1] + secs - now))
    cache.set(key, (state[0] + 1, state[1]), timeout=secs)
    return 0


def client_ip(request: HttpRequest) -> str:
    """The peer address. Behind a reverse proxy set HPF_TRUSTED_PROXY_HOPS so the real client is used."""
    hops = int(getattr(settings, "HPF_TRUSTED_PROXY_HOPS", 0))
    if hops:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104


PRINCIPAL_CACHE_SECONDS = 60  # how long a token's principal is remembered for keying (never for authentication)


def _token_hash(plaintext: str) -> str:
    return hashlib.new("sm3", plaintext.encode()).hexdigest()  # as iam.services.token_hash stores it


def bearer_token(request: HttpRequest) -> str:
    """The token of an `Authorization: Bearer …` header, the scheme in any case (as django-ninja reads it)."""
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and 0 < len(token.strip()) <= 200 else ""


def token_principal(plaintext: str) -> str:
    """"staff:<user id>", "partner:<client id>", "member:<id>" or "agent:<id>" for a valid token, else ""."""
    digest = _token_hash(plaintext)
    key = "hpf-rl-principal:" + digest[:40]
    known = cache.get(key)
    if known is not None:
        return str(known)
    now = timezone.now()
    who = ""
    if plaintext.startswith("hpf_"):
        user_id = (ApiToken.objects.filter(key_hash=digest, revoked_at__isnull=True, expires_at__gt=now)
                   .values_list("user_id", flat=True).first())
        who = f"staff:{user_id}" if user_id else ""
    elif plaintext.startswith("hpp_"):
        client_id = (PartnerToken.objects.filter(key_hash=digest, revoked_at__isnull=True, expires_at__gt=now)
                     .values_list("client_id", flat=True).first())
        who = f"partner:{client_id}" if client_id else ""
    elif plaintext.startswith("hpm_"):
        row = (PortalToken.objects.filter(key_hash=digest, revoked_at__isnull=True, expires_at__gt=now)
               .values_list("member_id", "agent_id").first())
        who = (f"member:{row[0]}" if row[0] else f"agent:{row[1]}") if row else ""
    cache.set(key, who, timeout=PRINCIPAL_CACHE_SECONDS)
    return who


def api_principal(request: HttpRequest) -> str:
    """The key of the API rate limit: the principal of a valid bearer token, else the client IP."""
    token = bearer_token(request)
    who = token_principal(token) if token else ""
    return who or "ip:" + client_ip(request)
