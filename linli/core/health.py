"""``/healthz``: is this app server ready to serve? (issue 19)

It answers ``200 ok`` once the process has loaded the application (it is answering) and
its primary database answers ``SELECT 1``; ``503`` when the database does not. It names no
data and needs no login: deploy scripts (``deploy/topology.py``), load balancers and
monitors ask it before they count a server as up. A machine reads it, so the body is not
translated. With ``LINLI_SSL_REDIRECT`` it is exempt from the HTTPS redirect (a probe talks
to gunicorn directly, without nginx's ``X-Forwarded-Proto``); the probe must still send one
of ``LINLI_ALLOWED_HOSTS`` as its ``Host``.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health check: the database does not answer", exc_info=True)
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
