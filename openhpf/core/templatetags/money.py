"""Template filters for money: `{% load money %}` then `{{ amount_fen|yuan }}` → '1,234.56'."""

from django import template

from openhpf.core.money import format_fen

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """123456 → '1,234.56' (None → '—')."""
    return "—" if fen is None else format_fen(int(fen))
