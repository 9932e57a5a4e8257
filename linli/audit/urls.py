from __future__ import annotations

from django.urls import path

from linli.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export.<str:file_format>", views.audit_export, name="export"),
]
