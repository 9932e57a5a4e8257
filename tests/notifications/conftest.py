"""A local stand-in for the SMS provider and the WeChat Work robots: a real HTTP server
on 127.0.0.1 (threaded ``http.server``), which checks each SendSms request's signature
the way Aliyun documents it and answers as the real services do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from pytest_django.fixtures import Settings

from linli.notifications.senders import sms_provider

KEY_ID = "LTAItestkeyid"
SECRET = "test-secret"
ROBOTS = {"和平社区值班群": "key-community", "第1网格群": "key-grid1", "坏了的群": "key-broken"}


@dataclass
class Provider:
    """What the double received, and how it should misbehave."""

    url: str = ""
    sms: list[dict[str, str]] = field(default_factory=list)
    wecom: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # phone → Aliyun error code answered instead of OK
    failing: dict[str, str] = field(default_factory=dict)

    def texts_to(self, phone: str) -> list[str]:
        sent = [m for m in self.sms if m["PhoneNumbers"] == phone]
        return [json.loads(m["TemplateParam"])["content"] for m in sent]


def _expected_signature(params: dict[str, str]) -> str:
    # Written out from Aliyun's description, not from the code under test.
    def enc(value: str) -> str:
        return quote(value.encode("utf-8"), safe="-_.~")

    canonical = "&".join(f"{enc(k)}={enc(params[k])}" for k in sorted(params))
    string_to_sign = "POST&%2F&" + enc(canonical)
    mac = hmac.new((SECRET + "&").encode(), string_to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
            url = urlsplit(self.path)
            if url.path == "/sms":
                params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                signature = params.pop("Signature", "")
                if params.get("AccessKeyId") != KEY_ID or signature != _expected_signature(params):
                    self._answer({"Code": "SignatureDoesNotMatch", "Message": "bad signature"})
                    return
                code = provider.failing.get(params["PhoneNumbers"])
                if code:
                    self._answer({"Code": code, "Message": "refused"})
                    return
                provider.sms.append(params)
                self._answer({"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"})
            elif url.path == "/wecom":
                key = parse_qs(url.query)["key"][0]
                if key == "key-broken":
                    self._answer({"errcode": 93000, "errmsg": "invalid webhook url"})
                    return
                provider.wecom.append((key, json.loads(raw)))
                self._answer({"errcode": 0, "errmsg": "ok"})
            else:
                self.send_error(404)

    return Handler


@pytest.fixture
def provider(settings: Settings) -> Iterator[Provider]:
    double = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(double))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    double.url = f"http://127.0.0.1:{server.server_port}"
    settings.LINLI_SMS_PROVIDER = "linli.notifications.senders.AliyunSms"
    settings.LINLI_SMS_ENDPOINT = f"{double.url}/sms"
    settings.LINLI_SMS_ACCESS_KEY_ID = KEY_ID
    settings.LINLI_SMS_ACCESS_KEY_SECRET = SECRET
    settings.LINLI_SMS_SIGN_NAME = "邻里"
    settings.LINLI_SMS_TEMPLATE_CODE = "SMS_000001"
    settings.LINLI_WECOM_WEBHOOK_URL = f"{double.url}/wecom"
    settings.LINLI_WECOM_ROBOTS = dict(ROBOTS)
    sms_provider.cache_clear()
    yield double
    server.shutdown()
    server.server_close()
    sms_provider.cache_clear()
