"""The client's address: the direct peer, or a declared proxy's ``X-Real-IP`` if it is one.

The login lockout and the audit trail both use ``client_ip``; a header any client can
send must not choose the address they lock or record.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from linli.core.middleware import client_ip
from linli.core.models import AuditEvent
from tests.cast import Cast

PROXY = "10.0.0.254"


def address(remote_addr: str, real_ip: str | None = None) -> str | None:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote_addr}
    if real_ip is not None:
        meta["HTTP_X_REAL_IP"] = real_ip
    return client_ip(RequestFactory().get("/", **meta))


def test_without_declared_proxies_the_header_is_ignored() -> None:
    assert address("203.0.113.9", "198.51.100.24") == "203.0.113.9"
    assert address("203.0.113.9") == "203.0.113.9"


@override_settings(LINLI_TRUSTED_PROXIES=[PROXY, "fd00::/64"])
def test_a_declared_proxy_names_the_client() -> None:
    assert address(PROXY, "198.51.100.24") == "198.51.100.24"
    assert address("fd00::1", "2001:db8::7") == "2001:db8::7"
    # No header from the proxy: the proxy is all we know.
    assert address(PROXY) == PROXY


@override_settings(LINLI_TRUSTED_PROXIES=["10.0.0.0/24"])
def test_only_addresses_inside_the_declared_networks_are_proxies() -> None:
    assert address("10.0.0.17", "198.51.100.24") == "198.51.100.24"
    assert address("10.0.1.17", "198.51.100.24") == "10.0.1.17"


@override_settings(LINLI_TRUSTED_PROXIES=[PROXY])
@pytest.mark.parametrize(
    "header", ["not-an-ip <x>", "198.51.100.24, 10.0.0.1", "198.51.100.24:443", "", " "]
)
def test_a_header_that_is_not_one_address_is_ignored(header: str) -> None:
    assert address(PROXY, header) == PROXY


@override_settings(LINLI_TRUSTED_PROXIES=[PROXY])
def test_addresses_are_given_in_one_form() -> None:
    assert address(PROXY, " 2001:DB8:0:0::7 ") == "2001:db8::7"
    assert address("::ffff:" + PROXY, "198.51.100.24") == "198.51.100.24"
    assert address("::ffff:203.0.113.9") == "203.0.113.9"


def test_a_peer_that_is_not_an_address_gives_none() -> None:
    assert address("") is None
    assert address("unix:/run/gunicorn.sock") is None


@override_settings(LINLI_TRUSTED_PROXIES=[PROXY])
def test_the_audit_trail_stores_the_peer_when_the_header_is_not_an_address(
    cast: Cast,
) -> None:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="not-an-ip <x>")
    client.post(reverse("accounts:login"), {"username": "worker1", "password": "wrong"})
    assert AuditEvent.objects.get(action="login_failed").source_ip == PROXY


def test_the_audit_trail_ignores_a_header_from_a_client_that_is_not_a_proxy(
    cast: Cast,
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="198.51.100.24")
    client.post(reverse("accounts:login"), {"username": "worker1", "password": "wrong"})
    assert AuditEvent.objects.get(action="login_failed").source_ip == "203.0.113.9"


@override_settings(LINLI_TRUSTED_PROXIES=[PROXY])
def test_the_audit_trail_records_the_client_behind_the_proxy(cast: Cast) -> None:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.24")
    client.post(reverse("accounts:login"), {"username": "worker1", "password": "wrong"})
    assert AuditEvent.objects.get(action="login_failed").source_ip == "198.51.100.24"
