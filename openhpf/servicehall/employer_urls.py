"""The online hall's employer pages (单位网厅, app_name "hallemp"), included by the root URLconf at "hall/employer/"."""

from django.urls import path

from . import employer_views as v

app_name = "hallemp"

urlpatterns = [
    path("", v.home, name="home"),
    path("login/", v.login, name="login"),
    path("login/code/", v.otp, name="otp"),
    path("logout/", v.logout, name="logout"),
    path("hire/", v.hire, name="hire"),
    path("leave/<str:account_no>/", v.leave, name="leave"),
    path("remit/", v.remit, name="remit"),
    path("remit/upload/", v.upload, name="upload"),
    path("remit/<str:pk>/pay/", v.pay, name="pay"),
    path("history/", v.history, name="history"),
    path("backpay/", v.backpay, name="backpay"),
    path("base/", v.base_adjust, name="base_adjust"),
]
