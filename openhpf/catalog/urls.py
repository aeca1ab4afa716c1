"""Public URLs of the service catalogue (app_name "catalog"), included by the root URLconf at "catalog/"."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.items, name="items"),
    path("<str:code>/", views.item, name="item"),
]
