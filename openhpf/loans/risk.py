"""Supervision figures of the loan book (监管指标): the overdue buckets of DOMAIN "Service and supervision" and the
个贷逾期率 in ‰, read set-based from the loans' own rows; registered with finance's cockpit (`register_figures`).

- A loan is overdue while it has an unpaid due past its date (`Loan.overdue_since`, the first unpaid due date).
  Its age is counted in calendar months from that date to the day: up to 3 months (the first bucket, 1–3 个月,
  also holds loans overdue less than a month), more than 3 up to 6, more than 6 up to 12, more than 1 year up
  to 3 years, more than 3 years (`add_months` of the due date, so 2026-01-31 + 1 month is 2026-02-28).
- Each bucket: the loans (笔数), their overdue principal (逾期本金, what 122 holds for them) and their principal
  outstanding (贷款余额).
- 个贷逾期率 = overdue principal / principal outstanding of the 还款中 loans, in ‰ (written-off loans are
  outside both; 122 / (121 + 122) of the ledger is the same figure, as `hpf verify` keeps the two equal).

One GROUP BY over the overdue loans by their first unpaid due date (the distinct dates are few), bucketed here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import Count, Sum

from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_permille
from openhpf.finance.cockpit import Figure

from .calculations import add_months
from .models import Loan

BUCKETS: tuple[tuple[str, str, int | None], ...] = (  # key, label, up to this many months (None: no bound)
    ("m1_3", "逾期 1–3 个月（含）", 3),
    ("m3_6", "逾期 3–6 个月（含）", 6),
    ("m6_12", "逾期 6–12 个月（含）", 12),
    ("y1_3", "逾期 1–3 年（含）", 36),
    ("y3", "逾期 3 年以上", None),
)


@dataclass
class Bucket:
    key: str
    label: str
    count: int = 0
    overdue_principal: int = 0
    outstanding: int = 0


@dataclass(frozen=True)
class OverdueRate:
    overdue_principal: int
    outstanding: int

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.overdue_principal, self.outstanding) if self.outstanding > 0 else None

    @property
    def text(self) -> str:
        return format_permille(self.ratio) if self.ratio is not None else "—"


def bucket_of(overdue_since: date, on: date) -> str:
    """The bucket key of a loan whose first unpaid due date is `overdue_since`, on `on`."""
    for key, _, months in BUCKETS:
        if months is None or on <= add_months(overdue_since, months):
            return key
    return BUCKETS[-1][0]


def _cid(center: Center | int) -> int:
    return center if isinstance(center, int) else center.pk


def overdue_buckets(center: Center | int, on: date) -> list[Bucket]:
    """The five buckets of the center's 还款中 loans overdue on `on` (see the module docstring)."""
    out = {k: Bucket(k, label) for k, label, _ in BUCKETS}
    rows = (Loan.objects.filter(center_id=_cid(center), status=Loan.Status.ACTIVE, overdue_since__isnull=False,
                                overdue_since__lt=on)
            .values("overdue_since").annotate(n=Count("id"), op=Sum("overdue_principal"), os=Sum("outstanding")))
    for r in rows:
        b = out[bucket_of(r["overdue_since"], on)]
        b.count += int(r["n"])
        b.overdue_principal += int(r["op"] or 0)
        b.outstanding += int(r["os"] or 0)
    return list(out.values())


def overdue_rate(center: Center | int) -> OverdueRate:
    """个贷逾期率 of the 还款中 loans (‰)."""
    r = Loan.objects.filter(center_id=_cid(center), status=Loan.Status.ACTIVE).aggregate(
        op=Sum("overdue_principal"), os=Sum("outstanding"))
    return OverdueRate(int(r["op"] or 0), int(r["os"] or 0))


def class_mix(center: Center | int) -> dict[str, tuple[int, int]]:
    """五级分类 of the 还款中 loans: class code → (笔数, 贷款余额)."""
    rows = (Loan.objects.filter(center_id=_cid(center), status=Loan.Status.ACTIVE).values("risk_class")
            .annotate(n=Count("id"), os=Sum("outstanding")))
    return {r["risk_class"]: (int(r["n"]), int(r["os"] or 0)) for r in rows}


def supervision_figures(center: Center, on: date) -> list[Figure]:
    """The loans' figures on the cockpit: the ‰ overdue rate and the five buckets."""
    rate = overdue_rate(center)
    figs = [Figure("loans.overdue_rate", "个贷逾期率", rate.text,
                   f"逾期本金 {format_fen(rate.overdue_principal)} 元 ÷ 贷款余额 {format_fen(rate.outstanding)} 元",
                   amount=rate.overdue_principal, group="逾期")]
    for b in overdue_buckets(center, on):
        figs.append(Figure(f"loans.overdue.{b.key}", b.label, f"{format_fen(b.overdue_principal)} 元",
                           f"{b.count} 笔，贷款余额 {format_fen(b.outstanding)} 元", amount=b.overdue_principal,
                           count=b.count, group="逾期"))
    return figs


def risk_summary(center: Center, on: date) -> dict[str, Any]:
    """The figures as data (fen, counts, the ratio as a fraction text) for the API and the dashboard."""
    rate = overdue_rate(center)
    return {"on": on, "overdue_principal": rate.overdue_principal, "outstanding": rate.outstanding,
            "overdue_rate_permille": rate.text,
            "buckets": [b.__dict__ for b in overdue_buckets(center, on)],
            "classes": [{"class": k, "count": n, "outstanding": os} for k, (n, os) in sorted(class_mix(center).items())]}
