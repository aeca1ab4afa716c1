"""Identity-number checks through python-stdnum: GB 11643 resident ID, GB 32100 unified social credit code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

from .codes import Sex
from .error_codes import ErrorCode
from .errors import DomainError


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # Sex code


def validate_resident_id(
    value: str, *, field: str = "id_number", row: int | None = None, on: date | None = None
) -> ResidentId:
    """Validate an 18-digit resident ID (check digit, real birth date, region); returns birth date and sex."""
    raw = (value or "").strip().upper()
    if not raw:
        raise DomainError(ErrorCode.ID_REQUIRED, "证件号码不能为空", field=field, row=row)
    if len(raw) != 18:
        raise DomainError(ErrorCode.ID_LENGTH, f"身份证号码应为18位：{raw}", field=field, row=row)
    if not raw[:17].isdigit() or not (raw[17].isdigit() or raw[17] == "X"):
        raise DomainError(ErrorCode.ID_FORMAT, f"身份证号码格式不正确：{raw}", field=field, row=row)
    try:
        birth = ric.get_birth_date(raw)
    except stdnum_exc.ValidationError:
        raise DomainError(ErrorCode.ID_BIRTH_DATE, f"身份证号码中的出生日期不存在：{raw}", field=field, row=row) from None
    if on is not None and birth > on:
        raise DomainError(ErrorCode.ID_BIRTH_DATE, f"身份证号码中的出生日期晚于业务日期：{raw}", field=field, row=row)
    try:
        number = ric.validate(raw)
    except stdnum_exc.InvalidChecksum:
        raise DomainError(ErrorCode.ID_CHECKSUM, f"身份证号码校验位错误：{raw}", field=field, row=row) from None
    except stdnum_exc.InvalidComponent:
        raise DomainError(ErrorCode.ID_REGION, f"身份证号码中的地区代码不存在：{raw}", field=field, row=row) from None
    except stdnum_exc.ValidationError:
        raise DomainError(ErrorCode.ID_FORMAT, f"身份证号码格式不正确：{raw}", field=field, row=row) from None
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(number=number, birth_date=birth, sex=sex)


def validate_credit_code(value: str, *, field: str = "credit_code", row: int | None = None) -> str:
    """Validate an 18-character unified social credit code (统一社会信用代码)."""
    raw = (value or "").strip().upper()
    if not raw:
        raise DomainError(ErrorCode.USCC_REQUIRED, "统一社会信用代码不能为空", field=field, row=row)
    try:
        return uscc.validate(raw)
    except stdnum_exc.InvalidChecksum:
        raise DomainError(ErrorCode.USCC_CHECKSUM, f"统一社会信用代码校验位错误：{raw}", field=field, row=row) from None
    except stdnum_exc.ValidationError:
        raise DomainError(ErrorCode.USCC_FORMAT, f"统一社会信用代码格式不正确：{raw}", field=field, row=row) from None


def resident_id_check_digit(first17: str) -> str:
    """The GB 11643 check character for 17 digits (used by the synthetic generator)."""
    return ric.calc_check_digit(first17 + "0")


def credit_code_check_digit(first17: str) -> str:
    return uscc.calc_check_digit(first17)


class ResidentIdCache:
    """GB 11643 checks of a whole file through validate_resident_id, with the expensive parts cached: a number
    whose check digit, region and birth date are already known good is accepted without the full call;
    anything else goes through validate_resident_id for its exact error."""

    def __init__(self, on: date) -> None:
        self.ric = ric
        self.on = on
        self.good_regions: set[str] = set()
        self.good_births: dict[str, str] = {}

    def check(self, raw: str) -> tuple[str, str, str]:
        """(number, ISO birth date, sex code), or raises DomainError."""
        s = raw.strip().upper()
        if (len(s) == 18 and s[:17].isdigit() and s[:10] in self.good_regions
                and s[6:14] in self.good_births and self.ric.calc_check_digit(s) == s[17]):
            return s, self.good_births[s[6:14]], (Sex.MALE.value if int(s[16]) % 2 else Sex.FEMALE.value)
        rid = validate_resident_id(s, on=self.on)
        self.good_regions.add(rid.number[:10])  # a county code is valid for some birth years only
        self.good_births[rid.number[6:14]] = rid.birth_date.isoformat()
        return rid.number, rid.birth_date.isoformat(), rid.sex
