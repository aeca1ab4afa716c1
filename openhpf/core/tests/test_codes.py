"""Code tables: one definition each, and business types written through them rather than as bare codes."""

from __future__ import annotations

import re
from pathlib import Path

from openhpf.core import codes

ROOT = Path(codes.__file__).resolve().parents[1]  # the openhpf package
# a business type given, defaulted, stored or compared as a bare code: biz_type="11", biz_type: str = "20",
# biz_type == '02', {% if x.biz_type == "02" %}
BARE = re.compile(r"""biz_type\s*(?::\s*\w+\s*)?(?:=|==|!=)\s*["']\d""")


def _production_sources():
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html") or not path.is_file():
            continue
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations", "banksim"}:  # tests assert stored values; the simulator is the bank's side
            continue
        yield path


def test_one_settlement_biz_type():
    from openhpf.settlement import models as settlement_models

    assert settlement_models.SettlementBizType is codes.SettlementBizType
    field = settlement_models.Instruction._meta.get_field("biz_type")
    assert list(field.choices) == list(codes.SettlementBizType.choices)
    defined = [p.relative_to(ROOT).as_posix() for p in _production_sources()
               if p.suffix == ".py" and re.search(r"^class SettlementBizType\b", p.read_text(), re.M)]
    assert defined == ["core/codes.py"]


def test_no_bare_business_type_codes_in_production_code():
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in _production_sources()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if BARE.search(line)]
    assert not found, "use core.codes.BizType / SettlementBizType:\n" + "\n".join(found)
