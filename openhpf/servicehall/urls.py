"""The online hall's web pages for members (app_name "hall"), included by the root URLconf at "hall/"."""

from django.urls import path

from . import ecard_views, views

app_name = "hall"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.otp, name="otp"),
    path("logout/", views.logout, name="logout"),
    path("ecard/", ecard_views.ecard, name="ecard"),
    path("certificates/apply/", views.certificate_apply_view, name="certificate_apply"),
    path("certificates/<str:number>.pdf", views.certificate_pdf, name="certificate_pdf"),
]
