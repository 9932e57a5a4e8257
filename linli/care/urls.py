from __future__ import annotations

from django.urls import path

from linli.care import views

app_name = "care"

urlpatterns = [
    path("", views.due_list, name="due_list"),
    path("gaps/", views.gap_list, name="gap_list"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("people/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/acknowledge/", views.alert_ack, name="alert_ack"),
    path("alerts/<int:pk>/close/", views.alert_close_view, name="alert_close"),
]
