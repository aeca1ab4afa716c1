"""Console URLs of accounts (app_name "accounts"), included by the root URLconf at "accounts/"."""

from django.urls import path

from . import member_counter, member_open_batch, views

app_name = "accounts"

urlpatterns = [
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/<str:account_no>/", views.employer_detail, name="employer_detail"),
    path("members/", views.member_list, name="member_list"),
    # 个人账户 counter transactions (member_counter.py, member_open_batch.py)
    path("members/open/", member_counter.MemberOpen.as_view(), name="member_open"),
    path("members/open/batch/", member_open_batch.open_batch, name="member_open_batch"),
    path("members/open/batch/template.xlsx", member_open_batch.open_template, name="member_open_template"),
    path("members/<str:account_no>/seal/", member_counter.MemberSeal.as_view(), name="member_seal"),
    path("members/<str:account_no>/unseal/", member_counter.MemberUnseal.as_view(), name="member_unseal"),
    path("members/<str:account_no>/transfer/", member_counter.MemberTransfer.as_view(), name="member_transfer"),
    path("members/<str:account_no>/merge/", member_counter.MemberMerge.as_view(), name="member_merge"),
    path("members/<str:account_no>/", views.member_detail, name="member_detail"),
    path("members/<str:account_no>/history/", views.member_history, name="member_history"),
]
