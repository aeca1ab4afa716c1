"""Console URLs of accounts (app_name "accounts"), included by the root URLconf at "accounts/"."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/<str:account_no>/", views.employer_detail, name="employer_detail"),
    path("members/", views.member_list, name="member_list"),
    path("members/<str:account_no>/", views.member_detail, name="member_detail"),
    path("members/<str:account_no>/history/", views.member_history, name="member_history"),
]
