"""What console views of any app look up from accounts for the signed-in staff member: their center, an employer
or a member account of it by number (scoped and read-audited by the selectors), a page's 404 when it is not theirs
to see."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import Center
from openhpf.iam.services import staff_center

from . import selectors
from .models import Employer, MemberAccount


def console_center(request: HttpRequest) -> Center:
    """The staff member's 管理中心 (403 without one)."""
    center = staff_center(request.user)
    if center is None:
        raise PermissionDenied("当前用户未归属任何管理中心")
    return center


def employer_or_404(request: HttpRequest, account_no: str) -> Employer:
    try:
        return selectors.employer_get(center=console_center(request), account_no=account_no, user=request.user)
    except DomainError as e:
        raise Http404(e.message) from None


def member_account_or_404(request: HttpRequest, account_no: str) -> MemberAccount:
    try:
        return selectors.member_account_get(center=console_center(request), account_no=account_no,
                                            user=request.user)
    except DomainError as e:
        raise Http404(e.message) from None
