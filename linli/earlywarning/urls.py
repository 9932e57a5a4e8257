from __future__ import annotations

from django.urls import path

from linli.earlywarning import views

app_name = "earlywarning"

urlpatterns = [
    path("", views.warning_list_view, name="list"),
    path("<int:pk>/acknowledge/", views.warning_acknowledge_view, name="acknowledge"),
    path("<int:pk>/close/", views.warning_close_view, name="close"),
]
