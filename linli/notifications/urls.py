from __future__ import annotations

from django.urls import path

from linli.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_read, name="mark_read"),
    path("settings/", views.preferences, name="preferences"),
    path("groups/", views.staff_groups, name="groups"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("<int:pk>/", views.open_notification, name="open"),
]
