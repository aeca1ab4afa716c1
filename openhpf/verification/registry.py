"""Filling the local registry (the tables the local adapter answers from): for the demo center and for tests.

`registry_fill_synthetic(subjects, on=…, seed=…)` gives each subject (a 身份证号) a plausible set of records, the
same for the same seed: a household record from the number's region, a home for about a third, a marriage for
most adults, a retirement record past the retirement age (some early, some flexible), a hospital stay for a few,
a credit summary for all, a 失信 listing for about one in a hundred and a face-comparison result. Idempotent per
subject: a subject that has a household record already is left as it is."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.security.fields import blind_index

from . import models as m

DISTRICTS = ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "通州区", "昌平区", "大兴区")
HOSPITALS = ("市第一人民医院", "市中医医院", "区妇幼保健院", "医科大学附属医院")
COURTS = ("市中级人民法院", "区人民法院")


def _birth(subject: str) -> date | None:
    try:
        return date(int(subject[6:10]), int(subject[10:12]), int(subject[12:14]))
    except (ValueError, IndexError):
        return None


def _records_for(subject: str, rng: random.Random, on: date, n: int) -> list[Any]:
    born = _birth(subject) or date(1985, 1, 1)
    age = (on - born).days // 365
    adult_on = born + timedelta(days=365 * 22)
    out: list[Any] = [m.HouseholdRecord(subject=subject, region=subject[:6], relation=rng.choice(("户主", "配偶", "子女")),
                                        household_no=f"{rng.randrange(10**8, 10**9)}",
                                        moved_in_on=min(on, born + timedelta(days=rng.randrange(0, 365 * 20))))]
    if age >= 25 and rng.random() < 0.35:
        registered = min(on, adult_on + timedelta(days=rng.randrange(365, 365 * 10)))
        out.append(m.PropertyRecord(subject=subject, certificate_no=f"京({registered.year})不动产权第{n:07d}号",
                                    district=rng.choice(DISTRICTS), registered_on=registered,
                                    area_m2=Decimal(rng.randrange(4500, 14000)) / 100))
    if age >= 24 and rng.random() < 0.7:
        spouse = f"{subject[:6]}{born.year + rng.randint(-3, 3):04d}{subject[10:14]}{(n * 7) % 1000:03d}X"
        out.append(m.MarriageRecord(subject=subject, kind=m.MarriageRecord.Kind.MARRIED, spouse=spouse,
                                    registered_on=min(on, adult_on + timedelta(days=rng.randrange(0, 365 * 8)))))
    if age >= 55 or rng.random() < 0.01:
        kind = rng.choices(list(m.RetirementRecord.Kind), weights=(80, 10, 10))[0]
        years = {"statutory": 60, "early": 55, "flexible": 61}[kind]
        out.append(m.RetirementRecord(subject=subject, kind=kind, retired_on=born + timedelta(days=int(365.25 * years)),
                                      approved_by="市人力资源和社会保障局"))
    if rng.random() < 0.05:
        admitted = on - timedelta(days=rng.randrange(10, 300))
        total = rng.randrange(2_000_000, 30_000_000)
        out.append(m.HospitalStay(subject=subject, hospital=rng.choice(HOSPITALS), admitted_on=admitted,
                                  discharged_on=admitted + timedelta(days=rng.randrange(3, 30)), total_cost=total,
                                  out_of_pocket=total * rng.randrange(20, 60) // 100))
    overdue = rng.random() < 0.05
    out.append(m.CreditSummary(subject=subject, as_of=on - timedelta(days=rng.randrange(0, 30)),
                               open_loans=rng.randrange(0, 4), housing_loans=rng.randrange(0, 2),
                               overdue_now=rng.randrange(10_000, 500_000) if overdue else 0,
                               overdue_months_24=rng.randrange(1, 7) if overdue else 0))
    if rng.random() < 0.01:
        out.append(m.CourtListing(subject=subject, case_no=f"（{on.year}）京0105执{n:05d}号", court=rng.choice(COURTS),
                                  listed_on=on - timedelta(days=rng.randrange(30, 700))))
    out.append(m.FaceResult(subject=subject, score=rng.randrange(60, 80) if rng.random() < 0.05 else rng.randrange(82, 100),
                            live=rng.random() > 0.01))
    return out


@transaction.atomic
def registry_fill_synthetic(subjects: Iterable[str], *, on: date, seed: int = 2026, actor: Any) -> int:
    """Fill the local registry for `subjects` (skipping those filled already); the number of subjects filled."""
    rng = random.Random(seed)  # noqa: S311 — synthetic demo data, reproducible by seed
    subjects = [s.strip().upper() for s in subjects if s and s.strip()]
    have = set(m.HouseholdRecord.objects.filter(
        subject_bidx__in=[blind_index("id_number", s, "id_number") for s in subjects]).values_list("subject_bidx", flat=True))
    by_model: dict[type[models.Model], list[Any]] = {}
    filled = 0
    for n, subject in enumerate(subjects, 1):
        if blind_index("id_number", subject, "id_number") in have:
            continue
        filled += 1
        for rec in _records_for(subject, rng, on, n):
            by_model.setdefault(type(rec), []).append(rec)
    for model, rows in by_model.items():
        model._default_manager.bulk_create(rows, batch_size=1000)  # the insert runs each field's pre_save: blind indexes set
    audit_log(actor=actor, action=AuditEvent.VERIFICATION_REGISTRY_FILL, business_date=on,
              after={"subjects": filled, "records": sum(len(r) for r in by_model.values()), "seed": seed})
    return filled
