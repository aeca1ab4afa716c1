"""URLs of the loans app (app_name "loans", included at "loans/"): the public calculator page."""

from django.urls import path

from . import calculator_views

app_name = "loans"

urlpatterns = [
    path("calculator/", calculator_views.calculator, name="calculator"),  # public: 贷款试算
]
