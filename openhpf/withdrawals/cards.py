"""Members' bank cards (结算卡): writes and reads.

A card is registered at the counter (or changed: a new card replaces the verified one only once it is verified).
The holder's name must be the member's own: a withdrawal is paid to the member's own card and nobody else's.
A new card starts 待核验; a second person (applications.review) verifies it (a later step will ask the bank's
account-name check through the verification sources), and only then does it enter the settlement payee registry
(`payee_register`, kind 职工银行卡) and become the card withdrawals pay to. The number is SM4-GCM encrypted with a
blind index; screens and the API show the last four digits only, and every read of a member's cards is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from openhpf.access.services import check_permission
from openhpf.accounts.models import Member
from openhpf.core.actors import Actor, actor_label, is_staff_user
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.settlement.four_eyes import payee_register
from openhpf.settlement.models import Payee

from .models import BankCard

ADD_PERMISSION = "accounts.change"  # the counter clerk who changes a member's registered data
VERIFY_PERMISSION = "applications.review"  # a second person, as for an application's review
S = BankCard.Status


def _digits(card_no: Any) -> str:
    raw = str(card_no or "").replace(" ", "").replace("-", "")
    if not raw.isdigit() or not 12 <= len(raw) <= 19:
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_NUMBER, field="card_no")
    return raw


def _staff(actor: Actor, perm: str, center: Any) -> None:
    if not is_staff_user(actor):
        raise PermissionDenied("只有中心工作人员可以办理", field="actor")
    check_permission(actor, perm, center=center)


def _shown(card: BankCard) -> dict[str, Any]:
    """What the audit trail keeps of a card: masked, never the number."""
    return {"card": card.masked, "bank_code": card.bank_code, "bank_name": card.bank_name, "status": card.status}


@transaction.atomic
def card_add(*, member: Member, card_no: Any, bank_code: str, bank_name: str, holder_name: str, actor: Actor,
             business_date: date, reason: str = "") -> BankCard:
    """Register a card for `member` (a change when it has one already): 待核验 until a second person verifies it.
    Refused, nothing written: a number that is not 12–19 digits, no bank, a holder who is not the member, a card
    registered to another member, a card already waiting for verification."""
    _staff(actor, ADD_PERMISSION, member.center_id)
    no = _digits(card_no)
    bank_code, bank_name = str(bank_code or "").strip(), str(bank_name or "").strip()
    if not bank_code or not bank_name or len(bank_code) > 12 or len(bank_name) > 60:
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_BANK, field="bank_code")
    holder = str(holder_name or "").strip()
    member = Member.objects.select_for_update().get(pk=member.pk)
    if holder != member.name.strip():
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_HOLDER, field="holder_name")
    others = (BankCard.objects.filter(card_no=no, status__in=[S.PENDING, S.VERIFIED]).exclude(member=member))
    if others.exists():
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_OTHER, field="card_no")
    if BankCard.objects.filter(member=member, status=S.PENDING).exists():
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_PENDING, field="card_no")
    card = BankCard.objects.create(
        center_id=member.center_id, member=member, card_no=no, last4=no[-4:], bank_code=bank_code,
        bank_name=bank_name, holder_name=holder, status=S.PENDING, reason=str(reason or "").strip()[:200],
        created_by=actor_label(actor), created_on=business_date)
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_CARD_ADD, obj=card, center=member.center_id,
              business_date=business_date, after={**_shown(card), "reason": card.reason})
    return card


@transaction.atomic
def card_verify(*, card: BankCard, actor: Actor, business_date: date, ok: bool = True, note: str = "") -> BankCard:
    """A second person confirms (or refuses) a card waiting for verification. Confirmed: the member's verified
    card before it is kept as history (已更换) and the card enters the payee registry."""
    card = BankCard.objects.select_for_update().select_related("member").get(pk=card.pk)
    _staff(actor, VERIFY_PERMISSION, card.center_id)
    if card.status != S.PENDING:
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_NOT_PENDING, field="card")
    label = actor_label(actor)
    if label == card.created_by:
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_SAME_PERSON, field="actor")
    before = _shown(card)
    if not ok:
        card.status, card.verified_by, card.verified_on = S.REJECTED, label, business_date
        card.reason = (f"{card.reason}；核验不通过：{note}" if note else card.reason)[:200]
        card.save(update_fields=["status", "verified_by", "verified_on", "reason"])
    else:
        BankCard.objects.filter(member_id=card.member_id, status=S.VERIFIED).update(
            status=S.REPLACED, replaced_on=business_date)
        card.status, card.verified_by, card.verified_on = S.VERIFIED, label, business_date
        card.save(update_fields=["status", "verified_by", "verified_on"])
        payee_register(center=card.member.center, account_no=card.card_no, account_name=card.holder_name,
                       kind=Payee.Kind.MEMBER_CARD, actor=actor, source=f"withdrawals.card:{card.pk}",
                       bank_name=card.bank_name, approved_by=label)
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_CARD_VERIFY, obj=card, center=card.center_id,
              business_date=business_date, before=before, after={**_shown(card), "note": note[:200]})
    return card


# ---------------------------------------------------------------- reads


def card_current(member_id: int) -> BankCard | None:
    """The member's verified card (the one withdrawals pay to), or None."""
    return BankCard.objects.filter(member_id=member_id, status=S.VERIFIED).first()


def cards_current(member_ids: list[int] | set[int]) -> dict[int, BankCard]:
    """The verified card of each of many members at once (a batch debit): one query per 2,000 members, the numbers
    decrypted as the rows load; members without a verified card are absent."""
    ids = sorted(set(member_ids))
    out: dict[int, BankCard] = {}
    for i in range(0, len(ids), 2000):
        for card in BankCard.objects.filter(member_id__in=ids[i:i + 2000], status=S.VERIFIED):
            out[card.member_id] = card
    return out


def card_changed_since(member_id: int, since: date) -> bool:
    """Whether the member's verified card was registered on or after `since` (a risk signal: 近期变更银行卡)."""
    card = card_current(member_id)
    return card is not None and card.created_on >= since


def cards_of(*, member: Member, actor: Actor, business_date: date) -> list[BankCard]:
    """The member's cards, newest first (history included), for a clerk: masked, and the read is audited."""
    _staff(actor, "accounts.view", member.center_id)
    cards = list(BankCard.objects.filter(member=member).order_by("-id"))
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_CARD_READ, obj=member, center=member.center_id,
              business_date=business_date, after={"member": member.pk, "cards": len(cards)})
    return cards


def card_get(*, pk: int, center: Any) -> BankCard:
    card = BankCard.objects.filter(pk=pk, center=center).select_related("member").first()
    if card is None:
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_NOT_FOUND, field="card")
    return card
