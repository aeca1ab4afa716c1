"""The liquidity page refuses a day outside the data with a Chinese message (after the business date, before the
first accounting period, or not a date at all) and never shows another day's figures in its place."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from openhpf.conftest import business_day, grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.finance import liquidity
from openhpf.iam.services import staff_create
from openhpf.ledger.services import Line, chart_seed, entry_post

SYS = SystemActor("test")


@pytest.fixture
def fin(center):
    user, _ = staff_create(username="fin7", password="pw-Finance-2026", center=center, actor=SYS)
    grant_role(user, "finance", center=center)
    chart_seed(center=center)
    with business_day(center, date(2026, 3, 10)):
        entry_post(center=center, business_date=date(2026, 3, 10), lines=[Line("10101", debit=100),
                                                                          Line("21902", credit=100)],
                   source="test", description="到账", actor=SYS)
    return user


@pytest.mark.parametrize("on, message", [
    ("2026-12-01", "2026-12-01 晚于业务日期 2026-11-30，没有该日的数据"),
    ("2025-12-31", "2025-12-31 早于本中心最早的账务数据（2026-03-01），没有该日的数据"),
    ("2026-02-30", "日期格式不正确（应为 YYYY-MM-DD）：2026-02-30"),
])
def test_day_outside_the_data_is_refused_not_replaced(client, center, fin, on, message):
    client.force_login(fin)
    html = client.get(reverse("finance:liquidity"), {"on": on}).content.decode()
    assert message in html and 'role="alert"' in html
    assert 'id="forecast-chart"' not in html and 'data-testid="loan-ratio"' not in html  # no other day's figures
    assert f'value="{on}"' in html  # the typed day stays in the box


def test_days_inside_the_data_are_shown(client, center, fin):
    client.force_login(fin)
    for on in ("2026-03-01", "2026-11-30"):
        html = client.get(reverse("finance:liquidity"), {"on": on}).content.decode()
        assert 'data-testid="loan-ratio"' in html and 'role="alert"' not in html.split("<main", 1)[-1]
    assert 'min="2026-03-01" max="2026-11-30"' in html


def test_the_selectors_refuse_too(center, fin):
    with pytest.raises(DomainError) as e:
        liquidity.liquidity_forecast(center=center, on=date(2027, 1, 1), user=fin)
    assert e.value.code == "FUTURE_DATE"
    with pytest.raises(DomainError) as e:
        liquidity.liquidity_position(center=center, on=date(2026, 2, 28), user=fin)
    assert e.value.code == "DATE_BEFORE_DATA"
