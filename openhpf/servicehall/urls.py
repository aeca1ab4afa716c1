"""The online hall's web pages for members (app_name "hall"), included by the root URLconf at "hall/"."""

from django.urls import path

from . import ecard_views, portal_views, views

app_name = "hall"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.otp, name="otp"),
    path("logout/", views.logout, name="logout"),
    path("register/", portal_views.register, name="register"),
    path("register/code/", portal_views.register_code, name="register_code"),
    path("elder/", portal_views.elder_toggle, name="elder"),
    path("ecard/", ecard_views.ecard, name="ecard"),
    path("certificates/apply/", views.certificate_apply_view, name="certificate_apply"),
    path("certificates/<str:number>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("history/", portal_views.history, name="history"),
    path("statement/<str:account_no>.pdf", portal_views.annual_statement, name="statement"),  # ?year=
    path("withdraw/", portal_views.withdraw_index, name="withdraw_index"),
    path("withdraw/<str:code>/", portal_views.withdraw, name="withdraw"),  # rent, retire
    path("applications/", portal_views.applications, name="applications"),
    path("applications/<str:number>/", portal_views.application, name="application"),
    path("me/", portal_views.profile, name="profile"),
    path("me/phone/", portal_views.phone_code, name="phone_code"),
    path("inbox/", portal_views.inbox, name="inbox"),
]
