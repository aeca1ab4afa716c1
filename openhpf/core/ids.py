"""Identity-number checks through python-stdnum: GB 11643 resident ID, GB 32100 unified social credit code."""

from __future__ import annotations

import functools
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


@functools.cache
def _county_rule(region: str) -> tuple[bool, tuple[tuple[int, int], ...]] | None:
    """How python-stdnum's cn/loc data judges a 6-digit county code, read once per code: (valid in every year,
    the year ranges in which it was valid). None where stdnum would not say (no such code, or an entry
    without a county): the caller then asks stdnum itself."""
    from stdnum import numdb

    info = {k: v for _part, props in numdb.get("cn/loc").info(region) for k, v in props.items()}
    if not info or "county" not in info:
        return None
    always, ranges = False, []
    for county in info["county"].split(","):
        if not county.startswith("["):
            always = True
            continue
        start, end = county[1:].split("]")[0].split("-")
        ranges.append((int(start) if start else 0, int(end) if end else 9999))
    return always, tuple(ranges)


def county_valid(region: str, year: int) -> bool | None:
    """Whether a county code was in use in `year`, as stdnum's GB 11643 check (ric.get_birth_place) judges it,
    from a per-code table instead of a lookup in its database each time; None where stdnum must be asked."""
    rule = _county_rule(region)
    if rule is None:
        return None
    always, ranges = rule
    return always or any(lo <= year <= hi for lo, hi in ranges)


def _id_check_char(number17: str) -> str:
    """GB 11643 check character of 17 ASCII digits (stdnum's ric.calc_check_digit)."""
    checksum = (1 - 2 * int(number17, 13)) % 11
    return "X" if checksum == 10 else str(checksum)


class ResidentIdCache:
    """GB 11643 checks of a whole file with the answer of validate_resident_id, the expensive parts cached: a
    number of ASCII digits whose birth date is real and not after `on`, whose county code was in use in its birth
    year (county_valid) and whose check character is right is accepted here; anything else goes through
    validate_resident_id for its exact error."""

    def __init__(self, on: date) -> None:
        self.ric = ric
        self.on = on
        self.births: dict[str, str | None] = {}  # YYYYMMDD → ISO date, None if not a date or after `on`
        # what full checks have proven good (region + birth year; birth date → ISO), for subclasses' shortcuts
        self.good_regions: set[str] = set()
        self.good_births: dict[str, str] = {}

    def _birth(self, ymd: str) -> str | None:
        try:
            d = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
        except ValueError:
            return None
        return d.isoformat() if d <= self.on else None

    def check(self, raw: str) -> tuple[str, str, str]:
        """(number, ISO birth date, sex code), or raises DomainError."""
        s = raw.strip().upper()
        if len(s) == 18 and s.isascii() and s[:17].isdigit():
            ymd = s[6:14]
            birth = self.births.get(ymd, "")
            if birth == "":
                birth = self.births[ymd] = self._birth(ymd)
            if (birth is not None and county_valid(s[:6], int(s[6:10])) and _id_check_char(s[:17]) == s[17]):
                return s, birth, (Sex.MALE.value if int(s[16]) % 2 else Sex.FEMALE.value)
        rid = validate_resident_id(s, on=self.on)
        self.good_regions.add(rid.number[:10])  # a county code is valid for some birth years only
        self.good_births[rid.number[6:14]] = rid.birth_date.isoformat()
        return rid.number, rid.birth_date.isoformat(), rid.sex
