from datetime import date
from decimal import Decimal

import pytest

from openhpf.core.actors import SystemActor
from openhpf.core.calendar import add_working_days, interest_year, is_working_day
from openhpf.core.errors import DomainError
from openhpf.core.ids import validate_credit_code, validate_resident_id
from openhpf.core.policy import policy_rate, policy_value
from openhpf.core.services import center_advance_business_date, policy_set


def test_resident_id():
    r = validate_resident_id("11010519491231002X")
    assert r.birth_date == date(1949, 12, 31) and r.sex == "2"
    for bad, code in [("110105194912310021", "ID_CHECKSUM"), ("110105194902300029", "ID_BIRTH_DATE"),
                      ("1101051949", "ID_LENGTH"), ("", "ID_REQUIRED")]:
        with pytest.raises(DomainError) as e:
            validate_resident_id(bad, row=7)
        assert e.value.code == code and e.value.row == 7 and e.value.message


def test_credit_code():
    assert validate_credit_code("91110000600037341L") == "91110000600037341L"
    with pytest.raises(DomainError) as e:
        validate_credit_code("91110000600037341M")
    assert e.value.code == "USCC_CHECKSUM"


def test_policy_in_force_on_date(db, center, staff, checker):
    assert policy_value("deposit.rate.current", on=date(2015, 1, 1)) == Decimal("0.0035")
    assert policy_rate("deposit.rate.current", on=date(2026, 1, 1)) == Decimal("0.015")
    assert policy_value("contribution.base.cap", on=date(2026, 7, 1)) == 3447000
    assert policy_value("contribution.base.cap", on=date(2026, 6, 30)) == 3300000
    # system actors (migrations, seeds, set-up) write directly, naming the approval
    policy_set(key="contribution.base.cap", value=3600000, value_type="int", effective_from=date(2027, 7, 1),
               approved_by="system:policy", actor=SystemActor("test"), center=center)
    assert policy_value("contribution.base.cap", on=date(2027, 7, 1), center=center) == 3600000
    assert policy_value("contribution.base.cap", on=date(2027, 7, 1)) == 3447000  # national unchanged
    # a person goes through maker-checker (openhpf.approvals, command core.policy_set), never directly
    for approver in (checker, staff):
        with pytest.raises(DomainError) as e:
            policy_set(key="contribution.base.cap", value=1, value_type="int", effective_from=date(2028, 7, 1),
                       approved_by=approver, actor=staff)
        assert e.value.code == "MAKER_CHECKER_REQUIRED"
    with pytest.raises(DomainError) as e:
        policy_set(key="contribution.base.cap", value=1, value_type="int", effective_from=date(2028, 7, 1),
                   actor=SystemActor("test"))
    assert e.value.code == "POLICY_APPROVER"
    with pytest.raises(DomainError):
        policy_value("deposit.rate.current", on=date(1980, 1, 1))


def test_calendar_seeded(db):
    assert not is_working_day(date(2026, 10, 1))  # 国庆节
    assert is_working_day(date(2026, 11, 30))
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert is_working_day(date(2026, 10, 10))  # 调休上班 (Saturday)
    assert interest_year(date(2026, 6, 30)) == (date(2025, 7, 1), date(2026, 6, 30))
    assert interest_year(date(2026, 7, 1)) == (date(2026, 7, 1), date(2027, 6, 30))


def test_business_date_only_forward(db, center, staff):
    center_advance_business_date(center=center, to=date(2026, 12, 1), actor=staff)
    center.refresh_from_db()
    assert center.business_date == date(2026, 12, 1)
    with pytest.raises(DomainError):
        center_advance_business_date(center=center, to=date(2026, 11, 1), actor=staff)
