"""The synthetic center grows real history through the services, across a 6/30 settlement."""

import json
from datetime import date
from itertools import pairwise

import pytest
from django.core.management import call_command

from openhpf.contributions.models import Remittance
from openhpf.core.codes import BizType
from openhpf.core.models import Center
from openhpf.ledger.models import PostingBatch, SubLedgerRow


@pytest.mark.django_db(transaction=True)
def test_simulate_months_across_year_end(tmp_path, capsys):
    call_command("generate", "--employers", "4", "--members", "40", "--seed", "11", "--cutover-date", "2027-04-30",
                 "--out", str(tmp_path / "x"), "--no-progress")
    capsys.readouterr()
    call_command("simulate", "--months", "3")
    months = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [m["month"] for m in months] == ["2027-05", "2027-06", "2027-07"]
    assert all(m["rows"] > 0 and m["amount"] > 0 for m in months)
    assert months[1]["settled"] and months[1]["settled"] > 0
    assert Remittance.objects.filter(status="P").count() == sum(m["remittances"] for m in months)
    assert PostingBatch.objects.filter(biz_type=BizType.INTEREST, status="P").count() == 1
    assert SubLedgerRow.objects.filter(biz_type=BizType.REMITTANCE, value_date=date(2027, 7, 15)).exists()
    assert Center.objects.get().business_date == date(2027, 7, 31)


def test_month_sequence_has_no_gaps_over_years():
    from openhpf.contributions.simulate import month_start_after

    months = [month_start_after(date(2024, 11, 1), i) for i in range(40)]
    assert months[0] == date(2024, 11, 1) and months[-1] == date(2028, 2, 1)
    assert all((b.year * 12 + b.month) - (a.year * 12 + a.month) == 1 for a, b in pairwise(months))
