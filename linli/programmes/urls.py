from __future__ import annotations

from django.urls import path

from linli.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list_view, name="list"),
    path("mine/", views.my_children_view, name="mine"),
    path("<int:pk>/", views.programme_detail_view, name="detail"),
    path("<int:pk>/day/", views.day_view, name="day"),
    path("<int:pk>/enrol/", views.enrol_view, name="enrol"),
    path("<int:pk>/register.xlsx", views.register_xlsx_view, name="register_xlsx"),
    path("<int:pk>/incidents/", views.incident_view, name="incident"),
    path("<int:pk>/message/", views.message_view, name="message"),
    path("day/<int:pk>/sign-in/", views.sign_in_view, name="sign_in"),
    path("day/<int:pk>/sign-out/", views.sign_out_view, name="sign_out"),
]
