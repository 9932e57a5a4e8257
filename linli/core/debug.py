"""Error reports that never show keys, tokens or passwords.

Django's error report — the traceback page with ``DEBUG`` on, and the e-mail sent to
``ADMINS`` in production — lists the request's URL, GET parameters, headers, the local
variables of every frame and the settings. Django's own filter hides settings and
headers whose names look secret, but shows the query string, the GET parameters and
frame variables as they are; Open311 clients put ``api_key`` in the query string.

``SecretHidingFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``) also hides query and
form parameters, headers, settings and frame variables whose names look secret, and
stays active with ``DEBUG`` on. ``SecretHidingReporter`` (``DEFAULT_EXCEPTION_REPORTER``)
cleans the URL and the GET list, and finally blanks every secret value the request
carried (parameters with secret-looking names, the ``Authorization`` and ``X-Api-Key``
headers) wherever else it appears in the report, e.g. in a variable's repr.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest, QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Names of parameters, headers, settings and variables whose values are never shown.
SECRET_NAMES = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|SESSION|CSRF|DATABASE|REDIS|DSN|^URL$",
    flags=re.IGNORECASE,
)
SUBSTITUTE = SafeExceptionReporterFilter.cleansed_substitute
# The query string travels in these META keys as well as in QUERY_STRING.
_URL_META = ("QUERY_STRING", "REQUEST_URI", "RAW_URI")
_MIN_SECRET_LENGTH = 4


def cleansed_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, SUBSTITUTE if SECRET_NAMES.search(k) else v) for k, v in pairs])


def cleansed_uri(uri: str) -> str:
    path, mark, query = uri.partition("?")
    return f"{path}?{cleansed_query(query)}" if mark else uri


def cleansed_query_dict(params: QueryDict) -> QueryDict:
    cleansed = params.copy()
    for name in cleansed:
        if SECRET_NAMES.search(name):
            cleansed.setlist(name, [SUBSTITUTE])
    return cleansed


def request_secrets(request: HttpRequest | None) -> set[str]:
    """The secret values this request carried, to blank wherever they turn up."""
    if request is None:
        return set()
    found: set[str] = set()
    for params in (getattr(request, "GET", None), getattr(request, "POST", None)):
        if params is None:
            continue
        for name, values in params.lists():
            if SECRET_NAMES.search(name):
                found.update(str(v) for v in values)
    meta = getattr(request, "META", {})
    authorization = str(meta.get("HTTP_AUTHORIZATION", ""))
    found.add(authorization)
    found.add(authorization.split(" ", 1)[-1])
    found.add(str(meta.get("HTTP_X_API_KEY", "")))
    return {value for value in found if len(value.strip()) >= _MIN_SECRET_LENGTH}


class SecretHidingFilter(SafeExceptionReporterFilter):
    hidden_settings = SECRET_NAMES

    def is_active(self, request: HttpRequest | None) -> bool:
        # Django switches its filter off with DEBUG on; a traceback page shown to a
        # browser is where a key would leak first.
        return True

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta: dict[str, Any] = super().get_safe_request_meta(request)
        for name in _URL_META:
            value = meta.get(name)
            if not isinstance(value, str):
                continue
            if name == "QUERY_STRING":
                meta[name] = cleansed_query(value)
            else:
                meta[name] = cleansed_uri(value)
        return meta

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        params = super().get_post_parameters(request)
        return cleansed_query_dict(params) if isinstance(params, QueryDict) else params

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [
            (name, SUBSTITUTE if SECRET_NAMES.search(str(name)) else value)
            for name, value in variables
        ]


class SecretHidingReporter(ExceptionReporter):
    def get_traceback_data(self) -> dict[str, Any]:
        data: dict[str, Any] = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = cleansed_query_dict(self.request.GET).items()
            data["request_insecure_uri"] = cleansed_uri(str(data["request_insecure_uri"]))
        return data

    def _blank_secrets(self, text: str) -> SafeString:
        secrets = request_secrets(self.request)
        forms = {form for secret in secrets for form in (secret, str(escape(secret)))}
        for secret in sorted(forms, key=len, reverse=True):
            text = text.replace(secret, SUBSTITUTE)
        # The report was escaped when rendered; blanking parts of it keeps it so.
        return mark_safe(text)

    def get_traceback_html(self) -> SafeString:
        return self._blank_secrets(super().get_traceback_html())

    def get_traceback_text(self) -> SafeString:
        return self._blank_secrets(super().get_traceback_text())
