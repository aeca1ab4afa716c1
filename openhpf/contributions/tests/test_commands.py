import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.core.actors import SystemActor
from openhpf.core.services import center_advance_business_date
from openhpf.ledger.tests.factories import deposit


def test_interest_commands(db, center, capsys):
    a = make_account(center, make_employer(center, 1), 1)
    deposit(center, a.sub, 100_000)
    center_advance_business_date(center=center, to=date(2027, 6, 30), actor=SystemActor("test"))
    call_command("interest", "accrue", "--month", "2026-12")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["amount"] == 133  # 11/30 … 12/31 = 32 days of 100,000 fen at 1.5 % / 360
    with pytest.raises(CommandError, match="SETTLE_DATE"):
        call_command("interest", "settle", "--date", "2027-06-29")
    call_command("interest", "settle", "--date", "2027-06-30")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["accounts"] == 1 and out["interest"] == 888


def test_base_adjust_ratio_is_typed_in_percent(db, center, capsys):
    from decimal import Decimal

    from openhpf.accounts.models import Employer, MemberAccount

    emp = make_employer(center, 1)
    make_account(center, emp, 1)  # base 10,000.00 元
    call_command("base_adjust", "--employer", emp.account_no, "--ratio", "8/7.5%")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"employer": emp.account_no, "accounts": 1}
    e = Employer.objects.get(pk=emp.pk)
    assert (e.employer_ratio, e.member_ratio) == (Decimal("0.08"), Decimal("0.075"))
    assert MemberAccount.objects.get().member_amount == 75000
    with pytest.raises(CommandError, match=r"RATIO_INVALID.*百分数"):
        call_command("base_adjust", "--employer", emp.account_no, "--ratio", "八/8")
    assert Employer.objects.get(pk=emp.pk).member_ratio == Decimal("0.075")
