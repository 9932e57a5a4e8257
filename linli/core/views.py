"""The error pages (400, 403, 404, 500 and a failed CSRF check) in the site's layout.

Django's defaults are English one-liners outside the layout; a resident who is denied
should read 「没有权限」 and find a way back. The 500 page is rendered without a request
(``django.views.defaults.server_error``): whatever broke may be what a context processor
needs, so ``500.html`` is self-contained.
"""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
)
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from linli.core.errors import BadInput


def back_url(request: HttpRequest) -> str:
    """The page the user came from, if it is one of ours; else nothing."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if not referer or referer == request.build_absolute_uri():
        return ""
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return referer


def _back_url_or_nothing(request: HttpRequest) -> str:
    try:
        return back_url(request)
    except Exception:  # a bad Host header is itself a reason for a 400
        return ""


def _render(request: HttpRequest, template_name: str, **context: object) -> str:
    context = {"back_url": _back_url_or_nothing(request), **context}
    return loader.get_template(template_name).render(context, request)


def bad_request(
    request: HttpRequest, exception: Exception, template_name: str = "400.html"
) -> HttpResponse:
    reason = str(exception) if isinstance(exception, BadInput) else ""
    return HttpResponseBadRequest(_render(request, template_name, reason=reason))


def permission_denied(
    request: HttpRequest, exception: Exception, template_name: str = "403.html"
) -> HttpResponse:
    # Linli's own refusals are Chinese sentences ("您没有这项操作的权限。"); show them.
    return HttpResponseForbidden(_render(request, template_name, reason=str(exception)))


def page_not_found(
    request: HttpRequest, exception: Exception, template_name: str = "404.html"
) -> HttpResponse:
    # Http404 messages are for developers (get_object_or_404 names the model): not shown.
    return HttpResponseNotFound(_render(request, template_name))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: usually a form left open until its token expired."""
    return HttpResponseForbidden(_render(request, "errors/csrf.html"))
