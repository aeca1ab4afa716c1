"""Members' bank cards: the holder must be the member, a change needs a second person's verification, verified
cards enter the payee registry, the number is encrypted with a blind index and shown masked."""

from __future__ import annotations

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core import db as sql
from openhpf.core.errors import DomainError
from openhpf.settlement.four_eyes import payee_registered
from openhpf.withdrawals.cards import card_add, card_current, card_verify, cards_of
from openhpf.withdrawals.models import BankCard

from .conftest import CARD, verified_card

pytestmark = pytest.mark.django_db


def _add(w, number=CARD, holder=None, **kw):
    return card_add(member=w["member"], card_no=number, bank_code="ICBC", bank_name="工商银行",
                    holder_name=w["member"].name if holder is None else holder, actor=w["teller"],
                    business_date=w["center"].business_date, **kw)


def _refused(code, fn, *args, **kw):
    with pytest.raises(DomainError) as e:
        fn(*args, **kw)
    assert e.value.code == code, e.value
    return e.value


def test_a_card_in_another_persons_name_is_refused_and_nothing_is_written(world):
    err = _refused("WITHDRAWAL_CARD_HOLDER", _add, world, holder="李四")
    assert "本人" in err.message and err.field == "holder_name"
    _refused("WITHDRAWAL_CARD_NUMBER", _add, world, number="62170000")
    _refused("WITHDRAWAL_CARD_NUMBER", _add, world, number="6217abcd00001234")
    assert BankCard.objects.count() == 0


def test_a_new_card_waits_for_a_second_person_then_enters_the_payee_registry(world, django_user_model):
    w = world
    both = grant_role(django_user_model.objects.create_user("wd_both", is_staff=True), "teller", "reviewer")
    card = card_add(member=w["member"], card_no=CARD, bank_code="ICBC", bank_name="工商银行",
                    holder_name=w["member"].name, actor=both, business_date=w["center"].business_date)
    assert card.status == BankCard.Status.PENDING and card_current(w["member"].pk) is None
    assert not payee_registered(center=w["center"], account_no=CARD, account_name=w["member"].name)
    _refused("WITHDRAWAL_CARD_SAME_PERSON", card_verify, card=card, actor=both,
             business_date=w["center"].business_date)
    card = card_verify(card=card, actor=w["r1"], business_date=w["center"].business_date)
    assert card.status == BankCard.Status.VERIFIED and card_current(w["member"].pk) == card
    assert payee_registered(center=w["center"], account_no=CARD, account_name=w["member"].name)
    # stored encrypted, found through its blind index, never in clear in the table
    raw = sql.fetch("SELECT card_no FROM withdrawals_bankcard WHERE id = %s", [card.pk])[0][0]
    assert CARD not in raw and BankCard.objects.filter(card_no=CARD).get() == card
    assert card.masked.endswith("1234") and CARD not in card.masked


def test_a_change_replaces_the_verified_card_only_once_verified_and_keeps_the_history(world):
    w = world
    first = verified_card(w)
    second = _add(w, number="6228480000005678", reason="原卡挂失")
    _refused("WITHDRAWAL_CARD_PENDING", _add, w, number="6228480000009999")
    assert card_current(w["member"].pk) == first  # the old card pays until the new one is verified
    card_verify(card=second, actor=w["r1"], business_date=w["center"].business_date)
    assert card_current(w["member"].pk).pk == second.pk
    cards = cards_of(member=w["member"], actor=w["teller"], business_date=w["center"].business_date)
    assert [c.status for c in cards] == [BankCard.Status.VERIFIED, BankCard.Status.REPLACED]
    assert AuditRecord.objects.filter(action="withdrawals.card.read").count() == 1
    trail = " ".join(str(r.after) for r in AuditRecord.objects.filter(action__startswith="withdrawals.card"))
    assert CARD not in trail and "6228480000005678" not in trail


def test_a_card_registered_to_another_member_is_refused(world):
    w = world
    verified_card(w)
    other = make_account(w["center"], make_employer(w["center"], 2), 2)
    err = _refused("WITHDRAWAL_CARD_OTHER", card_add, member=other.member, card_no=CARD, bank_code="ICBC",
                   bank_name="工商银行", holder_name=other.member.name, actor=w["teller"],
                   business_date=w["center"].business_date)
    assert err.field == "card_no" and BankCard.objects.filter(member=other.member).count() == 0
