"""A fuzzer that covers every form and query parameter by itself.

It walks the URL map of the security suite (``urlmap.endpoints``) as each role, reads
every form the pages offer (``<form>`` fields, selects and text areas, GET filters
included) and submits them with boundary values: empty, blank, 100 KB, control
characters, emoji, year 1 and 9999, huge and negative numbers, ``²``, NaN, time zones from
-12 to +14 and impossible offsets, markup. A new page or a new field is fuzzed without
anyone listing it. Hypothesis draws the combinations from a fixed seed
(``derandomize``), so a CI run is repeatable and bounded.

It asserts that nothing answers 5xx, that no control character is stored, and that a
rejected write (4xx, or the form shown again with its errors) changed nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.core.models import AuditEvent
from tests.security.urlmap import World, build_world, endpoints, fill

pytestmark = pytest.mark.django_db

BOUNDARY_VALUES = [
    "",
    "   ",
    "x" * 100_000,
    "a\x00b\x01c\x0bd\x1be\x7f",
    "😀👵🏻🏠",
    "0001-01-01",
    "9999-12-31",
    "1800-01-01",
    "-1",
    "0",
    "²",  # str.isdigit() says yes, int() says no
    "-99999999999999999999",
    "99999999999999999999",
    "NaN",
    "inf",
    "1e309",
    "2026-11-30T08:00:00-12:00",
    "2026-11-30T08:00:00+14:00",
    "2026-11-30T08:00:00+99:00",
    "2026-13-45",
    "[]",
    '{"a": 1}',
    "<script>alert(1)</script>",
]
# In a query string a long value need not be 100 KB: servers cap URLs far below that.
QUERY_VALUES = ["x" * 3000 if len(v) > 3000 else v for v in BOUNDARY_VALUES]
# The values that break the parsing of a query parameter most often, tried everywhere.
PARSING_VALUES = [
    "",
    "a\x00b\x01",
    "²",
    "0001-01-01",
    "9999-12-31",
    "-99999999999999999999",
    "99999999999999999999",
    "NaN",
    "2026-11-30T08:00:00+99:00",
]
# Parameters that list pages commonly read; tried on every page besides its own forms.
COMMON_QUERY = [
    "page",
    "cursor",
    "after",
    "q",
    "status",
    "show",
    "week",
    "date_from",
    "date_to",
    "grid",
    "tag",
]
# Examples per role, sampled with a fixed seed: enough to reach every form several times
# within CI's budget (the whole module runs in about a minute and a half).
EXAMPLES = 50
QUERY_EXAMPLES = 25
ROLES = ["admin", "staff", "worker1", "volunteer_user", "resident_user", "leader"]
# Pages whose success would end the walk (the session, the world) rather than test input.
SKIPPED = {"accounts:logout", "admin:logout", "people:anonymise", "set_language"}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ERROR_MARKERS = ('class="errorlist', 'class="field-error', 'role="alert"')


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> example values


class FormParser(HTMLParser):
    """The forms of a page: their action, method and fields with a valid-looking value."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page_url
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name", "")
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag == "input" and a.get("type", "text") not in ("file", "submit", "button", "image"):
            self._form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._form.fields.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
            self._form.fields.setdefault(name, [])
        elif tag == "option" and self._select is not None:
            self._form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.netloc and parts.path.startswith("/")


def collect_forms(client: Client, world: World) -> list[Form]:
    """Every form on every page the user can open, plus the common query parameters."""
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}
    for endpoint in endpoints():
        if endpoint.kind != "page" or endpoint.name in SKIPPED:
            continue
        url = fill(endpoint, world)
        response = client.get(url)
        assert response.status_code < 500, url
        filters = Form(action=url, method="get", fields={p: [""] for p in COMMON_QUERY})
        forms[(url, "get", tuple(COMMON_QUERY))] = filters
        if "html" not in response.get("Content-Type", "") or response.streaming:
            continue
        parser = FormParser(url)
        parser.feed(response.content.decode("utf-8", errors="replace"))
        for form in parser.forms:
            if not _local(form.action) or not form.fields:
                continue
            if any(form.action.startswith(s) for s in ("/accounts/logout", "/i18n/")):
                continue
            if "/anonymise/" in form.action:
                continue
            forms[(form.action, form.method, tuple(sorted(form.fields)))] = form
    return list(forms.values())


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("linli.") and m is not AuditEvent
    }


def stored_control_characters() -> list[str]:
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("linli.") or model is AuditEvent:
            continue
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if not text_fields:
            continue
        for row in model._default_manager.values_list("pk", *text_fields):
            for name, value in zip(text_fields, row[1:], strict=True):
                if isinstance(value, str) and CONTROL.search(value):
                    found.append(f"{model._meta.label}#{row[0]}.{name}: {value[:40]!r}")
    return found


def rejected(status: int, body: str) -> bool:
    return 400 <= status < 500 or (status == 200 and any(m in body for m in ERROR_MARKERS))


@pytest.fixture
def world() -> World:
    return build_world()


def _body(response: Any) -> str:
    return "" if response.streaming else response.content.decode("utf-8", "replace")


def test_every_page_reads_boundary_query_values_without_breaking(
    world: World, client: Client
) -> None:
    """Every page the admin can open (all of them), every parameter its filters offer and
    the common ones, each value that breaks parsing most often: exhaustive."""
    client.raise_request_exception = False
    client.force_login(world.cast.admin)
    pages = [f for f in collect_forms(client, world) if f.method == "get"]
    assert len(pages) > 50, "the walk found too few pages"
    problems = []
    for page in pages:
        for value in PARSING_VALUES:
            response = client.get(page.action, dict.fromkeys(page.fields, value))
            if response.status_code >= 500:
                problems.append(f"GET {page.action} all={value[:30]!r}")
    assert problems == [], "\n".join(problems[:30])


@pytest.mark.parametrize("who", [r for r in ROLES if r != "admin"])
def test_boundary_query_values_as_each_role(world: World, client: Client, who: str) -> None:
    """The same as each other role (their pages differ by scope), sampled."""
    client.raise_request_exception = False
    client.force_login(getattr(world.cast, who))
    pages = [f for f in collect_forms(client, world) if f.method == "get"]
    problems: list[str] = []

    @settings(
        max_examples=QUERY_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(page=st.sampled_from(pages), data=st.data())
    def visit(page: Form, data: st.DataObject) -> None:
        query = {name: data.draw(st.sampled_from(QUERY_VALUES), label=name) for name in page.fields}
        response = client.get(page.action, query)
        if response.status_code >= 500:
            problems.append(f"GET {page.action} {query} as {who}")

    visit()
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("who", ROLES)
def test_boundary_values_in_every_form_never_break_a_page(
    world: World, client: Client, who: str
) -> None:
    client.raise_request_exception = False
    client.force_login(getattr(world.cast, who))
    forms = [f for f in collect_forms(client, world) if f.method == "post"]
    assert forms, "the walk found no form to post"
    # Every (form, field) pair is equally likely to be the one at a boundary.
    targets = [(form, name) for form in forms for name in sorted(form.fields)]
    problems: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def submit(data: st.DataObject) -> None:
        form, target = data.draw(st.sampled_from(targets), label="field")
        # Mostly one field at a boundary and the rest as the page offers them, so a fault
        # is not hidden behind another field's error; sometimes a second one too.
        names = sorted(form.fields)
        odd = {target} | data.draw(st.sets(st.sampled_from(names), max_size=1), label="more")
        values = {
            name: data.draw(st.sampled_from(BOUNDARY_VALUES), label=name)
            if name in odd
            else (form.fields[name][1:2] or form.fields[name][:1] or [""])[0]
            for name in names
        }
        before = row_counts()
        response = client.post(form.action, values)
        where = f"POST {form.action} {sorted(odd)} as {who}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        elif rejected(response.status_code, _body(response)):
            after = row_counts()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                problems.append(f"{where}: rejected ({response.status_code}) yet {changed}")
        client.force_login(getattr(world.cast, who))  # a form may have ended the session

    submit()
    assert problems == [], "\n".join(problems[:20])
    assert stored_control_characters() == []
