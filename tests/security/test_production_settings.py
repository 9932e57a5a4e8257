"""``LINLI_ENV=production``: secure cookies, HSTS, HTTPS, strict hosts, a required secret key.

Settings are read once per process, so each case runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from linli.settings import BASE_DIR

LINLI = Path(sys.executable).parent / "linli"
STRONG_KEY = "k" * 20 + "Q7v-2xPz_9LmR4tW8yBn3cJh6fGd1sAe5uKo0iXq"
FIELD_KEY = "Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtbG9uZy1rZXk="  # "for-tests-only-32-bytes-long-key"
HASH_KEY = "hash-key-for-tests-only-32-bytes-long"
SETTINGS_DUMP = """
import json
from django.conf import settings
names = [
    "DEBUG", "ALLOWED_HOSTS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS", "LINLI_TRUSTED_PROXIES",
]
print(json.dumps({n: getattr(settings, n) for n in names}))
"""


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DJANGO_", "DATABASE"))
    }
    env.update(
        LINLI_ENV="production",
        LINLI_DATA_DIR=str(tmp_path),
        LINLI_SECRET_KEY=STRONG_KEY,
        LINLI_ALLOWED_HOSTS="linli.example.cn",
        LINLI_FIELD_KEYS=FIELD_KEY,
        LINLI_HASH_KEY=HASH_KEY,
        DJANGO_SETTINGS_MODULE="linli.settings",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def run_python(
    code: str, env: dict[str, str], *, setup: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``env``, once the settings are loaded (every
    refusal of a misconfiguration is raised there), or after ``django.setup()`` — importing
    every app, three times the cost — when ``setup``."""
    start = (
        "import django; django.setup()"
        if setup
        else "from django.conf import settings; settings.DEBUG"
    )
    return subprocess.run(
        [sys.executable, "-c", f"{start}\n{code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR.parent,
    )


def production_settings(tmp_path: Path, **overrides: str) -> dict[str, object]:
    result = run_python(SETTINGS_DUMP, production_env(tmp_path, **overrides))
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_check_deploy_passes_at_warning_level(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(LINLI), "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_on_https_and_secure_cookies(tmp_path: Path) -> None:
    values = production_settings(tmp_path)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False  # opt-in, see docs/security.md
    assert values["ALLOWED_HOSTS"] == ["linli.example.cn"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["X_FRAME_OPTIONS"] == "DENY"
    # X-Forwarded-Proto is trusted only behind a proxy that is declared to set it.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_proxy_header_is_trusted_only_behind_a_declared_tls_proxy(tmp_path: Path) -> None:
    values = production_settings(tmp_path, LINLI_BEHIND_TLS_PROXY="true")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_forwarded_addresses_are_trusted_only_from_declared_proxies(tmp_path: Path) -> None:
    assert production_settings(tmp_path)["LINLI_TRUSTED_PROXIES"] == []
    declared = production_settings(tmp_path, LINLI_TRUSTED_PROXIES="127.0.0.1, 10.8.0.0/16")
    assert declared["LINLI_TRUSTED_PROXIES"] == ["127.0.0.1", "10.8.0.0/16"]


def test_the_readiness_probe_is_not_redirected_to_https(tmp_path: Path) -> None:
    """A probe talks to gunicorn directly, without nginx's X-Forwarded-Proto: /healthz
    answers it over HTTP; every other page still redirects."""
    probe = (
        "import json\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='linli.example.cn')\n"
        "answers = [client.get(p) for p in ('/healthz', '/accounts/login/')]\n"
        "print(json.dumps([[a.status_code, a.get('Location', '')] for a in answers]))"
    )
    env = production_env(tmp_path, LINLI_BEHIND_TLS_PROXY="true")
    result = run_python(probe, env, setup=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        [200, ""],
        [301, "https://linli.example.cn/accounts/login/"],
    ]


def test_hsts_preload_can_be_opted_into(tmp_path: Path) -> None:
    assert production_settings(tmp_path, LINLI_HSTS_PRELOAD="true")["SECURE_HSTS_PRELOAD"] is True


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"LINLI_SECRET_KEY": ""}, "LINLI_SECRET_KEY must be set when LINLI_ENV=production"),
        ({"LINLI_ALLOWED_HOSTS": ""}, "LINLI_ALLOWED_HOSTS must be set"),
        ({"LINLI_ALLOWED_HOSTS": "linli.example.cn,*"}, "'*' is refused in production"),
        (
            {"LINLI_TRUSTED_PROXIES": "127.0.0.1,nginx"},
            "LINLI_TRUSTED_PROXIES must list IP addresses or networks, not 'nginx'",
        ),
    ],
)
def test_production_refuses_to_start_when_misconfigured(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    result = run_python("", production_env(tmp_path, **overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("environment", "overrides", "message"),
    [
        ("production", {"LINLI_FIELD_KEYS": "notakey"}, "LINLI_FIELD_KEYS: key 1 of 1 is not"),
        ("production", {"LINLI_FIELD_KEYS": "a" * 44}, "LINLI_FIELD_KEYS: key 1 of 1 is not"),
        (
            "production",
            {"LINLI_FIELD_KEYS": f"{FIELD_KEY},notakey"},
            "LINLI_FIELD_KEYS: key 2 of 2 is not",
        ),
        ("production", {"LINLI_HASH_KEY": "x"}, "LINLI_HASH_KEY must be at least 32 bytes"),
        ("development", {"LINLI_FIELD_KEYS": "notakey"}, "LINLI_FIELD_KEYS: key 1 of 1 is not"),
        ("development", {"LINLI_HASH_KEY": "x" * 31}, "LINLI_HASH_KEY must be at least 32"),
    ],
)
def test_malformed_keys_are_refused_at_start_naming_the_variable(
    tmp_path: Path, environment: str, overrides: dict[str, str], message: str
) -> None:
    result = subprocess.run(
        [str(LINLI), "check", "--deploy"],
        env=production_env(tmp_path, LINLI_ENV=environment, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR.parent,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "notakey" not in result.stderr  # the value itself is never printed
    assert not (tmp_path / "keys.json").exists()  # nothing was encrypted with anything


def test_debug_is_on_only_when_asked_for(tmp_path: Path) -> None:
    assert production_settings(tmp_path, LINLI_ENV="")["DEBUG"] is False
    assert production_settings(tmp_path, LINLI_ENV="development")["DEBUG"] is True
    explicit = production_settings(tmp_path, LINLI_ENV="", LINLI_DEBUG="true")
    assert explicit["DEBUG"] is True
    refused = run_python("", production_env(tmp_path, LINLI_DEBUG="true"))
    assert refused.returncode != 0
    assert "LINLI_DEBUG must not be on when LINLI_ENV=production" in refused.stderr


def test_development_does_not_need_a_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path, LINLI_ENV="development", LINLI_SECRET_KEY="")
    assert run_python("", env, setup=True).returncode == 0


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(
        ([*part.strip().split(" ", 1), ""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
