"""业务系统控制台: sign-in and the home page. Views stay thin; data comes from selectors of each app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import StaffLoginForm
from .nav import url_or_none


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else redirect to the login page) and a staff member (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied("不是业务人员账号")
        return view(request, *args, **kwargs)

    return wrapped


class StaffLoginView(LoginView):
    template_name = "console/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {"jobs_partial_url": url_or_none("jobs:list_partial")})
