"""URLs of the service catalogue (app_name "catalog", included at "catalog/"): the public pages, and under
manage/ the console pages of a center's 实施清单."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.items, name="items"),
    path("manage/", views.implementations, name="implementations"),  # console: the center's 实施清单
    path("manage/<str:code>/", views.implementation, name="implementation"),
    path("<str:code>/", views.item, name="item"),
]
