"""Console URLs of the ledger (app_name "ledger"), included by the root URLconf at "ledger/"."""

from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.home, name="home"),
]
