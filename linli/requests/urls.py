from __future__ import annotations

from django.urls import path

from linli.requests import figures_views, views

app_name = "requests"

# The intake page (pasting a group chat) is triage's: ``linli.urls`` adds
# ``linli.triage.urls.request_pages`` to these, in the same "requests" namespace.

urlpatterns = [
    # Residents
    path("report/", views.report, name="report"),
    path("mine/", views.my_requests, name="mine"),
    # Grid workers (and anyone with assigned work)
    path("tasks/", views.my_tasks_view, name="tasks"),
    # Dispatchers: the queue, and filing on a resident's behalf or from a visit
    path("", views.queue, name="queue"),
    path("new/", views.file_request, name="file"),
    path("figures/", figures_views.figures, name="figures"),
    # One request
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/reclassify/", views.reclassify, name="reclassify"),
    path("<int:pk>/clear-urgent/", views.clear_urgent, name="clear_urgent"),
    path("<int:pk>/public/", views.set_public, name="set_public"),
    path("<int:pk>/accept-suggestion/", views.accept_suggestion, name="accept_suggestion"),
    path("<int:pk>/call/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/contacted/", views.contact, name="contact"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/mediation/", views.mediation, name="mediation"),
    path("<int:pk>/mediation/sessions/", views.mediation_session, name="mediation_session"),
    path("<int:pk>/mediation/conclude/", views.mediation_conclude_view, name="mediation_conclude"),
]
