"""Console URLs of access (app_name "access"), included by the root URLconf at "access/"."""

from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("members/<str:account_no>/unmask/", views.member_unmask, name="member_unmask"),
    path("members/export/", views.member_export, name="member_export"),
]
