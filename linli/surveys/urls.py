from __future__ import annotations

from django.urls import path

from linli.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list_view, name="list"),
    path("new/", views.survey_create_view, name="create"),
    path("<int:pk>/", views.survey_detail_view, name="detail"),
    path("<int:pk>/open/", views.survey_open_view, name="open"),
    path("<int:pk>/close/", views.survey_close_view, name="close"),
    path(
        "<int:pk>/questions/<int:question_pk>/remove/",
        views.question_remove_view,
        name="question_remove",
    ),
    path("<int:pk>/codes/", views.survey_codes_view, name="codes"),
    path("<int:pk>/export.xlsx", views.survey_export_view, name="export"),
    path("<int:pk>/answer/", views.my_answer_view, name="my_answer"),
    path("answers/<int:pk>/to-request/", views.answer_to_request_view, name="answer_to_request"),
    path("a/", views.enter_code_view, name="enter_code"),
    path("a/<str:code>/", views.answer_view, name="answer"),
]
