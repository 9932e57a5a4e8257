from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from linli.core.audit import RequestContext, audit_record, current_request


def client_ip(request: HttpRequest) -> str | None:
    # Behind nginx the proxy sets X-Real-IP; REMOTE_ADDR is the proxy otherwise.
    ip = request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")
    return str(ip) if ip else None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(RequestContext(source_ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # A refused action is recorded as a failed attempt; the response is still
        # Django's 403. (Outside the view's transaction, so the record survives.)
        if isinstance(exception, PermissionDenied):
            user = request.user if request.user.is_authenticated else None
            audit_record(
                actor=user,
                action="denied",
                success=False,
                object_type="url",
                object_id="",
                object_repr=request.path[:200],
                note=request.method or "",
            )
