"""Console URLs of 个人住房贷款 (app_name "loans"), included at "loans/"."""

from django.urls import path

from . import views

app_name = "loans"

urlpatterns = [
    path("", views.loan_list, name="list"),
    path("<str:number>/", views.loan_view, name="detail"),
    path("<str:number>/contract.pdf", views.contract_pdf, name="contract_pdf"),
]
