"""A small cache-backed rate limiter (Django's default cache: LocMem in one process, or whatever CACHES says).

Each key counts hits in a window that starts with its first hit, so a burst is judged the same way whenever it
starts (no clock-boundary effects in tests). Limits are "N/seconds" strings in settings.HPF_RATE_LIMITS."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMITS = {
    "login": "20/300",  # console and API sign-in attempts per client IP and login name
    "login_ip": "100/300",  # sign-in attempts per client IP, whatever the login name
    "api": "600/60",  # API requests per bearer token (or per IP without one)
}


def _limit(name: str) -> tuple[int, int]:
    spec = getattr(settings, "HPF_RATE_LIMITS", {}).get(name, DEFAULT_LIMITS[name])
    n, secs = spec.split("/")
    return int(n), int(secs)


def hit(name: str, *parts: str) -> bool:
    """Count one hit for (name, parts); False when the limit is already used up in the current window."""
    n, secs = _limit(name)
    key = "hpf-rl:" + name + ":" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    now = time.time()
    state = cache.get(key)
    if state is None or now - state[1] >= secs:
        state = (0, now)
    if state[0] >= n:
        return False
    cache.set(key, (state[0] + 1, state[1]), timeout=secs)
    return True


def client_ip(request) -> str:
    """The peer address. Behind a reverse proxy set HPF_TRUSTED_PROXY_HOPS so the real client is used."""
    hops = int(getattr(settings, "HPF_TRUSTED_PROXY_HOPS", 0))
    if hops:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104
