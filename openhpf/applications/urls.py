"""Console URLs of the staff work queue (app_name "applications"), included by the root URLconf at
"applications/"."""

from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.intake_items, name="intake_items"),
    path("new/file/", views.intake, name="intake"),
    path("materials/<int:pk>/", views.material, name="material"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/act/", views.act, name="act"),
    path("<str:number>/claim/", views.claim, name="claim"),
    path("<str:number>/assign/", views.assign, name="assign"),
]
