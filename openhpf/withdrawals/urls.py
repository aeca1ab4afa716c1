"""Console URLs of 提取 (app_name "withdrawals"), included at "withdrawals/"."""

from django.urls import path

from . import views

app_name = "withdrawals"

urlpatterns = [
    path("members/<str:account_no>/cards/", views.member_cards, name="member_cards"),
    path("members/<str:account_no>/cards/add/", views.card_add_view, name="card_add"),
    path("cards/<int:pk>/verify/", views.card_verify_view, name="card_verify"),
    path("members/<str:account_no>/history/", views.member_history, name="member_history"),
    path("members/<str:account_no>/court/", views.member_court, name="member_court"),
    path("members/<str:account_no>/court/new/", views.court_new, name="court_new"),
    path("court/<str:number>/pay/", views.court_pay, name="court_pay"),
    path("overdue/", views.overdue, name="overdue"),
]
