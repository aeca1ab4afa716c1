"""URLs of the loans app (app_name "loans", included at "loans/"): the public calculator page and the console's
loan pages. `<str:number>/` takes any word: the fixed paths (cases/, dashboard/) come before it."""

from django.urls import path

from . import calculator_views, servicing_views, views

app_name = "loans"

urlpatterns = [
    path("calculator/", calculator_views.calculator, name="calculator"),  # public: 贷款试算
    path("", views.loan_list, name="list"),
    path("collateral-warnings/", views.collateral_warnings, name="collateral_warnings"),
    path("cases/", servicing_views.cases, name="cases"),  # 催收工作台
    path("dashboard/", servicing_views.dashboard, name="dashboard"),  # 贷款风险看板
    path("<str:number>/", views.loan_view, name="detail"),
    path("<str:number>/contract.pdf", views.contract_pdf, name="contract_pdf"),
    path("<str:number>/repay/", servicing_views.repay, name="repay"),  # 柜台还款 (htmx)
    path("<str:number>/class/", servicing_views.class_override, name="class_override"),  # 五级分类人工认定
]
