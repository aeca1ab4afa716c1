"""Arrears (欠缴) and the reminder list (催缴清单) on a hand-made case."""

import json
from datetime import date
from io import StringIO

from django.core.management import call_command

from openhpf.accounts.models import Employer
from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.contributions.relief.arrears import arrears_list, payment_deadline
from openhpf.contributions.relief.flexible import flexible_agreement_sign
from openhpf.core.actors import SystemActor

from .relief_helpers import set_paid


def _emp(center, n, payday, paid, status="01"):
    e = make_employer(center, n, payday=payday)
    Employer.objects.filter(pk=e.pk).update(paid_up_to=paid, status=status)
    e.refresh_from_db()
    return e


def test_reminder_list_hand_made(center, staff):
    # business date 2026-11-30. Payday 15 → 5 calendar days → Friday 20th: past. Payday 28 → 3 December: not yet.
    assert payment_deadline(month="202611", payday=15, center=center) == date(2026, 11, 20)
    assert payment_deadline(month="202611", payday=28, center=center) == date(2026, 12, 3)
    e1 = _emp(center, 1, 15, "202609")
    a1 = set_paid(make_account(center, e1, 1), "202609")                 # owes 10, 11
    a2 = set_paid(make_account(center, e1, 2, base=500000), "202610")    # owes 11
    a3 = set_paid(make_account(center, e1, 3), "202611")                 # paid
    e2 = _emp(center, 2, 28, "202609")                                    # deadline not reached
    set_paid(make_account(center, e2, 4), "202609")
    e3 = _emp(center, 3, 10, "202611")                                    # up to date
    set_paid(make_account(center, e3, 5), "202611")
    e4 = _emp(center, 4, 10, "202608")
    set_paid(make_account(center, e4, 6), "202608")
    Employer.objects.filter(pk=e4.pk).update(status="03")                 # 缓缴: not 欠缴
    flexible_agreement_sign(center=center, name="灵活", id_number=resident_id(77), base=600000, ratio="0.10",
                            start=date(2026, 11, 1), actor=SystemActor("test"), business_date=center.business_date)
    r = arrears_list(center=center, month="2026-11", user=staff)
    assert [(e.account_no, e.months, e.members, e.amount) for e in r.employers] == [
        (e1.account_no, 2, 2, 2 * 240000 + 1 * 120000)]
    assert [(m.account_no, m.months, m.monthly_amount, m.amount) for m in r.members] == [
        (a1.account_no, 2, 240000, 480000), (a2.account_no, 1, 120000, 120000)]
    assert r.members[0].name != a1.member.name and "*" in r.members[0].name   # masked for a teller
    assert a3.account_no not in {m.account_no for m in r.members}
    later = arrears_list(center=center, month="2026-11", user=staff, on=date(2026, 12, 8))
    assert {e.account_no for e in later.employers} == {e1.account_no, e2.account_no}
    assert arrears_list(center=center, month="2026-11", user=staff, on=date(2026, 11, 20)).employers == []
    out = StringIO()
    call_command("arrears", "--month", "2026-11", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == 600000 and data["employers"][0]["account_no"] == e1.account_no
