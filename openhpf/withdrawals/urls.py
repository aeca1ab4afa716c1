"""Console URLs of 提取 (app_name "withdrawals"), included at "withdrawals/"."""

from django.urls import path

from . import views

app_name = "withdrawals"

urlpatterns = [
    path("members/<str:account_no>/cards/", views.member_cards, name="member_cards"),
    path("members/<str:account_no>/cards/add/", views.card_add_view, name="card_add"),
    path("cards/<int:pk>/verify/", views.card_verify_view, name="card_verify"),
]
