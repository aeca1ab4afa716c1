"""Console URLs of the reconciliation app (app_name "reconciliation")."""

from django.urls import path

from . import views
from .counter import ItemBook, ItemReverse

app_name = "reconciliation"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/export/", views.detail_export, name="detail_export"),
    path("run/", views.run, name="run"),
    path("items/", views.items, name="items"),
    path("items/resolve/", views.items_resolve, name="items_resolve"),
    path("items/<int:pk>/explain/", views.item_explain, name="item_explain"),
    path("items/<int:pk>/book/", ItemBook.as_view(), name="item_book"),
    path("items/<int:pk>/reverse/", ItemReverse.as_view(), name="item_reverse"),
    path("statements/fetch/", views.statement_fetch, name="statement_fetch"),
    path("statements/upload/", views.statement_upload, name="statement_upload"),
    path("dayend/", views.dayend_page, name="dayend"),
    path("dayend/run/", views.dayend_run, name="dayend_run"),
    path("dayend/progress/", views.dayend_progress, name="dayend_progress"),
]
