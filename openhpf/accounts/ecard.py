"""The electronic HPF card (电子公积金卡): a member shows a QR code on the phone, the counter scans it and the
member's account opens, with no ID card typed in.

The QR code holds a token (security.tokens, purpose "ecard") with the center's code, the account number and a
random nonce, valid for `ECARD_TOKEN_SECONDS` (iam policy, 120 s by default; the hall page renews it before it
lapses). Only the member signed in can make one for their own account; only staff of the same center with
`accounts.view` can read one back, and each scan is audited (`accounts.ecard.scan`) like any read of an account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from openhpf.audit.services import audit_log
from openhpf.core.actors import MemberActor, StaffActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.iam import policy
from openhpf.security.tokens import TokenError, token_read, token_sign

from .models import MemberAccount

PURPOSE = "ecard"


@dataclass(frozen=True)
class ECard:
    account_no: str
    center_code: str
    token: str
    expires_at: datetime


def ecard_issue(*, actor: MemberActor, account_no: str) -> ECard:
    """A fresh card token for one of the member's own accounts (any other number: not found)."""
    acct = (MemberAccount.objects.filter(member_id=actor.member_id, account_no=(account_no or "").strip())
            .select_related("center").first())
    if acct is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"个人账号 {account_no} 不存在", field="account_no")
    token, exp = token_sign(PURPOSE, {"c": acct.center.code, "a": acct.account_no, "n": secrets.token_hex(6)},
                            ttl_seconds=int(policy.value("ECARD_TOKEN_SECONDS")))
    return ECard(acct.account_no, acct.center.code, token, datetime.fromtimestamp(exp, tz=UTC))


def ecard_scan(*, actor: StaffActor, center: Center, token: str) -> MemberAccount:
    """The account a scanned card names, for staff of the card's center; audited. Refused with a Chinese error
    for a token that is malformed or forged (ECARD_INVALID), expired (ECARD_EXPIRED) or of another center."""
    try:
        claims = token_read(PURPOSE, token)
    except TokenError as e:
        if e.expired:
            raise DomainError(ErrorCode.ECARD_EXPIRED, field="token") from None
        raise DomainError(ErrorCode.ECARD_INVALID, reason=str(e), field="token") from None
    if claims.get("c") != center.code:
        raise DomainError(ErrorCode.ECARD_OTHER_CENTER, center=center.code, field="token")
    acct = MemberAccount.objects.filter(center=center, account_no=str(claims.get("a") or "")).first()
    if acct is None:
        raise DomainError(ErrorCode.ECARD_INVALID, reason="账户不存在", field="token")
    audit_log(actor=actor, action=AuditEvent.ACCOUNTS_ECARD_SCAN, obj=acct, center=center,
              business_date=center.business_date, after={"account_no": acct.account_no})
    return acct
