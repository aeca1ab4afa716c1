"""Console URLs of the personal-data actions (app_name "access", kept for the URL names), included by the root URLconf at "access/"."""

from django.urls import path

from . import personal_views as views

app_name = "access"

urlpatterns = [
    path("members/<str:account_no>/unmask/", views.member_unmask, name="member_unmask"),
    path("members/export/", views.member_export, name="member_export"),
]
