"""The figures page. (Being written.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def figures(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
