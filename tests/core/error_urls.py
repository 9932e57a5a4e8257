"""The site's URLs plus one view that fails, to render the 500 page in a test."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from linli.urls import handler400, handler403, handler404, handler500
from linli.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("api/v1/boom", boom), *site_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
