"""The external channels' senders: SMS (a provider interface, with an adapter for
Aliyun's 短信服务 SendSms), WeChat Work group robots, and email.

A sender raises :class:`DeliveryError` when the message did not go out; ``permanent``
errors (no phone number, an unknown robot) are not retried. Secrets come from settings
(``docs/operations.md``). Plain ``urllib``: two small POSTs need no HTTP library.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid
from functools import cache
from typing import Protocol
from urllib.error import URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("linli.notifications")

TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def _post(url: str, body: bytes, content_type: str) -> dict[str, object]:
    request = Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            payload = json.loads(response.read().decode("utf-8"))
    except (URLError, OSError, ValueError) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
    if not isinstance(payload, dict):
        raise DeliveryError("unexpected response")
    return payload


# --- SMS -------------------------------------------------------------------------------------


class SmsProvider(Protocol):
    def send(self, *, phone: str, text: str, reference: str) -> None:
        """Send ``text`` to ``phone``; ``reference`` is ours (the delivery), for receipts."""


class LogSms:
    """The default: log what would be sent (development, a site without an SMS contract)."""

    def send(self, *, phone: str, text: str, reference: str) -> None:
        logger.info("sms %s (%s): %s", phone[-4:], reference, text)


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's RPC signature wants it (space as %20, ~ kept)."""
    return quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Aliyun RPC signature version 1.0 (HMAC-SHA1): sorted, percent-encoded
    parameters, ``METHOD&%2F&<encoded query>``, keyed with ``secret + "&"``."""
    query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    """Aliyun 短信服务 ``SendSms`` (API version 2017-05-25), RPC style, signed requests.

    The template (``LINLI_SMS_TEMPLATE_CODE``) must have one variable, ``content``."""

    def __init__(self) -> None:
        self.endpoint: str = settings.LINLI_SMS_ENDPOINT
        self.key_id: str = settings.LINLI_SMS_ACCESS_KEY_ID
        self.secret: str = settings.LINLI_SMS_ACCESS_KEY_SECRET
        self.sign_name: str = settings.LINLI_SMS_SIGN_NAME
        self.template: str = settings.LINLI_SMS_TEMPLATE_CODE

    def send(self, *, phone: str, text: str, reference: str) -> None:
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": reference,
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template,
            "TemplateParam": json.dumps({"content": text}, ensure_ascii=False),
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, self.secret)
        answer = _post(
            self.endpoint, urlencode(params).encode(), "application/x-www-form-urlencoded"
        )
        if answer.get("Code") != "OK":
            code = str(answer.get("Code", ""))
            # A wrong number or a refused template will not get better by trying again.
            permanent = code in {
                "isv.MOBILE_NUMBER_ILLEGAL",
                "isv.SMS_TEMPLATE_ILLEGAL",
                "isv.SMS_SIGNATURE_ILLEGAL",
                "isv.BLACK_KEY_CONTROL_LIMIT",
            }
            raise DeliveryError(f"{code}: {answer.get('Message', '')}", permanent=permanent)


@cache
def sms_provider() -> SmsProvider:
    path: str = settings.LINLI_SMS_PROVIDER
    provider: SmsProvider = import_string(path)()
    return provider


# --- WeChat Work group robots -----------------------------------------------------------------


def robots() -> dict[str, str]:
    """The configured robots, name → webhook key (``LINLI_WECOM_ROBOTS``)."""
    configured: dict[str, str] = settings.LINLI_WECOM_ROBOTS
    return configured


def wecom_send(*, robot: str, text: str) -> None:
    key = robots().get(robot)
    if not key:
        raise DeliveryError(f"unknown robot {robot!r}", permanent=True)
    url = f"{settings.LINLI_WECOM_WEBHOOK_URL}?{urlencode({'key': key})}"
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False)
    answer = _post(url, body.encode(), "application/json")
    if answer.get("errcode") != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


# --- Email -----------------------------------------------------------------------------------


def email_send(*, address: str, subject: str, text: str) -> None:
    try:
        send_mail(subject, text, None, [address])
    except OSError as error:  # SMTP errors are OSErrors
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
