"""What a withdrawal reads about the member from outside the fund: retirement, an own home.

Until the verification sources (核验: 人社退休, 不动产登记) are connected, these read what the clerk checked at the
counter and recorded on the application (the 退休证 seen, the member's own written declaration). The
verification work replaces the bodies of these functions with the sources' answers; their callers stay."""

from __future__ import annotations

from datetime import date
from typing import Any

RETIREMENT_PROOFS = {"hrss": "人社退休信息", "certificate": "退休证（柜台核验）"}


def retirement_of(*, member: Any, payload: dict[str, Any]) -> date | None:
    """The member's retirement date (离休、退休, early and flexible retirement included) as proven, or None."""
    proof, raw = payload.get("retirement_proof"), payload.get("retirement_date")
    if proof not in RETIREMENT_PROOFS or not raw:
        return None
    if proof == "certificate" and not str(payload.get("certificate_no") or "").strip():
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def owns_home_in_city(*, member: Any, payload: dict[str, Any]) -> bool:
    """Whether the member (or spouse) owns a home in the city: the member's declaration for now (租房提取 by
    declaration, 个人承诺制), the property registry when it is connected."""
    return not bool(payload.get("no_own_home"))
