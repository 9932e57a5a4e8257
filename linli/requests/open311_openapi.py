"""An OpenAPI 3 description of Linli's Open311 GeoReport v2 endpoints.

GeoReport v2 predates OpenAPI; this document describes what ``/open311/v2/`` answers so
that a city platform (12345) or a resident app can generate a client, and so the test
suite can fuzz every endpoint in both formats with schemathesis. Served at
``/open311/v2/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from linli.requests.open311 import options_answer, wrong_method

FORMAT = {
    "name": "fmt",
    "in": "path",
    "required": True,
    "description": "json 或 xml",
    "schema": {"type": "string", "enum": ["json", "xml"]},
}
API_KEY = {
    "name": "api_key",
    "in": "query",
    "required": False,
    "description": (
        "API 令牌(在 /accounts/tokens/ 生成);也可放在 X-Api-Key 请求头中。"
        "读取时可不带:不带令牌时只公开去标识化的信息。"
    ),
    "schema": {"type": "string"},
}
JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "required": False,
    "description": (
        "辖区编号:社区的 12 位统计用区划代码(见 discovery 的 jurisdictions);未知编号返回 404"
    ),
    "schema": {"type": "string"},
}

# Where Linli departs from GeoReport v2 (http://wiki.open311.org/GeoReport_v2), kept in
# step with the README's Open311 section.
DEPARTURES = "\n".join(
    (
        "与 GeoReport v2 规范的差异:",
        "",
        "1. 不带 api_key 的读取是公开的,但去标识化:只有服务、状态、时间、网格和楼栋级地址"
        "(不含单元和房号),不含诉求内容、办理说明、姓名、电话;社区派单人员在诉求页面"
        "“设为公开”后,才公开诉求内容和办理结果(仍不含姓名、电话和房号)。"
        "带 api_key 的读取按该用户的权限范围返回完整信息。",
        "2. status_notes 只含状态和办理结果,不含工作人员之间的内部备注。",
        "3. 位置用 address_string(如“向阳花园3号楼2单元502”)或区域编码 address_id;"
        "只给 lat/long 会被拒绝(400),与地址一起给时接受但不保存;"
        "返回结果从不包含 lat/long(楼栋没有测绘坐标)。",
        "4. jurisdiction_id 为社区代码,discovery 中以 jurisdictions 列出(规范没有此字段);"
        "提交时地址须在该辖区内。",
        "5. email、phone、device_id、account_id、media_url 和 attribute[...] 接受但不保存"
        "(各服务都没有附加属性);提交人是 api_key 对应的用户,"
        "last_name+first_name 作为反映人姓名保存。",
        "6. 诉求提交后立即编号,token 就是诉求编号。",
        "7. 错误说明为中文;超出频率限制返回 429 和 Retry-After。",
    )
)


def _answers(*statuses: int) -> dict[str, Any]:
    body = {
        "application/json": {"schema": {}},
        "text/xml": {"schema": {"type": "string"}},
    }
    return {str(s): {"description": "GeoReport v2", "content": body} for s in statuses}


def _get(summary: str, *parameters: dict[str, Any], statuses: tuple[int, ...]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": [FORMAT, *parameters, JURISDICTION],
            "responses": _answers(*statuses),
        }
    }


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def open311_document() -> dict[str, Any]:
    code = {
        "name": "service_code",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    request_id = {
        "name": "service_request_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    token_id = {"name": "token_id", "in": "path", "required": True, "schema": {"type": "string"}}
    collection = _get(
        "查询诉求",
        API_KEY,
        _query("service_request_id", "逗号分隔的诉求编号"),
        _query("service_code", "逗号分隔的服务代码"),
        _query("start_date", "起始时间(ISO 8601)", format="date-time"),
        _query("end_date", "截止时间(ISO 8601)", format="date-time"),
        _query("status", "open 或 closed"),
        statuses=(200, 400, 403, 404),
    )
    collection["post"] = {
        "summary": "提交诉求",
        "parameters": [FORMAT],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["api_key", "service_code", "description"],
                        "properties": {
                            "api_key": {"type": "string"},
                            "jurisdiction_id": {"type": "string"},
                            "service_code": {"type": "string"},
                            "description": {"type": "string", "maxLength": 2000},
                            "address_string": {"type": "string"},
                            "address_id": {"type": "string"},
                            "lat": {"type": "number"},
                            "long": {"type": "number"},
                            "first_name": {"type": "string"},
                            "last_name": {"type": "string"},
                            "phone": {"type": "string"},
                            "email": {"type": "string"},
                        },
                    }
                }
            },
        },
        "responses": _answers(201, 400, 403, 404),
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "邻里 Linli · Open311 GeoReport v2",
            "version": "v2",
            "description": "市民诉求的 Open311 GeoReport v2 接口,json 与 xml 两种格式。\n\n"
            + DEPARTURES,
        },
        "paths": {
            "/open311/v2/discovery.{fmt}": _get("服务发现", statuses=(200, 400, 404)),
            "/open311/v2/services.{fmt}": _get("服务(诉求类别)列表", statuses=(200, 400, 404)),
            "/open311/v2/services/{service_code}.{fmt}": _get(
                "服务定义", code, statuses=(200, 400, 404)
            ),
            "/open311/v2/requests.{fmt}": collection,
            "/open311/v2/requests/{service_request_id}.{fmt}": _get(
                "一条诉求", request_id, API_KEY, statuses=(200, 400, 403, 404)
            ),
            "/open311/v2/tokens/{token_id}.{fmt}": _get(
                "由令牌查诉求编号", token_id, API_KEY, statuses=(200, 400, 403, 404)
            ),
        },
    }


ALLOWED = "GET, HEAD, OPTIONS"


@csrf_exempt
def openapi_json(request: HttpRequest) -> HttpResponse:
    """The document, answered like every Open311 address: ``HEAD`` as ``GET``, ``OPTIONS``
    with the methods, any other method a 405 in the Open311 error shape."""
    if request.method == "OPTIONS":
        return options_answer(ALLOWED)
    if request.method not in ("GET", "HEAD"):
        return wrong_method("json", ["GET"], ALLOWED)
    return JsonResponse(open311_document(), json_dumps_params={"ensure_ascii": False})
