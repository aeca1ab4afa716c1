"""Console URLs of accounts (app_name "accounts"), included by the root URLconf at "accounts/"."""

from django.urls import path

from . import employer_counter, views

app_name = "accounts"

urlpatterns = [
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/new/", employer_counter.EmployerRegister.as_view(), name="employer_register"),
    path("employers/<str:account_no>/", views.employer_detail, name="employer_detail"),
    path("employers/<str:account_no>/change/", employer_counter.EmployerChange.as_view(), name="employer_change"),
    path("employers/<str:account_no>/suspend/", employer_counter.EmployerSuspend.as_view(), name="employer_suspend"),
    path("employers/<str:account_no>/resume/", employer_counter.EmployerResume.as_view(), name="employer_resume"),
    path("employers/<str:account_no>/close/", employer_counter.EmployerClose.as_view(), name="employer_close"),
    path("members/", views.member_list, name="member_list"),
    path("members/<str:account_no>/", views.member_detail, name="member_detail"),
    path("members/<str:account_no>/history/", views.member_history, name="member_history"),
]
