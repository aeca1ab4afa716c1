"""What a withdrawal reads about the member from outside the fund: retirement (人社退休) and an own home
(不动产登记), through the verification app's one interface (`verification.services.verify`).

Each query names its purpose (the reason and what is checked); the engine runs a handler's rule inputs inside
`verification.unavailable_sources`, so the query is logged as made by the acting clerk (or the system actor of an
automatic decision) for this application, and a source that does not answer sends the application to manual
review with its problem line. Neither source needs the applicant's written consent (only 征信 does).

The fallback, as the verification app defines it: when the department has no record or cannot be reached, what
the counter recorded stands — the 退休证 the clerk checked (its number and date on the application) for
retirement, the member's written declaration (个人承诺) for an own home — and a source that was unavailable routes
the application to manual review, where the reviewer sees the recorded proof beside the 核验结果."""

from __future__ import annotations

from datetime import date
from typing import Any

from openhpf.verification.models import Status
from openhpf.verification.services import Answer, verify

RETIREMENT_PROOFS = {"hrss": "人社退休信息", "certificate": "退休证（柜台核验）"}
PURPOSE_RETIREMENT = "离休退休提取：核查退休信息"
PURPOSE_HOME = "租房提取：核查本人名下住房"


def _on(member: Any, on: date | None) -> date:
    return on or member.center.business_date


def _certificate(payload: dict[str, Any]) -> date | None:
    """The retirement date of the 退休证 checked at the counter, when the application records one."""
    if payload.get("retirement_proof") != "certificate" or not str(payload.get("certificate_no") or "").strip():
        return None
    try:
        return date.fromisoformat(str(payload.get("retirement_date") or ""))
    except ValueError:
        return None


def ask_retirement(*, member: Any, on: date | None = None) -> Answer:
    return verify("retirement", subject=member.id_number, question={"on": _on(member, on)},
                  purpose=PURPOSE_RETIREMENT)


def retirement_proven(*, member: Any, payload: dict[str, Any], on: date | None = None) -> bool | None:
    """Whether the member's retirement (离休、退休, early and flexible retirement included) is proven on `on`:
    人社 confirms it (True) or says not yet (False: its record is authoritative); with no record there, or the
    source unavailable, the 退休证 checked at the counter proves it; None when nothing can prove it because 人社
    was unavailable (the engine routes the application to manual review)."""
    answer = ask_retirement(member=member, on=on)
    if answer.status == Status.CONFIRMED:
        return True
    if answer.status == Status.DENIED:
        return False
    if _certificate(payload) is not None:
        return True
    return None if answer.unavailable else False


def retirement_of(*, member: Any, payload: dict[str, Any], on: date | None = None) -> date | None:
    """The member's retirement date as proven (人社's, else the 退休证's), or None."""
    answer = ask_retirement(member=member, on=on)
    if answer.status == Status.CONFIRMED:
        return date.fromisoformat(str(answer.data["retired_on"]))
    if answer.status == Status.DENIED:
        return None
    return _certificate(payload)


def owns_home_in_city(*, member: Any, payload: dict[str, Any], on: date | None = None) -> bool | None:
    """Whether the member owns a home in the city on `on`: a declared home is one (no query needed); otherwise
    the 不动产登记 answer (a home registered to the member: True; none: False). None when the registry was
    unavailable: the declaration stands and the engine routes the application to manual review."""
    if not bool(payload.get("no_own_home")):
        return True
    answer = verify("property", subject=member.id_number, question={"on": _on(member, on)}, purpose=PURPOSE_HOME)
    if answer.status == Status.CONFIRMED:
        return int(answer.data.get("homes") or 0) > 0
    if answer.unavailable:
        return None
    return False
