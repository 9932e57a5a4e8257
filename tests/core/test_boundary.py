"""One boundary (DESIGN rule 9): every text from outside passes one normaliser.

``core.text.normalise_text`` (NFC, no control characters but newline and tab) is applied
once, by ``core.middleware.InputNormalisationMiddleware``, to query strings, form fields
and JSON bodies — so pages, the admin, the v1 API, Open311 and the group-chat paste all
get clean text, and a new page or API operation is covered without doing anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.http import urlencode

from linli.accounts.services import api_token_create
from linli.api import api
from linli.care.forms import VisitForm
from linli.core.text import normalise_data, normalise_text
from linli.requests.forms import FeedbackForm, FileRequestForm, ReportForm, TransitionForm
from linli.requests.models import Request
from tests.cast import PASSWORD, Cast
from tests.requests.test_api import Api
from tests.security.urlmap import build_world, endpoints, fill

ClientFor = Callable[[str], Client]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# Controls a client can send: NUL (PostgreSQL cannot store it), SOH, vertical tab, ESC
# (terminal escapes), DEL, a C1 control, a lone surrogate and a noncharacter.
DIRTY = "楼道\x00灯\x01不亮\x0b了\x1b[31m\x7f\x85,\ud800请修\ufffe"
CLEAN = "楼道灯不亮了[31m,请修"
# A form or query string cannot carry a lone surrogate (it is not UTF-8).
DIRTY_FORM = DIRTY.replace("\ud800", "")


# --- the normaliser ------------------------------------------------------------------------


def test_control_characters_are_removed() -> None:
    assert normalise_text(DIRTY) == CLEAN


def test_newline_and_tab_are_kept_and_line_breaks_become_newlines() -> None:
    assert normalise_text("第一行\n\t第二行") == "第一行\n\t第二行"
    assert normalise_text("网页\r\n表单\r老式") == "网页\n表单\n老式"


def test_text_is_composed_to_nfc() -> None:
    assert normalise_text("Cafe\u0301") == "Café"
    # A control between a letter and its accent does not keep them apart.
    assert normalise_text("e\x00\u0301") == "é"


def test_ordinary_chinese_text_emoji_and_spaces_are_unchanged() -> None:
    text = " 谢谢网格员👍👨\u200d👩\u200d👧 (3号楼502) "
    assert normalise_text(text) == text


def test_json_documents_are_normalised_throughout_and_passwords_only_lose_nul() -> None:
    document = {
        "text\x0b": "a\x01b",
        "items": [{"note": "e\u0301"}, 3, None, True],
        "new_password1": "Pa\x00ss e\u0301\x0b",
    }
    assert normalise_data(document) == {
        "text": "ab",
        "items": [{"note": "é"}, 3, None, True],
        "new_password1": "Pass e\u0301\x0b",
    }


def test_passwords_lose_lone_surrogates_which_no_form_can_send() -> None:
    assert normalise_data({"password": "Pa\ud800ss\udfff e\u0301"}) == {"password": "Pass e\u0301"}


# --- every endpoint ------------------------------------------------------------------------

Seen = dict[str, Any]


class Probe:
    """Stands where the view would be: records what a view would read, calls nothing."""

    seen: Seen = {}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        Probe.seen = {
            "GET": {k: request.GET.getlist(k) for k in request.GET},
            "POST": {k: request.POST.getlist(k) for k in request.POST},
            "FILES": {k: [f.read() for f in request.FILES.getlist(k)] for k in request.FILES},
            "body": request.body if request.content_type == "application/json" else b"",
        }
        return HttpResponse("probe")


def _probed(send: Callable[..., Any], *args: Any, **kwargs: Any) -> Seen:
    Probe.seen = {}
    send(*args, **kwargs)
    assert Probe.seen, "the probe was not reached"
    return Probe.seen


@pytest.fixture
def probe() -> Iterator[None]:
    from django.conf import settings

    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.Probe"]):
        yield


@pytest.mark.usefixtures("probe", "db")
def test_every_endpoint_receives_normalised_text() -> None:
    """Query strings, form and multipart fields, JSON bodies: clean at every URL pattern
    (pages, admin, /api/v1, Open311), whatever the view does with them."""
    world = build_world()
    client = Client(enforce_csrf_checks=False)
    password = "Pw\x00e\u0301"
    upload_bytes = b"\x00\x0bbinary file content"
    checked = 0
    for endpoint in endpoints():
        path = fill(endpoint, world)
        query = _probed(client.get, path, {"q": DIRTY_FORM})
        assert query["GET"] == {"q": [CLEAN]}, path

        fields = {"text": DIRTY_FORM, "note\x1b": ["a\x0bb", "c\r\nd"], "password": password}
        form = _probed(client.post, path, urlencode(fields, doseq=True), content_type=FORM)
        assert form["POST"] == {
            "text": [CLEAN],
            "note": ["ab", "c\nd"],
            "password": ["Pwe\u0301"],
        }, path
        # Uploaded files are the uploads' business (photos are re-encoded), not text.
        upload = SimpleUploadedFile("a.bin", upload_bytes)
        multipart = _probed(client.post, path, {"text": DIRTY_FORM, "photo": upload})
        assert multipart["POST"] == {"text": [CLEAN]}, path
        assert multipart["FILES"] == {"photo": [upload_bytes]}, path

        # JSON can carry what a form cannot: a lone surrogate, escaped as \ud800.
        body = {"text": DIRTY, "items": [{"comment": "e\u0301\x0b"}], "n": 1.25}
        as_json = _probed(client.post, path, body, content_type=JSON)
        assert json.loads(as_json["body"]) == {
            "text": CLEAN,
            "items": [{"comment": "é"}],
            "n": 1.25,
        }, path
        checked += 1
    assert checked > 100  # pages, admin, API and Open311 were all walked


@pytest.mark.usefixtures("probe")
def test_a_body_that_is_not_json_is_left_for_the_apis_own_error(client: Client) -> None:
    broken = b'{"text": "\x00\x0b'
    seen = _probed(client.post, "/api/v1/requests", broken, content_type=JSON)
    assert seen["body"] == broken


@pytest.mark.usefixtures("probe")
def test_a_clean_json_body_is_passed_on_byte_for_byte(client: Client) -> None:
    clean = b'{"glucose": 7.10, "text": "\\u697c\\u9053"}'
    seen = _probed(client.post, "/api/v1/care/visits", clean, content_type=JSON)
    assert seen["body"] == clean


@pytest.mark.parametrize(
    ("body", "content_type", "code", "detail"),
    [
        # multipart, as a browser form sends it
        (
            {"text": "楼道灯不亮了"},
            None,
            "invalid_body",
            "请求体应为 JSON(Content-Type: application/json)。",
        ),
        # cut off: not JSON
        (
            b'{"text": "\x00\x0b',
            JSON,
            "malformed_json",
            "请求体不是有效的 JSON,请检查引号、逗号和括号,并以 UTF-8 编码发送。",
        ),
    ],
)
def test_a_body_that_is_not_json_gets_a_clear_400_from_the_api(
    cast: Cast, client: Client, body: Any, content_type: str | None, code: str, detail: str
) -> None:
    _token, secret = api_token_create(user=cast.resident_user)
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if content_type:
        extra["content_type"] = content_type
    response = client.post("/api/v1/requests", body, **extra)
    assert response.status_code == 400
    assert response.json() == {"code": code, "detail": detail, "errors": {}}
    assert not Request.objects.exists()


def test_a_json_password_with_a_lone_surrogate_does_not_break_the_boundary(
    cast: Cast, client: Client
) -> None:
    """A lone surrogate in a ``password`` field, beside text the boundary rewrites: the
    rewritten body could not be encoded again, and every JSON endpoint answered 500."""
    _token, secret = api_token_create(user=cast.resident_user)
    body = b'{"text": "\xe6\xa5\xbc\xe9\x81\x93\\u0000", "password": "x\\ud800"}'
    response = client.post(
        "/api/v1/requests", body, content_type=JSON, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 201, response.content
    assert Request.objects.get().text == "楼道"


@pytest.mark.parametrize("depth", [33, 900, 100_000])
@pytest.mark.parametrize("path", ["/api/v1/requests", "/open311/v2/requests.json", "/requests/"])
def test_a_json_body_nested_too_deep_gets_a_clear_400(
    cast: Cast, client: Client, depth: int, path: str
) -> None:
    """Nested brackets used to reach a RecursionError (in json.loads or the normaliser):
    a 500 on every endpoint, pages included. 32 levels are read, deeper is refused."""
    _token, secret = api_token_create(user=cast.resident_user)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    nested = "[" * depth + "]" * depth
    body = '{"text": "楼道\\u0000灯不亮", "x": ' + nested + "}"
    response = client.post(path, body, content_type=JSON, **auth)
    assert response.status_code == 400
    detail = "请求体嵌套过深:JSON 的列表和对象最多嵌套 32 层。"
    if path.startswith("/open311/"):  # in Open311's own error shape
        assert response.json() == [{"code": "too_deep", "description": detail}]
    else:
        assert response.json() == {"code": "too_deep", "detail": detail, "errors": {}}
    assert not Request.objects.exists()
    # 32 levels, the whole document counted, are still read.
    inner = "[" * 31 + "]" * 31
    response = client.post(
        "/api/v1/requests", '{"text": "楼道灯不亮", "x": ' + inner + "}", content_type=JSON, **auth
    )
    assert response.status_code != 400


# --- what is stored ------------------------------------------------------------------------


def test_an_api_request_with_control_characters_is_stored_clean_and_open311_xml_parses(
    cast: Cast, client: Client
) -> None:
    status, data = Api(client, cast.resident_user).post(
        "/api/v1/requests",
        {"text": "楼道\x00灯\x01不亮\x0b了", "building": 1, "unit": 1, "room": "10\x001"},
    )
    assert status == 201, data
    stored = Request.objects.get(pk=data["id"])
    assert (stored.text, stored.room) == ("楼道灯不亮了", "101")

    _token, key = api_token_create(user=cast.staff, name="open311")
    response = client.get(f"/open311/v2/requests/{stored.number}.xml", {"api_key": key})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.findtext("request/description") == "楼道灯不亮了"


def test_an_open311_post_with_control_characters_is_stored_clean(
    cast: Cast, client: Client
) -> None:
    _token, key = api_token_create(user=cast.staff, name="open311")
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "repair",
            "address_id": cast.building2.code,
            "description": "2号楼\x00门口\x0b扶手松了\x1b",
            "last_name": "王\x01",
        },
    )
    assert response.status_code == 201, response.content
    stored = Request.objects.get(number=response.json()[0]["service_request_id"])
    assert (stored.text, stored.reporter_name) == ("2号楼门口扶手松了", "王")


def test_a_web_form_stores_clean_composed_text_and_keeps_lines_and_tabs(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("worker1").post(
        reverse("people:household_edit", args=[cast.household1.pk]),
        {"unit": cast.unit1.pk, "room": "101", "notes": "一楼\x0b有坡道\x1b\r\n\tCafe\u0301"},
    )
    assert response.status_code == 302
    cast.household1.refresh_from_db()
    assert cast.household1.notes == "一楼有坡道\n\tCafé"


def test_an_input_of_control_characters_only_gets_the_required_message(
    cast: Cast, client_for: ClientFor
) -> None:
    response = client_for("staff").post(
        reverse("requests:intake"),
        {"step": "read", "block": "\x00\x0b\x1b", "community": cast.community.pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"block": ["请粘贴群聊记录。"]}


def test_a_pasted_group_chat_is_read_clean(cast: Cast, client_for: ClientFor) -> None:
    block = "张三 10:32\n2号楼1单元门口的垃圾\x0b堆了好几天了\x00,臭得不行\x1b\r\n"
    response = client_for("staff").post(
        reverse("requests:intake"), {"step": "read", "block": block, "community": cast.community.pk}
    )
    assert response.status_code == 200
    [draft] = [form.initial for form in response.context["formset"].forms]
    assert draft["text"] == "2号楼1单元门口的垃圾堆了好几天了,臭得不行"


def test_passwords_are_not_composed(cast: Cast, client: Client) -> None:
    # Set before any normaliser, or typed on a keyboard that sends decomposed letters:
    # the password must still work as typed.
    decomposed = PASSWORD + "e\u0301"
    user = get_user_model().objects.get(username="resident")
    user.set_password(decomposed)
    user.save()
    response = client.post(
        reverse("accounts:login"), {"username": "resident", "password": decomposed}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


# --- length limits of the API --------------------------------------------------------------


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _text_properties(
    schema: dict[str, Any], document: dict[str, Any], where: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    schema = _resolve(schema, document)
    options = [_resolve(option, document) for option in schema.get("anyOf", [])]
    if any(option.get("type") in {"number", "integer"} for option in options):
        return  # a number that may also be sent as a string (a Decimal): not text
    for option in options:
        yield from _text_properties(option, document, where)
    if schema.get("type") == "string":
        yield where, schema
    if schema.get("type") == "array":
        yield from _text_properties(schema.get("items", {}), document, f"{where}[]")
    for name, child in schema.get("properties", {}).items():
        yield from _text_properties(child, document, f"{where}.{name}")


def test_every_text_an_api_operation_takes_has_a_length_limit() -> None:
    document = api.get_openapi_schema()
    unlimited = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                for where, schema in _text_properties(
                    media["schema"], document, f"{method.upper()} {path}"
                ):
                    is_limited = "maxLength" in schema or "enum" in schema
                    # A date, time or date-time is parsed into a value, not stored as text;
                    # an uploaded file is bytes, its size limited by the service that reads it.
                    parsed = schema.get("format") in ("date", "time", "date-time", "binary")
                    if not is_limited and not parsed:
                        unlimited.append(where)
    assert unlimited == []


@pytest.mark.parametrize(
    ("schema", "field", "form", "form_field"),
    [
        ("RequestIn", "text", ReportForm, "text"),
        ("RequestIn", "room", FileRequestForm, "room"),
        ("TransitionIn", "note", TransitionForm, "note"),
        ("FeedbackIn", "comment", FeedbackForm, "comment"),
        ("VisitIn", "note", VisitForm, "note"),
        ("VisitIn", "concern", VisitForm, "concern"),
    ],
)
def test_api_text_limits_are_the_web_forms(
    schema: str, field: str, form: Any, form_field: str
) -> None:
    document = api.get_openapi_schema()
    found = dict(_text_properties(document["components"]["schemas"][schema], document, ""))
    assert found[f".{field}"]["maxLength"] == form.base_fields[form_field].max_length
