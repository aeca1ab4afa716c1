"""GL sub-accounts: one service opens them, with one numbering rule (parent code + the next two-digit serial)."""

from __future__ import annotations

import pytest

from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.ledger.models import GLAccount
from openhpf.ledger.services import gl_subaccount_open

ACTOR = SystemActor("test")


def _open(center, parent_code: str, name: str = "某银行专户", **kw) -> GLAccount:
    return gl_subaccount_open(center=center, parent_code=parent_code, name=name, actor=ACTOR, **kw)


def test_codes_follow_the_highest_serial_under_the_parent(center):
    a = _open(center, "101", bank_name="工商银行", bank_account_no="6222000000000001")
    assert a.code == "10102"  # 10101 (委托银行专户（默认）) comes with the chart
    assert (a.parent.code, a.category, a.normal_side, a.is_leaf) == ("101", "1", "D", True)
    assert (a.bank_name, a.bank_account_no) == ("工商银行", "6222000000000001")
    assert _open(center, "101").code == "10103"
    # a 102 (增值收益存款) sub-account: the first under a leaf parent, which then stops being a leaf
    assert GLAccount.objects.get(center=center, code="102").is_leaf
    assert _open(center, "102", name="增值收益专户").code == "10201"
    assert not GLAccount.objects.get(center=center, code="102").is_leaf


def test_a_gap_is_never_filled(center):
    parent = GLAccount.objects.get(center=center, code="101")
    GLAccount.objects.create(center=center, code="10105", name="旧专户", category="1", normal_side="D", parent=parent)
    # two children (10101, 10105): counting them would give 10103; the rule gives one above the highest
    assert _open(center, "101").code == "10106"


def test_limits_and_refusals(center):
    parent = GLAccount.objects.get(center=center, code="101")
    GLAccount.objects.create(center=center, code="10199", name="末号", category="1", normal_side="D", parent=parent)
    with pytest.raises(DomainError) as e:
        _open(center, "101")
    assert e.value.code == "GL_SUBACCOUNT_LIMIT"
    with pytest.raises(DomainError) as e:
        _open(center, "109")
    assert e.value.code == "GL_PARENT_UNKNOWN"
    with pytest.raises(DomainError) as e:
        _open(center, "102", name=" ")
    assert e.value.code == "GL_ACCOUNT_NAME"
    assert not GLAccount.objects.filter(center=center, parent__code="102").exists()


def test_opening_is_audited(center):
    a = _open(center, "101", bank_name="工商银行", bank_account_no="6222000000000001")
    rec = AuditRecord.objects.get(action="ledger.gl_account.add", object_id=str(a.pk))
    assert rec.actor == ACTOR.label and rec.center_id == center.pk and rec.business_date == center.business_date
    assert rec.after == {"code": "10102", "name": "某银行专户", "parent": "101", "bank": "工商银行",
                         "no": "6222000000000001"}
