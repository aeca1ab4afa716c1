"""One masking helper for personal data shown to staff and partners (脱敏).

The level of each field kind comes from the classification registry (core/classification.py); the viewer's
clearance from access.selectors.user_clearance. Every staff view masks by default; unmasking is the explicit,
audited action accounts.services.personal_data_unmask."""

from __future__ import annotations

import re

from .classification import KINDS, grade_of

# field kind → (category, internal grade); kept for callers of the first version of this module.
LEVELS: dict[str, tuple[str, int]] = {k: (fc.category, fc.grade) for k, fc in KINDS.items()}


def mask_id_number(v: str) -> str:
    """110105********002X style: first 3 and last 4 kept (ID 110***********123X)."""
    if not v:
        return v
    if len(v) <= 7:
        return v[0] + "*" * (len(v) - 1)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_phone(v: str) -> str:
    """138****1234."""
    if not v or len(v) < 7:
        return "*" * len(v or "")
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(v: str) -> str:
    """张* / 欧阳** : the surname character stays."""
    if not v:
        return v
    return v[0] + "*" * (len(v) - 1)


def mask_bank_card(v: str) -> str:
    if not v or len(v) < 8:
        return "*" * len(v or "")
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


_MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "name": mask_name, "bank_card": mask_bank_card,
            "address": lambda v: (v[:6] + "****") if v else v}


def mask(kind: str, value: str, *, clearance: int = 0) -> str:
    """Mask `value` of field kind unless the viewer's clearance reaches the field's grade."""
    if value is None or clearance >= grade_of(kind):
        return value
    return _MASKERS.get(kind, lambda v: "*" * len(v))(value)


# a 身份证号 by its shape (region, birth date 18xx–20xx, sequence, check character), so that an 18-character
# 统一社会信用代码 or a reference number is not taken for one; a mistyped check character is still masked
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                          r"(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
ID_OR_PHONE = re.compile(f"{ID_NUMBER_RE.pattern}|{MOBILE_RE.pattern}")


def redact_text(text: str) -> str:
    """Mask every 身份证号 and mobile number that stands in free text (first 3 and last 4 characters kept): for
    what is stored or logged about people (the audit trail, log lines), never for what a viewer asked to see."""
    text = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), text)
