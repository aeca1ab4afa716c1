"""Account numbers: the center's 6-digit institution code + a per-center sequence (unique network-wide).

Employer: code + 8 digits (14 chars). Member account: code + 10 digits (16 chars). Blocks are allocated
under a row lock so bulk loads take a whole range in one statement."""

from __future__ import annotations

from django.db import transaction

from openhpf.core.models import Center

from .models import NumberSequence

WIDTH = {"employer": 8, "member": 10}


def allocate(*, center: Center, kind: str, count: int = 1) -> range:
    """Reserve `count` sequence numbers; returns the range of sequence values (use format_no for each)."""
    if kind not in WIDTH:
        raise ValueError(kind)
    with transaction.atomic():
        NumberSequence.objects.get_or_create(center=center, kind=kind)
        seq = NumberSequence.objects.select_for_update().get(center=center, kind=kind)
        start = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
    return range(start, start + count)


def format_no(center_code: str, kind: str, n: int) -> str:
    return f"{center_code}{n:0{WIDTH[kind]}d}"
