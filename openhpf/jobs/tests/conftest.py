from datetime import date

import pytest

from openhpf.core.models import Center


@pytest.fixture
def center(db):
    # The business date is 2026-06-30.
    return Center.objects.create(
        code="110100", name="测试住房公积金管理中心", business_date=date(2026, 6, 30)
    )
