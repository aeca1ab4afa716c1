"""Template filters for money and ratios, the only way templates show them:

`{% load money %}` then `{{ amount_fen|yuan }}` → '1,234.56' (元), `{{ ratio|percent }}` → '12%' (a ratio held as a
fraction of one, e.g. Decimal('0.1200')) and `{{ ratio_e4|percent_e4 }}` → '12.5%' (a ratio held in 万分之)."""

from decimal import Decimal
from fractions import Fraction

from django import template

from openhpf.core.money import format_fen, format_ratio, format_ratio_e4

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """123456 → '1,234.56' (None or '' → '—')."""
    return "—" if fen is None or fen == "" else format_fen(int(fen))


@register.filter
def percent(ratio: Decimal | Fraction | str | None) -> str:
    """Decimal('0.1250') → '12.5%' (None or '' → '—')."""
    return "—" if ratio is None or ratio == "" else format_ratio(ratio)


@register.filter
def percent_e4(e4: int | None) -> str:
    """1200 (万分之) → '12%' (None or '' → '—')."""
    return "—" if e4 is None or e4 == "" else format_ratio_e4(int(e4))
