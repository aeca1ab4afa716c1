"""Console URLs of accounts (app_name "accounts"), included by the root URLconf at "accounts/"."""

from django.urls import path

from . import views
from .counter_freeze import MemberChangeBase, MemberChangeRatio, MemberFreeze, MemberUnfreeze

app_name = "accounts"

urlpatterns = [
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/<str:account_no>/", views.employer_detail, name="employer_detail"),
    path("members/", views.member_list, name="member_list"),
    path("members/<str:account_no>/", views.member_detail, name="member_detail"),
    path("members/<str:account_no>/history/", views.member_history, name="member_history"),
    # counter: freeze and contribution terms (counter_freeze.py)
    path("members/<str:account_no>/freeze/", MemberFreeze.as_view(), name="member_freeze"),
    path("members/<str:account_no>/unfreeze/", MemberUnfreeze.as_view(), name="member_unfreeze"),
    path("members/<str:account_no>/base/", MemberChangeBase.as_view(), name="member_change_base"),
    path("members/<str:account_no>/ratio/", MemberChangeRatio.as_view(), name="member_change_ratio"),
]
