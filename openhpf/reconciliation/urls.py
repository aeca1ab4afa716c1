"""Console URLs of the reconciliation app (app_name "reconciliation")."""

from django.urls import path

from . import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.detail, name="detail"),
    path("run/", views.run, name="run"),
    path("items/", views.items, name="items"),
    path("items/resolve/", views.items_resolve, name="items_resolve"),
    path("items/<int:pk>/explain/", views.item_explain, name="item_explain"),
]
