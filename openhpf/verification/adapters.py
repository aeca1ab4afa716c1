"""The adapter interface of a verification source, and the local registry adapter.

An adapter answers for one source. The platform (services.verify) calls `prepare(query)` in the caller's thread
(it may read the database there), then runs the exchange it returns in a worker thread under the source's
timeout: the exchange talks to the source and touches no database (a Django connection belongs to its thread,
and an exchange that overruns its deadline is abandoned, never joined). An exchange raises `SourceDown` when
the source refused or failed (tried again with backoff) and returns a `Reply` otherwise.

`LocalRegistryAdapter` answers from this app's tables (models.PropertyRecord …), filled by the demo and the
tests. Its options `delay` (seconds the exchange waits before answering, as a slow link would) and `down` (the
link refuses) let a center rehearse a slow or broken department without one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.db.models import Q, QuerySet

from openhpf.core.masking import mask_id_number
from openhpf.core.money import format_fen
from openhpf.security.fields import blind_index

from . import models as m
from .models import Source, Status


class SourceError(Exception):
    """The source gave no answer; `reason` says why, in Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SourceDown(SourceError):
    """Refused or failed (connection refused, a server error): tried again with backoff."""


class SourceTimeout(SourceError):
    """No answer within the source's timeout: not tried again (the time is spent)."""


@dataclass(frozen=True)
class Query:
    source: str
    subject: str  # the 身份证号 (or organisation code) asked about, in clear: never stored by the platform
    question: dict[str, Any] = field(default_factory=dict)

    @property
    def on(self) -> date | None:
        """The business date the question is asked for (question["on"]), if given."""
        on = self.question.get("on")
        if isinstance(on, str):
            return date.fromisoformat(on)
        return on if isinstance(on, date) else None


@dataclass(frozen=True)
class Reply:
    status: str  # models.Status: confirmed / denied / not_found
    data: dict[str, Any] = field(default_factory=dict)  # JSON-able facts (dates as ISO text, money in fen)
    summary: str = ""  # short, in a clerk's words, personal data masked (元, names of codes)


Exchange = Callable[[], Reply]


class Adapter(Protocol):
    def prepare(self, query: Query) -> Exchange: ...


# ---------------------------------------------------------------- the local registry


def _mask_code(v: str) -> str:
    return v[:4] + "*" * max(0, len(v) - 6) + v[-2:] if len(v) > 6 else "*" * len(v)


def _records(model: type[m._Record], subject: str) -> QuerySet:
    return model._default_manager.filter(subject_bidx=blind_index("id_number", subject, "id_number"))


def _property(q: Query) -> Reply:
    on = q.on
    rows = _records(m.PropertyRecord, q.subject)
    if on is not None:
        rows = rows.filter(registered_on__lte=on).filter(Q(sold_on__isnull=True) | Q(sold_on__gt=on))
    else:
        rows = rows.filter(sold_on__isnull=True)
    homes = list(rows.order_by("registered_on", "id"))
    data = {"homes": len(homes), "items": [
        {"certificate_no": _mask_code(h.certificate_no), "district": h.district, "area_m2": str(h.area_m2),
         "registered_on": h.registered_on.isoformat()} for h in homes]}
    wanted = str(q.question.get("certificate_no") or "").strip()
    if wanted:
        owns = any(h.certificate_no == wanted for h in homes)
        return Reply(Status.CONFIRMED if owns else Status.DENIED, {**data, "owns_certificate": owns},
                     f"不动产权证{_mask_code(wanted)}{'属本人' if owns else '不属本人'}，名下住房 {len(homes)} 套")
    if not homes:
        return Reply(Status.NOT_FOUND, data, "名下无登记住房")
    text = "；".join(f"{h.district} {h.area_m2}㎡" for h in homes[:3])
    return Reply(Status.CONFIRMED, data, f"名下住房 {len(homes)} 套：{text}")


def _marriage(q: Query) -> Reply:
    on = q.on
    rows = _records(m.MarriageRecord, q.subject)
    if on is not None:
        rows = rows.filter(registered_on__lte=on)
    last = rows.order_by("-registered_on", "-id").first()
    if last is None:
        return Reply(Status.NOT_FOUND, {"status": "none"}, "无婚姻登记记录")
    data = {"status": last.kind, "registered_on": last.registered_on.isoformat(),
            "spouse": mask_id_number(last.spouse)}
    spouse = str(q.question.get("spouse") or "").strip().upper()
    label = m.MarriageRecord.Kind(last.kind).label
    if spouse:
        same = last.kind == m.MarriageRecord.Kind.MARRIED and last.spouse.upper() == spouse
        return Reply(Status.CONFIRMED if same else Status.DENIED, {**data, "spouse_matches": same},
                     f"{label}（{last.registered_on:%Y-%m-%d}），配偶{'与申报一致' if same else '与申报不一致'}")
    return Reply(Status.CONFIRMED, data, f"{label}（{last.registered_on:%Y-%m-%d}），配偶 {mask_id_number(last.spouse)}")


def _household(q: Query) -> Reply:
    last = _records(m.HouseholdRecord, q.subject).order_by("-moved_in_on", "-id").first()
    if last is None:
        return Reply(Status.NOT_FOUND, {}, "查无户籍记录")
    data = {"region": last.region, "relation": last.relation, "moved_in_on": last.moved_in_on.isoformat()}
    region = str(q.question.get("region") or "").strip()
    if region:
        same = last.region.startswith(region)
        return Reply(Status.CONFIRMED if same else Status.DENIED, {**data, "region_matches": same},
                     f"户籍地 {last.region}{'在' if same else '不在'}{region}辖区")
    return Reply(Status.CONFIRMED, data, f"户籍地 {last.region}，{last.relation}，{last.moved_in_on:%Y-%m-%d} 迁入")


def _retirement(q: Query) -> Reply:
    last = _records(m.RetirementRecord, q.subject).order_by("-retired_on", "-id").first()
    if last is None:
        return Reply(Status.NOT_FOUND, {"retired": False}, "查无退休记录")
    on = q.on
    retired = on is None or last.retired_on <= on
    data = {"retired": retired, "kind": last.kind, "retired_on": last.retired_on.isoformat()}
    label = m.RetirementRecord.Kind(last.kind).label
    return Reply(Status.CONFIRMED if retired else Status.DENIED, data,
                 f"{label}，退休日期 {last.retired_on:%Y-%m-%d}{'' if retired else '（尚未到退休日期）'}")


def _hospital(q: Query) -> Reply:
    rows = _records(m.HospitalStay, q.subject)
    since, on = q.question.get("since"), q.on
    if since:
        rows = rows.filter(admitted_on__gte=date.fromisoformat(str(since)))
    if on is not None:
        rows = rows.filter(admitted_on__lte=on)
    stays = list(rows.order_by("admitted_on", "id"))
    if not stays:
        return Reply(Status.NOT_FOUND, {"stays": 0, "out_of_pocket": 0, "total_cost": 0}, "查无住院记录")
    own, total = sum(s.out_of_pocket for s in stays), sum(s.total_cost for s in stays)
    data = {"stays": len(stays), "out_of_pocket": own, "total_cost": total,
            "items": [{"admitted_on": s.admitted_on.isoformat(),
                       "discharged_on": s.discharged_on.isoformat() if s.discharged_on else None,
                       "out_of_pocket": s.out_of_pocket} for s in stays]}
    return Reply(Status.CONFIRMED, data,
                 f"住院 {len(stays)} 次，医疗费用 {format_fen(total)} 元，个人自付 {format_fen(own)} 元")


def _credit(q: Query) -> Reply:
    rows = _records(m.CreditSummary, q.subject)
    if q.on is not None:
        rows = rows.filter(as_of__lte=q.on)
    last = rows.order_by("-as_of", "-id").first()
    if last is None:
        return Reply(Status.NOT_FOUND, {}, "查无征信记录")
    data = {"as_of": last.as_of.isoformat(), "open_loans": last.open_loans, "housing_loans": last.housing_loans,
            "overdue_now": last.overdue_now, "overdue_months_24": last.overdue_months_24}
    return Reply(Status.CONFIRMED, data,
                 f"未结清贷款 {last.open_loans} 笔（住房 {last.housing_loans} 笔），当前逾期 {format_fen(last.overdue_now)} 元，"
                 f"近24个月逾期 {last.overdue_months_24} 个月")


def _court(q: Query) -> Reply:
    """Confirmed: the subject is on the 失信被执行人 list (on the day asked); not_found: it is not."""
    rows = _records(m.CourtListing, q.subject)
    on = q.on
    if on is not None:
        rows = rows.filter(listed_on__lte=on).filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))
    else:
        rows = rows.filter(removed_on__isnull=True)
    listed = list(rows.order_by("listed_on", "id"))
    if not listed:
        return Reply(Status.NOT_FOUND, {"listed": False}, "未列入失信被执行人名单")
    return Reply(Status.CONFIRMED, {"listed": True, "cases": [
        {"case_no": _mask_code(c.case_no), "court": c.court, "listed_on": c.listed_on.isoformat()} for c in listed]},
        f"已列入失信被执行人名单（{listed[0].court}，{listed[0].listed_on:%Y-%m-%d}）")


def _face(q: Query) -> Reply:
    last = _records(m.FaceResult, q.subject).order_by("-id").first()
    if last is None:
        return Reply(Status.NOT_FOUND, {}, "公安人口库无可比对照片")
    threshold = int(q.question.get("threshold") or 80)
    ok = last.live and last.score >= threshold
    return Reply(Status.CONFIRMED if ok else Status.DENIED, {"score": last.score, "live": last.live,
                                                             "threshold": threshold},
                 f"比对分值 {last.score}（阈值 {threshold}），活体检测{'通过' if last.live else '未通过'}")


ANSWERS: dict[str, Callable[[Query], Reply]] = {
    Source.PROPERTY: _property, Source.MARRIAGE: _marriage, Source.HOUSEHOLD: _household,
    Source.RETIREMENT: _retirement, Source.HOSPITAL: _hospital, Source.CREDIT: _credit, Source.COURT: _court,
    Source.FACE: _face,
}


class LocalRegistryAdapter:
    """Answers from the local registry tables (the default adapter of every source)."""

    def __init__(self, *, delay: float = 0.0, down: bool = False) -> None:
        self.delay, self.down = float(delay), bool(down)

    def prepare(self, query: Query) -> Exchange:
        reply = None if self.down else ANSWERS[query.source](query)
        delay, down = self.delay, self.down

        def exchange() -> Reply:
            if delay:
                time.sleep(delay)
            if down or reply is None:
                raise SourceDown("连接被拒绝")
            return reply

        return exchange
