"""The error pages (400, 403, 404, 405, 500 and a failed CSRF check) in the site's layout.

Django's defaults are English one-liners outside the layout; a resident who is denied
should read 「没有权限」 and find a way back. The 500 page is rendered without a request
(``django.views.defaults.server_error``): whatever broke may be what a context processor
needs, so ``500.html`` is self-contained. Under ``/api/`` every one of them answers in
the API's JSON shape instead (``linli.core.api_errors``).
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
from django.utils.translation import gettext as _
from django.views import defaults

from linli.core.api_errors import error_response, is_api_request
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
    if is_api_request(request):
        return error_response(400, "bad_request", reason or _("请求无法处理。"))
    return HttpResponseBadRequest(_render(request, template_name, reason=reason))


def permission_denied(
    request: HttpRequest, exception: Exception, template_name: str = "403.html"
) -> HttpResponse:
    if is_api_request(request):
        return error_response(403, "not_permitted", _("您没有这项操作的权限。"))
    # Linli's own refusals are Chinese sentences ("您没有这项操作的权限。"); show them.
    return HttpResponseForbidden(_render(request, template_name, reason=str(exception)))


def page_not_found(
    request: HttpRequest, exception: Exception, template_name: str = "404.html"
) -> HttpResponse:
    if is_api_request(request):  # a path under /api/ that no endpoint serves
        return error_response(404, "not_found", _("没有这个接口地址。"))
    # Http404 messages are for developers (get_object_or_404 names the model): not shown.
    return HttpResponseNotFound(_render(request, template_name))


def method_not_allowed(request: HttpRequest, refused: HttpResponse) -> HttpResponse:
    """In place of Django's empty 405 (and ninja's English "Method not allowed"): someone
    who opens a form's address (退出, a transition) reads why, with a way back. The
    ``Allow`` header of the refusal is kept."""
    # Sorted: ninja lists a path's methods from a set, in no fixed order.
    allowed = ", ".join(sorted(m.strip() for m in refused.get("Allow", "").split(",") if m.strip()))
    if is_api_request(request):
        response: HttpResponse = error_response(
            405,
            "method_not_allowed",
            _("此接口不接受 %(method)s 请求,请用 %(allowed)s。")
            % {"method": request.method, "allowed": allowed}
            if allowed
            else _("此接口不接受 %(method)s 请求。") % {"method": request.method},
        )
    else:
        response = HttpResponse(_render(request, "405.html"), status=405)
    response["Allow"] = allowed
    # What the layers inside set on the refusal (a session's or the replica pin's cookie,
    # Vary) still holds for the answer that replaces it.
    response.cookies = refused.cookies
    if refused.has_header("Vary"):
        response["Vary"] = refused["Vary"]
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if is_api_request(request):
        return error_response(500, "server_error", _("系统出错了,已记录下来,请稍后再试。"))
    return defaults.server_error(request, template_name)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: usually a form left open until its token expired."""
    return HttpResponseForbidden(_render(request, "errors/csrf.html"))
