"""Request pages. (Being written.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise NotImplementedError


report = my_requests = my_tasks_view = queue = file_request = _todo
detail = transition = feedback = mediation = mediation_session = mediation_conclude_view = _todo
