"""One masking helper for personal data shown to staff and partners (脱敏).

Each field kind has a classification level (GB/T 43697: 一般/重要/核心 with internal grades); the security
work drives `LEVELS` and the viewer's clearance from the classification registry. Until then every staff
view masks by default, and unmasking is an explicit, audited action of that work."""

from __future__ import annotations

# field kind → (category, level); levels: 1 一般, 2 重要, 3 核心
LEVELS: dict[str, tuple[str, int]] = {
    "id_number": ("个人身份信息", 3),
    "phone": ("个人联系信息", 2),
    "name": ("个人基本信息", 2),
    "bank_card": ("个人财产信息", 3),
    "address": ("个人联系信息", 2),
    "balance": ("个人财产信息", 2),
}


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
    """Mask `value` of field kind unless the viewer's clearance reaches the field's level."""
    level = LEVELS.get(kind, ("", 3))[1]
    if clearance >= level or value is None:
        return value
    return _MASKERS.get(kind, lambda v: "*" * len(v))(value)
