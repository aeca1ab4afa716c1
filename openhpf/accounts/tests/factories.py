"""Builders for accounts tests: valid identity numbers and employers/accounts opened through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openhpf.accounts.models import Employer, MemberAccount
from openhpf.accounts.services import employer_register, member_account_open
from openhpf.core.actors import SystemActor
from openhpf.core.ids import credit_code_check_digit, resident_id_check_digit

TEST_ACTOR = SystemActor("test")


def resident_id(n: int = 1, *, birth: date = date(1990, 1, 1), region: str = "330106", sex: str = "1") -> str:
    """A valid 18-digit resident ID; the 3-digit sequence's parity gives the sex (odd 男, even 女)."""
    seq = (n * 2 + (1 if sex == "1" else 0)) % 1000
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_digit(first17)


def bad_check_digit(valid_id: str) -> str:
    last = valid_id[-1]
    return valid_id[:-1] + ("0" if last != "0" else "1")


def credit_code(n: int = 1) -> str:
    first17 = f"91330106{12345000 + n:08d}0"[:17]
    return first17 + credit_code_check_digit(first17)


def make_employer(center, n: int = 1, *, actor=TEST_ACTOR, business_date: date | None = None, **kw) -> Employer:
    args = dict(
        center=center, name=f"测试单位{n}有限公司", credit_code=credit_code(n), economic_type="160", industry="I",
        payday=15, employer_ratio=Decimal("0.12"), member_ratio=Decimal("0.12"), contact_name="王经办",
        contact_phone="13800000000", actor=actor, business_date=business_date or center.business_date,
    )
    args.update(kw)
    return employer_register(**args)


def make_account(center, employer: Employer, n: int = 1, *, actor=TEST_ACTOR, business_date: date | None = None,
                 **kw) -> MemberAccount:
    args = dict(
        center=center, employer=employer, name=f"张{'三四五六七八九'[n % 7]}{n}", id_type="01", id_number=resident_id(n),
        phone=f"139{n:08d}", marital_status="20", base=1000000, actor=actor,
        business_date=business_date or center.business_date,
    )
    args.update(kw)
    return member_account_open(**args)
