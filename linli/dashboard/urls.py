from __future__ import annotations

from django.urls import path

from linli.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/<int:pk>/", views.place, name="place"),
    path("<str:kind>/<int:pk>/chart/<str:name>.png", views.chart, name="chart"),
    path("<str:kind>/<int:pk>/export.xlsx", views.export, name="export"),
]
