"""OAuth 2.0 client-credentials endpoints for partner systems: POST /api/v1/oauth/token and /oauth/revoke."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Form, Router, Schema

from openhpf.core.errors import DomainError

from . import ratelimit
from .services import partner_token_issue, partner_token_revoke

router = Router(tags=["合作机构接入"], auth=None)


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class OAuthError(Schema):
    error: str
    error_description: str


@router.post("/token", response={200: TokenOut, 400: OAuthError, 401: OAuthError, 429: OAuthError},
             summary="客户端凭证模式获取访问令牌（client_credentials）")
def token(request: HttpRequest, grant_type: Form[str], client_id: Form[str] = "", client_secret: Form[str] = "",
          scope: Form[str] = "", purpose: Form[str] = ""):
    ip = ratelimit.client_ip(request)
    if not (ratelimit.hit("login_ip", ip) and ratelimit.hit("login", ip, "partner", client_id)):
        return 429, {"error": "slow_down", "error_description": "请求过于频繁，请稍后再试"}
    if grant_type != "client_credentials":
        return 400, {"error": "unsupported_grant_type", "error_description": "仅支持 client_credentials"}
    with transaction.atomic(durable=True):
        r = partner_token_issue(client_id=client_id, client_secret=client_secret, scope=scope, ip=ip,
                                purpose=purpose)
    if not r.ok:
        return (401 if r.error == "invalid_client" else 400), {"error": r.error, "error_description": r.message}
    return 200, {"access_token": r.token, "token_type": "Bearer", "expires_in": r.expires_in,
                 "scope": " ".join(r.scopes)}


@router.post("/revoke", response={200: None, 401: OAuthError}, summary="吊销访问令牌（RFC 7009）")
def revoke(request: HttpRequest, token: Form[str], client_id: Form[str], client_secret: Form[str]):
    try:
        with transaction.atomic(durable=True):
            partner_token_revoke(client_id=client_id, client_secret=client_secret, token=token)
    except DomainError as e:
        return 401, {"error": "invalid_client", "error_description": e.message}
    return 200, None
