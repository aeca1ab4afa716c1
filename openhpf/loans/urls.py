"""URLs of the loans app (app_name "loans", included at "loans/"): the public calculator page and the console's
loan pages."""

from django.urls import path

from . import calculator_views, views

app_name = "loans"

urlpatterns = [
    path("calculator/", calculator_views.calculator, name="calculator"),  # public: 贷款试算
    path("", views.loan_list, name="list"),
    path("cases/", views.case_list, name="cases"),  # before "<number>/": 逾期催收
    path("<str:number>/", views.loan_view, name="detail"),
    path("<str:number>/contract.pdf", views.contract_pdf, name="contract_pdf"),
]
