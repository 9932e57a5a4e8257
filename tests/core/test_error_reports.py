"""Error reports (the debug traceback page, the mail to ADMINS) never show keys or tokens."""

from __future__ import annotations

import sys
from typing import Any

from django.test import RequestFactory
from django.views.debug import technical_500_response

from linli.core.debug import SecretHidingReporter

# Built, not written out: the report shows the source lines around each frame, and a
# literal value there would be found in it for the wrong reason.
SECRETS = {
    name: f"linli_{name}_" + "7" * 12
    for name in ("api_key", "token", "authorization", "x_api_key", "password")
}
HASH_KEY = "hash_key_" + "8" * 24


def _failing_view(request: Any) -> None:
    api_key = request.GET["api_key"]
    call = f"open311 call for {request.GET['token']} with {api_key}"
    raise RuntimeError(f"something broke in {call[:10]}")


def _failed_request(rf: RequestFactory, method: str = "get") -> tuple[Any, Any]:
    query = f"api_key={SECRETS['api_key']}&token={SECRETS['token']}&service_code=repair"
    headers = {
        "Authorization": f"Bearer {SECRETS['authorization']}",
        "X-Api-Key": SECRETS["x_api_key"],
    }
    if method == "post":
        request = rf.post(
            f"/open311/v2/requests.json?{query}",
            {"password": SECRETS["password"], "description": "楼道灯不亮"},
            headers=headers,
        )
    else:
        request = rf.get(f"/open311/v2/requests.json?{query}", headers=headers)
    try:
        _failing_view(request)
    except RuntimeError:
        return request, sys.exc_info()
    raise AssertionError("the view should fail")


def test_the_debug_page_hides_keys_in_the_query_headers_and_variables(
    rf: RequestFactory, settings: Any
) -> None:
    settings.DEBUG = True
    settings.LINLI_HASH_KEY = HASH_KEY
    request, exc_info = _failed_request(rf)

    page = technical_500_response(request, *exc_info).content.decode()

    assert "something broke" in page
    assert "service_code" in page  # the rest of the request is still there to debug with
    assert "repair" in page
    for secret in [*SECRETS.values(), settings.LINLI_HASH_KEY]:
        assert secret not in page, secret
    assert "********************" in page


def test_the_mailed_report_hides_them_too(rf: RequestFactory, settings: Any) -> None:
    settings.DEBUG = False
    request, exc_info = _failed_request(rf, method="post")

    exc_type, exc_value, tb = exc_info
    reporter = SecretHidingReporter(request, exc_type, exc_value, tb, is_email=True)
    text = reporter.get_traceback_text()

    assert "something broke" in text
    assert "楼道灯不亮" in text
    for secret in SECRETS.values():
        assert secret not in text, secret
