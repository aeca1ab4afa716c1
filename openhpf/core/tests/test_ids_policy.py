import random
from datetime import date
from decimal import Decimal

import pytest
from stdnum import numdb
from stdnum.cn import ric

from openhpf.core.actors import SystemActor
from openhpf.core.calendar import add_working_days, interest_year, is_working_day
from openhpf.core.errors import DomainError
from openhpf.core.ids import ResidentIdCache, county_valid, validate_credit_code, validate_resident_id
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


def test_resident_id_cache_answers_as_the_full_check():
    """The cut-over's cached check (a table per county code) gives validate_resident_id's answer, good or bad."""
    codes: list[str] = []

    def walk(prefixes, prefix=""):
        for length, low, high, _props, children in prefixes:
            for v in range(int(low), int(high) + 1):
                code = prefix + str(v).zfill(length)
                if children:
                    walk(children, code)
                elif len(code) == 6:
                    codes.append(code)

    walk(numdb.get("cn/loc").prefixes)
    for code in codes[::13]:
        for year in range(1950, 2027, 4):
            sample = f"{code}{year}0101001"
            if county_valid(code, year) is not None:
                assert county_valid(code, year) == ric.is_valid(sample + ric.calc_check_digit(sample + "0")), sample
    on = date(2026, 11, 30)
    cache, rng = ResidentIdCache(on=on), random.Random(5)

    def answer(fn):
        try:
            r = fn()
        except DomainError as exc:
            return exc.code
        return r if isinstance(r, tuple) else (r.number, r.birth_date.isoformat(), r.sex)

    for _ in range(3000):
        first17 = (f"{rng.choice(codes)}{rng.randint(1930, 2030):04d}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}"
                   f"{rng.randint(0, 999):03d}")
        number = first17 + (ric.calc_check_digit(first17 + "0") if rng.random() < 0.8 else rng.choice("0123456789X"))
        assert answer(lambda n=number: cache.check(n)) == answer(lambda n=number: validate_resident_id(n, on=on)), number
    assert cache.check(" 11010519491231002x ") == ("11010519491231002X", "1949-12-31", "2")
