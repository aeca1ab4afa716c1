"""The pager's link: `{% load paging %}{% page_query page n %}` → '?…' — the request's query parameters (the
filters) with the page's own parameter (`page`, or another when a page shows two lists) set to n."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: Any, page: Any, number: int) -> str:
    request = context.get("request")
    params = request.GET.copy() if request is not None else {}
    params[getattr(page, "param", "page") or "page"] = str(number)
    return "?" + params.urlencode() if hasattr(params, "urlencode") else f"?page={number}"
