"""Open311 GeoReport v2 under ``/open311/v2/``: discovery, services, requests, tokens.

Other systems (a city's 12345 hotline platform, a resident app) speak GeoReport v2; this
module translates it to and from the same services and scoped selectors the pages and
``/api/v1`` use. JSON and XML both; errors are ``[{"code", "description"}]`` with 400,
403 or 404 as the specification asks.

Reads without a key are public, as the specification has them, but de-identified:
service, status, dates, the grid and the building-level address (never a room), and no
text or progress notes unless a dispatcher marked the request public
(``Request.public``). A key (the ``api_key`` parameter, the ``X-Api-Key`` header or
``Authorization: Bearer``) sees what its user may see (``visible_requests``), in full.

Deliberate departures, documented in the README and ``open311_openapi``:

* ``status_notes`` says only what the public may read: the status and the resolution,
  never the notes workers write to each other along the way.
* Places are addresses in the grid (``address_string`` like "向阳花园3号楼2单元502", or an
  area code as ``address_id``), not coordinates: buildings here have no survey points,
  and a unit is what routes a request to its grid worker. ``lat``/``long`` alone get a
  400 that says so; sent with an address they are accepted and not kept, and answers
  never carry ``lat``/``long``.
* ``jurisdiction_id`` is a community's 12-digit code; discovery lists them under
  ``jurisdictions`` (the specification has no place for the list).
* ``email``, ``phone``, ``device_id``, ``account_id``, ``media_url`` and ``attribute[…]``
  are accepted and not kept (no service has attributes); the filer is the key's user,
  and ``last_name``+``first_name`` are kept as the reporter's name.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from linli.accounts.models import User
from linli.accounts.services import api_token_authenticate
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import area_labels
from linli.core.dates import parse_query_datetime
from linli.core.errors import DomainError
from linli.core.middleware import client_ip
from linli.core.scoping import subtree_condition
from linli.core.throttling import over_any_limit, throttled_message
from linli.requests.locate import Place, filing_communities, resident_of, resolve_location
from linli.requests.models import Category, Channel, Request
from linli.requests.reading import read_address
from linli.requests.selectors import visible_requests
from linli.requests.services import request_submit
from linli.requests.workflow import OPEN_STATUSES, Status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json", "xml": "text/xml"}
# The specification's defaults for a search without dates or ids.
DEFAULT_SPAN = dt.timedelta(days=90)
MAX_RESULTS = 1000

Item = Mapping[str, Any]


class Open311Error(Exception):
    def __init__(
        self, status: int, code: str, description: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description
        self.retry_after = retry_after


# --- rendering -----------------------------------------------------------------------------


_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, list):
        item_tag = key[:-1] if key.endswith("s") else "item"
        for item in value:
            if isinstance(item, Mapping):
                _xml_item(child, item_tag, item)
            else:  # discovery's <formats><format>text/xml</format>...</formats>
                _xml_value(child, item_tag, item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        # XML 1.0 cannot carry control characters: older rows stored before the boundary
        # normaliser may still hold some, and one must not make the document unreadable.
        child.text = _XML_UNSAFE.sub("", str(value))


def _xml_item(parent: ET.Element, tag: str, item: Item) -> None:
    element = ET.SubElement(parent, tag)
    for key, value in item.items():
        _xml_value(element, key, value)


def _render(
    fmt: str, payload: Item | Sequence[Item], *, root: str, item: str, status: int = 200
) -> HttpResponse:
    if fmt == "json":
        return _mark(
            JsonResponse(
                payload,
                safe=False,
                status=status,
                json_dumps_params={"ensure_ascii": False},
            )
        )
    top = ET.Element(root)
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            _xml_value(top, key, value)
    else:
        for entry in payload:
            _xml_item(top, item, entry)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    # ET.tostring with an encoding writes its own declaration; keep exactly one.
    body = body.replace(b"<?xml version='1.0' encoding='utf-8'?>\n", b"")
    return _mark(HttpResponse(body, status=status, content_type="text/xml; charset=utf-8"))


def _error(fmt: str, error: Open311Error) -> HttpResponse:
    response = _render(
        fmt,
        [{"code": error.code, "description": error.description}],
        root="errors",
        item="error",
        status=error.status,
    )
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def _refuse_if_over(limits: Sequence[tuple[str, str | None]]) -> None:
    wait = over_any_limit(limits)
    if wait is not None:
        raise Open311Error(429, "too_many_requests", throttled_message(wait), retry_after=wait)


PREFLIGHT_MAX_AGE = 86_400
PREFLIGHT_HEADERS = "Authorization, Content-Type, X-Api-Key"


def _mark(response: HttpResponse) -> HttpResponse:
    """Note an answer as Open311's own (its error shape), for the middleware."""
    setattr(response, "_open311", True)  # noqa: B010 - not a declared attribute
    return response


def options_answer(allowed: str) -> HttpResponse:
    """``OPTIONS``: the methods in ``Allow``; for a browser's preflight from an origin the
    site lets in (:func:`cors_origin`), the middleware adds what it may send."""
    response = HttpResponse(status=204)
    response["Allow"] = allowed
    setattr(response, "_open311_preflight", allowed)  # noqa: B010
    return _mark(response)


def wrong_method(fmt: str, methods: Sequence[str], allowed: str) -> HttpResponse:
    response = _error(
        fmt,
        Open311Error(405, "method_not_allowed", f"此地址只接受 {'、'.join(methods)} 请求。"),
    )
    response["Allow"] = allowed
    return response


def open311_view(
    *methods: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Answer ``methods`` only; turn an unknown format into a 404 and every refusal —
    a wrong method included — into the Open311 error shape.

    ``HEAD`` is answered as ``GET`` (the server sends the headers only) and ``OPTIONS``
    with the methods allowed, a browser's CORS preflight included.

    Every endpoint is exempt from the CSRF check: it is called by other systems with a
    key, never by a browser's cookie, and a wrong method must read 405 in the client's
    format rather than the site's "page expired" page."""
    accepted = (*methods, "HEAD") if "GET" in methods else methods
    allowed = ", ".join((*accepted, "OPTIONS"))

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                raise Http404
            if request.method == "OPTIONS":
                return options_answer(allowed)
            if request.method not in accepted:
                return wrong_method(fmt, methods, allowed)
            return _answer(view, request, *args, fmt=fmt, **kwargs)

        return wrapped

    return decorate


def _answer(
    view: Callable[..., HttpResponse], request: HttpRequest, *args: Any, fmt: str, **kwargs: Any
) -> HttpResponse:
    try:
        return view(request, *args, fmt=fmt, **kwargs)
    except Open311Error as error:
        return _error(fmt, error)
    except Http404:
        return _error(fmt, Open311Error(404, "not_found", "找不到该诉求或服务。"))
    except DomainError as error:
        return _error(fmt, Open311Error(403, error.code, str(error.message)))
    except ValidationError as error:
        messages = (
            [m for ms in error.message_dict.values() for m in ms]
            if hasattr(error, "error_dict")
            else list(error.messages)
        )
        return _error(fmt, Open311Error(400, "invalid", " ".join(messages)))


OPEN311_PATH_PREFIX = "/open311/v2/"


def cors_origin(request: HttpRequest) -> str | None:
    """What ``Access-Control-Allow-Origin`` answers the request's origin: ``*`` when
    ``LINLI_OPEN311_CORS_ORIGINS`` holds it, the origin itself when listed, else nothing.

    A key, never a cookie, says who calls Open311, so letting a web page on another site
    read it gives that page no more than ``curl`` has. But a server on an intranet is out
    of ``curl``'s reach from outside, while any page its users open is not: so no origin is
    let in unless the operator lists it (``*`` for a server on the internet)."""
    allowed = [o.strip() for o in settings.LINLI_OPEN311_CORS_ORIGINS if o.strip()]
    if "*" in allowed:
        return "*"
    origin = request.headers.get("Origin", "")
    return origin if origin and origin in allowed else None


def _refusal(response: HttpResponse) -> Open311Error:
    """The Open311 error for a 400 made before the views: the boundary's own code and
    words when it gave them (``{"code", "detail"}``, as ``/api/v1`` answers), else a
    general one."""
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            refused = json.loads(response.content)
        except ValueError:
            refused = None
        if isinstance(refused, dict) and refused.get("code") and refused.get("detail"):
            return Open311Error(400, str(refused["code"]), str(refused["detail"]))
    return Open311Error(
        400,
        "bad_request",
        "请求无法处理(例如请求体过大、字段过多或请求头无效),请检查提交的内容。",
    )


class Open311EdgeMiddleware:
    """What every answer under ``/open311/v2/`` gets, whoever made it:

    * A request refused before any Open311 view runs — a body over Django's size or
      field-count limits, or one the input boundary cannot read — answers a client in its
      format (``[{code, description}]``, JSON or XML) rather than with the site's HTML 400
      page or ``/api/v1``'s shape.
    * CORS headers for the origins the site lets in (:func:`cors_origin`), a preflight's
      included.

    Placed before ``InputNormalisationMiddleware``, which reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith(OPEN311_PATH_PREFIX):
            return response
        if response.status_code == 400 and not getattr(response, "_open311", False):
            fmt = "xml" if request.path_info.endswith(".xml") else "json"
            response = _error(fmt, _refusal(response))
        if settings.LINLI_OPEN311_CORS_ORIGINS and "*" not in settings.LINLI_OPEN311_CORS_ORIGINS:
            # The answer depends on the origin, whether or not this one is let in: a cache
            # must not give one origin's answer to another.
            patch_vary_headers(response, ["Origin"])
        origin = cors_origin(request)
        if origin is None:
            return response
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "Retry-After"
        if preflight := getattr(response, "_open311_preflight", None):
            response["Access-Control-Allow-Methods"] = preflight
            response["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
            response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return response


def presented_key(request: HttpRequest, params: Mapping[str, str]) -> str:
    """The key from the ``X-Api-Key`` header, ``Authorization: Bearer …``, or — as the
    specification has it, though it ends up in access logs — the ``api_key`` parameter."""
    header = request.headers.get("X-Api-Key", "").strip()
    if header:
        return header
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return (params.get("api_key") or "").strip()


def _optional_caller(request: HttpRequest, params: Mapping[str, str]) -> User | None:
    """The key's user, or None for a public read; a key that is wrong is still a 403."""
    key = presented_key(request, params)
    if not key:
        return None
    user = api_token_authenticate(key)
    if user is None:
        raise Open311Error(403, "api_key_invalid", "api_key 无效或已吊销。")
    return user


def _jurisdiction(params: Mapping[str, str]) -> Area | None:
    """``jurisdiction_id`` is a community's code; an unknown one is a 404."""
    wanted = (params.get("jurisdiction_id") or "").strip()
    if not wanted:
        return None
    found = Area.objects.filter(code=wanted, kind=AreaKind.COMMUNITY).first()
    if found is None:
        raise Open311Error(404, "jurisdiction_not_found", f"没有编号为 {wanted} 的辖区(社区)。")
    return found


def _caller(request: HttpRequest, params: Mapping[str, str]) -> User:
    key = presented_key(request, params)
    if not key:
        raise Open311Error(
            403,
            "api_key_required",
            "缺少 api_key:请放在 X-Api-Key 请求头或 Authorization: Bearer 中。",
        )
    user = api_token_authenticate(key)
    if user is None:
        raise Open311Error(403, "api_key_invalid", "api_key 无效或已吊销。")
    return user


# --- discovery and services ----------------------------------------------------------------


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    endpoint_url = base.rsplit("/discovery", 1)[0] + "/"
    payload = {
        "changeset": "2026-11-29T00:00:00+08:00",
        "contact": "请联系所在社区的社区工作者。",
        "key_service": "api_key 由社区管理员以 `linli token create 用户名` 生成。",
        "jurisdictions": [
            {"jurisdiction_id": c.code, "name": c.name}
            for c in Area.objects.filter(kind=AreaKind.COMMUNITY).order_by("code")
        ],
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": "2026-11-29T00:00:00+08:00",
                "type": "production",
                "formats": list(FORMATS.values()),
            }
        ],
    }
    return _render(fmt, payload, root="discovery", item="endpoint")


def _service_item(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@open311_view("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    categories = Category.objects.filter(is_active=True)
    return _render(fmt, [_service_item(c) for c in categories], root="services", item="service")


@open311_view("GET")
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    if not Category.objects.filter(code=service_code, is_active=True).exists():
        raise Open311Error(404, "service_not_found", f"没有代码为 {service_code} 的服务。")
    # No service asks extra questions: the description and the address say it all.
    return _render(
        fmt,
        {"service_code": service_code, "attributes": []},
        root="service_definition",
        item="attribute",
    )


# --- requests ------------------------------------------------------------------------------


def _place_from_address(user: User, address: str) -> Place:
    """Read "向阳花园3号楼2单元502" with the registered reader (triage's) and find it in
    the user's reach."""
    compounds: dict[str, Area] = {}
    community_paths = [c.path for c in filing_communities(user)]
    for found in Area.objects.filter(
        subtree_condition(community_paths), kind=AreaKind.COMPOUND
    ).order_by("path"):
        compounds.setdefault(found.name, found)
    reading = read_address(address, compounds=list(compounds))
    compound = compounds.get(reading.compound or "") if reading is not None else None
    if reading is None or (compound is None and reading.building is None):
        raise Open311Error(400, "address_not_found", f"无法识别地址“{address}”,请写明小区和楼号。")
    try:
        return resolve_location(
            user=user,
            location_code=compound.code if compound is not None else "",
            building=reading.building,
            unit=reading.unit,
            room=reading.room or "",
        )
    except ValidationError as error:
        # The locator speaks /api/v1's fields; GeoReport names an area code address_id.
        messages = " ".join(error.messages)
        raise Open311Error(
            400, "invalid", messages.replace("location_code", "address_id")
        ) from None


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    # The address is counted before the key is checked, so guessing keys is limited too.
    _refuse_if_over([("open311_post_address", client_ip(request))])
    user = _caller(request, params)
    jurisdiction = _jurisdiction(params)
    _refuse_if_over([("open311_post_token", presented_key(request, params))])
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code_required", "缺少 service_code。")
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, "service_not_found", f"没有代码为 {code} 的服务。")
    description = (params.get("description") or "").strip()
    if not description:
        raise Open311Error(400, "description_required", "请在 description 中描述问题。")
    address_id = (params.get("address_id") or "").strip()
    address = (params.get("address_string") or "").strip()
    if address_id:
        place = resolve_location(user=user, location_code=address_id)
    elif address:
        place = _place_from_address(user, address)
    elif params.get("lat") or params.get("long"):
        raise Open311Error(
            400,
            "address_required",
            "本系统按小区、楼栋、单元定位,不支持仅凭经纬度定位,"
            "请提供 address_string 或 address_id。",
        )
    else:
        raise Open311Error(400, "address_required", "请提供 address_string 或 address_id。")
    if jurisdiction is not None and not place.area.path.startswith(jurisdiction.path):
        raise Open311Error(
            400,
            "address_outside_jurisdiction",
            f"该地址不在辖区 {jurisdiction.code}({jurisdiction.name})内。",
        )
    name = "".join((params.get(part) or "").strip() for part in ("last_name", "first_name"))[:50]
    created = request_submit(
        submitted_by=user,
        text=description,
        channel=Channel.OPEN311,
        location=place.area,
        room=place.room,
        category=category,
        reporter=resident_of(user),
        reporter_name=name,
    )
    reply = [
        {
            "service_request_id": created.number,
            "service_notice": "",
            "account_id": None,
        }
    ]
    return _render(fmt, reply, root="service_requests", item="request", status=201)


def _parse_when(raw: str, field: str) -> dt.datetime:
    """A W3C date-time within 1900–2100; a "+" left unencoded in the query reads as " "."""
    try:
        return parse_query_datetime(raw.replace(" ", "+"))
    except ValidationError as error:
        raise Open311Error(400, "invalid_date", f"{field}:{' '.join(error.messages)}") from None


def _readable(request: HttpRequest, user: User | None) -> QuerySet[Request]:
    """With a key, what its user may see; without, every request (to be de-identified).
    A ``jurisdiction_id`` narrows either to one community."""
    found = visible_requests(user) if user is not None else Request.objects.all()
    jurisdiction = _jurisdiction(request.GET)
    if jurisdiction is not None:
        found = found.filter(community=jurisdiction)
    return found.select_related("category", "location", "grid")


def _listed(params: QueryDict, name: str) -> list[str]:
    """A list parameter, comma-delimited as the specification writes it, or repeated
    (``status=open&status=closed``) as most HTTP clients send a list: every value."""
    return [v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()]


def _search(request: HttpRequest, user: User | None) -> QuerySet[Request]:
    params = request.GET
    found = _readable(request, user)
    ids = _listed(params, "service_request_id")
    if ids:
        # Ids given: the specification says every other parameter is ignored.
        return found.filter(number__in=ids)
    codes = _listed(params, "service_code")
    if codes:
        found = found.filter(category__code__in=codes)
    end = _parse_when(params["end_date"], "end_date") if params.get("end_date") else None
    start = _parse_when(params["start_date"], "start_date") if params.get("start_date") else None
    if start is None and end is None:
        start = timezone.now() - DEFAULT_SPAN
    if start is not None:
        found = found.filter(submitted_at__gte=start)
    if end is not None:
        found = found.filter(submitted_at__lte=end)
    wanted = set(_listed(params, "status"))
    if wanted:
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "invalid_status", "status 只能是 open 或 closed。")
        if wanted == {"open"}:
            found = found.filter(status__in=list(OPEN_STATUSES))
        elif wanted == {"closed"}:
            found = found.exclude(status__in=list(OPEN_STATUSES))
    return found


def public_status_notes(request: Request) -> str:
    """What the public may read about a request's progress: its status, and how it was
    resolved. Notes written along the way (a dispatcher's instructions, a verifier's
    remarks, a reason to send it back) are the workers' own and stay inside."""
    label = str(request.get_status_display())
    if request.status in {Status.RESOLVED, Status.CLOSED} and request.resolution_note:
        return f"{label}。办理结果:{request.resolution_note}"
    return label


def _building_level(area: Area) -> tuple[str, str]:
    """The path and code of the building a unit belongs to (a unit adds 4 characters to
    the path and 2 digits to the code); any other place is its own."""
    if area.kind == AreaKind.UNIT:
        return area.path[:-4], area.code[:-2]
    return area.path, area.code


def _request_items(requests: Sequence[Request], *, keyed: bool) -> list[dict[str, Any]]:
    """Requests as GeoReport v2 ``request`` items. Without a key (``keyed=False``) an item
    is de-identified: the building, never the unit or room; the status without notes; no
    text unless the request is public. No item names a person. ``lat``/``long`` are left
    out: places here have no coordinates."""
    places = {
        r.pk: ((r.location.path, r.location.code) if keyed else _building_level(r.location))
        for r in requests
    }
    labels = area_labels([path for path, _code in places.values()], top_kind=AreaKind.COMMUNITY)
    items: list[dict[str, Any]] = []
    for r in requests:
        path, code = places[r.pk]
        shows_text = keyed or r.public
        item: dict[str, Any] = {
            "service_request_id": r.number,
            "status": "open" if r.status in OPEN_STATUSES else "closed",
            "status_notes": public_status_notes(r) if shows_text else str(r.get_status_display()),
            "service_name": r.category.name,
            "service_code": r.category.code,
        }
        if shows_text:
            item["description"] = r.text
        item |= {
            "agency_responsible": r.grid.name if r.grid is not None else "",
            "service_notice": "",
            "requested_datetime": r.submitted_at.isoformat(),
            "updated_datetime": r.updated_at.isoformat(),
            "expected_datetime": r.due_at.isoformat(),
            "address": labels[path] + (f"{r.room}室" if keyed and r.room else ""),
            "address_id": code,
            "zipcode": "",
            "media_url": "",
        }
        items.append(item)
    return items


@open311_view("GET", "POST")
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    user = _optional_caller(request, request.GET)
    found = list(_search(request, user).order_by("-submitted_at", "-pk")[:MAX_RESULTS])
    return _render(
        fmt,
        _request_items(found, keyed=user is not None),
        root="service_requests",
        item="request",
    )


@open311_view("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    user = _optional_caller(request, request.GET)
    found = _readable(request, user).filter(number=service_request_id).first()
    if found is None:
        raise Http404
    return _render(
        fmt,
        _request_items([found], keyed=user is not None),
        root="service_requests",
        item="request",
    )


@open311_view("GET")
def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    """Requests are numbered at once, so a token is the request's own number."""
    user = _optional_caller(request, request.GET)
    if not _readable(request, user).filter(number=token_id).exists():
        raise Http404
    return _render(
        fmt,
        [{"service_request_id": token_id, "token": token_id}],
        root="service_requests",
        item="request",
    )
