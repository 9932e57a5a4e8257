from __future__ import annotations

import functools
import io
import ipaddress
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

from linli.core.api_errors import error_response
from linli.core.audit import RequestContext, audit_record, current_request
from linli.core.models import AuditEvent
from linli.core.text import normalise_data, normalise_field, normalise_text
from linli.core.views import method_not_allowed

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_ip(value: object) -> IPAddress | None:
    """``value`` as an IP address, or None when it is not one (IPv4 inside IPv6 unwrapped)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id:
            return ipaddress.IPv6Address(str(address).split("%", 1)[0])
    return address


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxy(address: IPAddress) -> bool:
    """Whether ``address`` is one of the proxies named in ``LINLI_TRUSTED_PROXIES``."""
    networks = _networks(tuple(settings.LINLI_TRUSTED_PROXIES))
    return any(address.version == n.version and address in n for n in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from: the one the login lockout counts and the audit
    trail records (axes calls this through ``AXES_CLIENT_IP_CALLABLE``).

    ``REMOTE_ADDR`` is the direct peer. Only when that peer is a proxy declared in
    ``LINLI_TRUSTED_PROXIES`` does its ``X-Real-IP`` replace it, and only when the header
    is an IP address: a client that reaches the app directly could otherwise name any
    address — dodge its own lockout, lock out someone else's address, or write whatever
    it likes into the audit trail.
    """
    peer = _parse_ip(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    if trusted_proxy(peer):
        forwarded = _parse_ip(request.META.get("HTTP_X_REAL_IP"))
        if forwarded is not None:
            return str(forwarded)
    return str(peer)


class MethodNotAllowedMiddleware:
    """Django answers a method a view does not take with an empty 405, ninja with the
    English "Method not allowed": both become the site's page or the API's JSON shape
    (``linli.core.views.method_not_allowed``). A 405 that already speaks JSON or XML
    (Open311's, in the client's format) is left as it is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            ("application/json", "text/xml")
        ):
            return response
        return method_not_allowed(request, response)


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
                action=AuditEvent.Action.DENIED,
                success=False,
                object_type="url",
                object_id="",
                object_repr=request.path[:200],
                note=request.method or "",
            )


def _normalised_query(query: QueryDict) -> _ImmutableQueryDict:
    clean = QueryDict(mutable=True, encoding=query.encoding)
    for name, values in query.lists():
        clean.setlist(normalise_text(name), [normalise_field(name, v) for v in values])
    clean._mutable = False
    return cast("_ImmutableQueryDict", clean)


def _is_json(request: HttpRequest) -> bool:
    content_type = (request.content_type or "").lower()
    return content_type == "application/json" or content_type.endswith("+json")


# The deepest JSON document the boundary reads. Linli's own documents are a few levels
# deep; a deeper one is refused before anything recurses into it (json.loads, the
# normaliser, pydantic), which a body of nested brackets otherwise turned into a 500.
MAX_JSON_DEPTH = 32


class BodyTooDeep(Exception):
    """A JSON body nested deeper than ``MAX_JSON_DEPTH``."""


def json_depth(data: object) -> int:
    """How deeply lists and objects nest in a parsed JSON document (a scalar is 0),
    counted without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _normalise_json_body(request: HttpRequest) -> None:
    try:
        data = json.loads(request.body)
    except RecursionError as error:
        raise BodyTooDeep from error
    except ValueError:
        return  # not JSON after all: the API answers that with its own error
    if json_depth(data) > MAX_JSON_DEPTH:
        raise BodyTooDeep
    clean = normalise_data(data)
    if clean == data:
        return  # leave a clean body byte for byte as it came
    body = json.dumps(clean, ensure_ascii=False).encode()
    # Django keeps the body it has read in ``_body`` and serves later reads from
    # ``_stream``; both are replaced so every reader sees the normalised document.
    request._body = body
    request._stream = io.BytesIO(body)
    request.META["CONTENT_LENGTH"] = str(len(body))


def normalise_request(request: HttpRequest) -> None:
    """Normalise everything a view can read as text: the query string, form fields (not
    uploaded files) and JSON bodies, with ``core.text`` (passwords only lose NUL and lone
    surrogates).

    Raises ``BodyTooDeep`` for a JSON body nested deeper than ``MAX_JSON_DEPTH``."""
    request.GET = _normalised_query(request.GET)
    if request.method == "POST":
        # Parses form and multipart bodies; any other content type gives an empty POST.
        request.POST = _normalised_query(request.POST)
    if _is_json(request):
        _normalise_json_body(request)


class InputNormalisationMiddleware:
    """The one boundary for text from outside (DESIGN rule 9): every page, the Django
    admin, every django-ninja operation and Open311 read their input through
    ``request.GET``, ``request.POST`` or the JSON body, normalised here before any view,
    form or schema sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            normalise_request(request)
        except BodyTooDeep:
            # In the API's error shape: only a program sends a JSON body.
            return error_response(
                400,
                "too_deep",
                _("请求体嵌套过深:JSON 的列表和对象最多嵌套 %(depth)d 层。")
                % {"depth": MAX_JSON_DEPTH},
            )
        return self.get_response(request)
