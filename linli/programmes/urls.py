from __future__ import annotations

from django.urls import path

from linli.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list_view, name="list"),
    path("new/", views.programme_new_view, name="new"),
    path("mine/", views.my_children_view, name="mine"),
    path("mine/<int:pk>/rate/", views.satisfaction_view, name="rate"),
    path("duties/", views.my_duties_view, name="duties"),
    path("<int:pk>/", views.programme_detail_view, name="detail"),
    path("<int:pk>/edit/", views.programme_edit_view, name="edit"),
    path("<int:pk>/summary/", views.summary_view, name="summary"),
    path("<int:pk>/phases/new/", views.phase_new_view, name="phase_new"),
    path("<int:pk>/day/", views.day_view, name="day"),
    path("<int:pk>/enrol/", views.enrol_view, name="enrol"),
    path("<int:pk>/register.xlsx", views.register_xlsx_view, name="register_xlsx"),
    path("<int:pk>/incidents/", views.incident_view, name="incident"),
    path("<int:pk>/message/", views.message_view, name="message"),
    path("phases/<int:pk>/edit/", views.phase_edit_view, name="phase_edit"),
    path("phases/<int:pk>/slots/new/", views.slot_new_view, name="slot_new"),
    path("phases/<int:pk>/rota/", views.rota_view, name="rota"),
    path("phases/<int:pk>/rota/credit/", views.duties_credit_view, name="duties_credit"),
    path("slots/<int:pk>/edit/", views.slot_edit_view, name="slot_edit"),
    path("slots/<int:pk>/remove/", views.slot_remove_view, name="slot_remove"),
    path("duties/<int:pk>/remove/", views.duty_remove_view, name="duty_remove"),
    path("day/<int:pk>/sign-in/", views.sign_in_view, name="sign_in"),
    path("day/<int:pk>/sign-out/", views.sign_out_view, name="sign_out"),
]
