"""Signed, time-limited tokens for things a person carries and a machine reads back (the electronic HPF card's
QR code): claims as compact JSON, base64url, and an HMAC-SM3 tag under a subkey of the keyring per purpose, so a
token made for one purpose never passes as another's. Not encrypted: put nothing secret in the claims."""

from __future__ import annotations

import base64
import hmac
import json
import time
from typing import Any

from .crypto import hmac_sm3
from .keys import keyring

VERSION = "1"


class TokenError(ValueError):
    """The token is malformed, its tag does not verify (`expired` False) or it has expired (`expired` True)."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tag(purpose: str, body: str) -> str:
    key = hmac_sm3(keyring().blind_index_key, b"openhpf-token:" + purpose.encode())
    return _b64(hmac_sm3(key, f"{VERSION}.{body}".encode())[:20])


def token_sign(purpose: str, claims: dict[str, Any], *, ttl_seconds: int, now: float | None = None) -> tuple[str, int]:
    """The token and its expiry (Unix seconds)."""
    exp = int((time.time() if now is None else now) + ttl_seconds)
    body = _b64(json.dumps({**claims, "exp": exp}, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{VERSION}.{body}.{_tag(purpose, body)}", exp


def token_read(purpose: str, token: str, *, now: float | None = None) -> dict[str, Any]:
    """The claims of a token of this purpose whose tag verifies and which has not expired; TokenError otherwise."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or parts[0] != VERSION or len(token) > 1000:
        raise TokenError("格式不正确")
    body, tag = parts[1], parts[2]
    if not hmac.compare_digest(tag, _tag(purpose, body)):
        raise TokenError("签名不正确")
    try:
        claims = json.loads(_unb64(body))
        exp = int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        raise TokenError("格式不正确") from None
    if exp < (time.time() if now is None else now):
        raise TokenError("已过期", expired=True)
    return dict(claims)
