"""Console URLs of accounts (app_name "accounts"), included by the root URLconf at "accounts/"."""

from django.urls import path

from . import (
    ecard_views,
    employer_counter,
    export_views,
    member_counter,
    member_open_batch,
    print_views,
    views,
)
from .counter_freeze import MemberChangeBase, MemberChangeRatio, MemberFreeze, MemberUnfreeze

app_name = "accounts"

urlpatterns = [
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/export/", export_views.employer_export, name="employer_export"),
    path("employers/new/", employer_counter.EmployerRegister.as_view(), name="employer_register"),
    path("employers/<str:account_no>/", views.employer_detail, name="employer_detail"),
    path("employers/<str:account_no>/change/", employer_counter.EmployerChange.as_view(), name="employer_change"),
    path("employers/<str:account_no>/suspend/", employer_counter.EmployerSuspend.as_view(), name="employer_suspend"),
    path("employers/<str:account_no>/resume/", employer_counter.EmployerResume.as_view(), name="employer_resume"),
    path("employers/<str:account_no>/close/", employer_counter.EmployerClose.as_view(), name="employer_close"),
    path("members/", views.member_list, name="member_list"),
    path("ecard/", ecard_views.ecard_scan_view, name="ecard_scan"),
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
    path("members/<str:account_no>/statement/", print_views.member_statement, name="member_statement"),
    # counter: freeze and contribution terms (counter_freeze.py)
    path("members/<str:account_no>/freeze/", MemberFreeze.as_view(), name="member_freeze"),
    path("members/<str:account_no>/unfreeze/", MemberUnfreeze.as_view(), name="member_unfreeze"),
    path("members/<str:account_no>/base/", MemberChangeBase.as_view(), name="member_change_base"),
    path("members/<str:account_no>/ratio/", MemberChangeRatio.as_view(), name="member_change_ratio"),
]
