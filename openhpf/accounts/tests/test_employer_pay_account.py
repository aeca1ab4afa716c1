"""单位开户银行账号变更: the employer's own bank and account number, checked whole and audited with its own event."""

from __future__ import annotations

import pytest

from openhpf.accounts.models import Employer
from openhpf.accounts.services import employer_pay_account_change
from openhpf.accounts.tests.factories import make_employer
from openhpf.audit.models import AuditRecord
from openhpf.core.actors import AgentActor, SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.iam.services import employer_agent_create

pytestmark = pytest.mark.django_db
SYS = SystemActor("test")


def test_the_bank_account_changes_once_checked_and_audited(center):
    e = make_employer(center, 1)
    with pytest.raises(DomainError) as exc:
        employer_pay_account_change(employer=e, bank_name=" ", account_no="12-34", actor=SYS,
                                    business_date=center.business_date)
    assert exc.value.details["problems"] == [{"field": "bank_name", "message": "请填写开户银行"},
                                             {"field": "account_no", "message": "银行账号应为 8 至 40 位数字"}]
    assert Employer.objects.get(pk=e.pk).pay_account_no == ""
    e = employer_pay_account_change(employer=e, bank_name="中国农业银行", account_no="6228 4800 1234 5678",
                                    actor=SYS, business_date=center.business_date)
    assert (e.pay_bank_name, e.pay_account_no) == ("中国农业银行", "6228480012345678")
    rec = AuditRecord.objects.get(action="accounts.employer.pay_account_change")
    assert rec.before == {"pay_bank_name": "", "pay_account_no": ""} and rec.object_id == str(e.pk)
    with pytest.raises(DomainError) as exc:
        employer_pay_account_change(employer=e, bank_name="中国农业银行", account_no="6228480012345678", actor=SYS,
                                    business_date=center.business_date)
    assert exc.value.code == "NOTHING_CHANGED"
    agent = AgentActor(employer_agent_create(employer=e, login_id="a1", name="王经办", phone="13700000001",
                                             password="Agent-Pass-2026", actor=SYS))
    with pytest.raises(PermissionDenied):  # an agent asks through the application, never directly
        employer_pay_account_change(employer=e, bank_name="中国银行", account_no="12345678", actor=agent,
                                    business_date=center.business_date)
