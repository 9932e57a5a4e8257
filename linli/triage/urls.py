"""Triage's pages. They live among the request pages (``/requests/intake/``, named
``requests:intake``): ``linli.urls`` adds them to ``linli.requests.urls``, because
requests sits below triage and does not import it."""

from __future__ import annotations

from django.urls import path

from linli.triage import views

request_pages = [
    path("intake/", views.intake, name="intake"),
]
