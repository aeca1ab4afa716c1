"""Console URLs of maker-checker (app_name "approvals"), included by the root URLconf at "approvals/"."""

from django.urls import path

from . import policy_counter, views

app_name = "approvals"

urlpatterns = [
    path("", views.pending, name="pending"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.decide, {"action": "approve"}, name="approve"),
    path("<int:pk>/reject/", views.decide, {"action": "reject"}, name="reject"),
    path("policies/", views.policies, name="policies"),
    path("policies/<str:key>/", views.policy, name="policy"),
    path("policies/<str:key>/submit/", policy_counter.PolicyChange.as_view(), name="policy_submit"),
]
