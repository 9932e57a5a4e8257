"""Record numbers from outside in the Django admin: a form error or "no such record", never
a 500.

Every registered admin (Linli's and the third-party ones: auth, axes, django-otp) is walked
as the superuser: its add and change pages are posted with hostile values in every foreign
key and many-to-many field the page offers (inlines included), its add page is opened with
them as initial values, its change, history and delete pages are opened with them as the
record number, its list with them as the search, as every filter the list offers and as
the records an action is applied to, and every autocomplete with them as the term and the
page. A 20-digit number overflowed the database (SQLite's OverflowError, PostgreSQL's
out-of-range error) and ``²`` passes ``str.isdigit``: both were 500s on the organisation,
vanguard post and patrol pages (``linli.core.admin_base`` guards them all).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, quote

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import BaseModelAdmin, ModelAdmin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import reverse
from treebeard.admin import TreeChangeList

from linli.areas.models import Area
from linli.core.admin_base import LinliModelAdmin, RecordNumbersAdmin
from tests.security.test_form_fuzz import FormParser, row_counts
from tests.security.urlmap import World, build_world

pytestmark = pytest.mark.django_db

HOSTILE = ["abc", "²", "99999999999999999999", "-1"]
# An inline form's field: "<prefix>-<index>-<name>" (not the empty template's __prefix__).
INLINE_FIELD = re.compile(r"^.+-\d+-(?P<name>\w+)$")
QUERY_LINK = re.compile(r'href="\?([^"]*)"')


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def superuser(world: World, client: Client) -> Client:
    client.raise_request_exception = False
    client.force_login(world.cast.admin)
    return client


def _registered() -> list[tuple[type[models.Model], BaseModelAdmin[Any]]]:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _relations(model: type[models.Model]) -> set[str]:
    return {
        f.name
        for f in model._meta.get_fields()
        if f.concrete and f.is_relation and (f.many_to_one or f.one_to_one or f.many_to_many)
    }


def _targets(model_admin: BaseModelAdmin[Any], fields: dict[str, list[str]]) -> list[str]:
    """The names of the record-number fields of a posted admin form: the model's foreign
    keys and many-to-many fields, and its inlines' (with their row's own number)."""
    model = model_admin.model
    own = _relations(model)
    inline: set[str] = set()
    for inline_class in getattr(model_admin, "inlines", []):
        inline |= _relations(inline_class.model) | {inline_class.model._meta.pk.name}
    return [
        name
        for name in sorted(fields)
        if name in own or ((m := INLINE_FIELD.match(name)) and m["name"] in inline)
    ]


def _url(model: type[models.Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _body(response: Any) -> str:
    return "" if response.streaming else response.content.decode("utf-8", "replace")


def test_every_admin_and_inline_is_guarded() -> None:
    unguarded = [
        type(model_admin).__qualname__
        for _model, model_admin in _registered()
        if not isinstance(model_admin, LinliModelAdmin)
    ]
    unguarded += [
        inline.__qualname__
        for _model, model_admin in _registered()
        for inline in getattr(model_admin, "inlines", [])
        if not issubclass(inline, RecordNumbersAdmin)
    ]
    assert unguarded == []


def test_hostile_record_numbers_in_every_admin_form_are_field_errors(
    superuser: Client, world: World
) -> None:
    client = superuser
    problems: list[str] = []
    posted: set[str] = set()
    for model, model_admin in _registered():
        pages = [_url(model, "add")]
        existing = (
            world.cast.worker1  # an account with a role: its inline has rows
            if model is type(world.cast.worker1)
            else model._default_manager.order_by("pk").first()
        )
        if existing is not None:
            pages.append(_url(model, "change", existing.pk))
        for page in pages:
            response = client.get(page)
            if response.status_code != 200:
                assert response.status_code < 500, page
                continue  # the superuser may not add (or change) these: nothing to post
            parser = FormParser(page)
            parser.feed(_body(response))
            forms = [f for f in parser.forms if f.method == "post"]
            form = max(forms, key=lambda f: len(f.fields))
            targets = _targets(model_admin, form.fields)
            if not targets:
                continue  # no record number on this page (read-only, or none at all)
            for value in HOSTILE:
                data = {
                    name: value if name in targets else (form.fields[name][:1] or [""])[0]
                    for name in form.fields
                }
                before = row_counts()
                response = client.post(page, data)
                body = _body(response)
                where = f"POST {page} {targets}={value!r}"
                if response.status_code != 200 or "errorlist" not in body:
                    problems.append(f"{where}: {response.status_code}, no form error")
                elif row_counts() != before:
                    problems.append(f"{where}: refused yet something was saved")
                if page.endswith("/add/"):
                    own = [t for t in targets if "-" not in t]
                    response = client.get(page, dict.fromkeys(own, value))
                    if response.status_code >= 500:
                        problems.append(f"GET {page} {own}={value!r}: {response.status_code}")
            posted.add(page)
    assert problems == [], "\n".join(problems[:30])
    # Linli's admins with record numbers, the inlines' and the third-party ones' among them.
    for page in (
        "/admin/organisations/organisation/add/",
        "/admin/party/vanguardpost/add/",
        "/admin/fieldwork/patrol/add/",
        f"/admin/accounts/user/{world.cast.worker1.pk}/change/",  # its role inline
        "/admin/otp_totp/totpdevice/add/",
    ):
        assert page in posted, page
    assert len(posted) > 30


def test_hostile_record_numbers_in_admin_addresses_lists_and_lookups_are_not_500(
    superuser: Client, world: World
) -> None:
    client = superuser
    problems: list[str] = []
    lists = 0
    for model, model_admin in _registered():
        for value in HOSTILE:
            for view in ("change", "history", "delete"):
                url = _url(model, view, "0").replace("/0/", f"/{quote(value)}/")
                response = client.get(url, follow=True)
                if response.status_code >= 500:
                    problems.append(f"GET {url}: {response.status_code}")

            content_type = ContentType.objects.get_for_model(model).pk
            for url in (f"/admin/r/{content_type}/{quote(value)}/", f"/admin/r/{quote(value)}/1/"):
                if (status := client.get(url).status_code) >= 500:
                    problems.append(f"GET {url}: {status}")

        changelist = _url(model, "changelist")
        response = client.get(changelist)
        if response.status_code != 200:
            continue
        lists += 1
        if model is Area:  # the guard keeps the tree's own list
            assert isinstance(response.context["cl"], TreeChangeList)
        # Every filter the list offers (its links' parameters), and the search.
        names = {"q"}
        for query in QUERY_LINK.findall(_body(response)):
            names |= {k for k, _v in parse_qsl(query.replace("&amp;", "&"))}
        names -= {"o", "p", "e", "_facets", "all"}
        for value in HOSTILE:
            for name in sorted(names):
                response = client.get(changelist, {name: value}, follow=True)
                if response.status_code >= 500:
                    problems.append(f"GET {changelist}?{name}={value!r}: {response.status_code}")
            if isinstance(model_admin, ModelAdmin) and model_admin.get_actions(
                response.wsgi_request
            ):
                before = row_counts()
                response = client.post(
                    changelist,
                    {
                        "action": "delete_selected",
                        "index": "0",
                        helpers.ACTION_CHECKBOX_NAME: value,
                    },
                    follow=True,
                )
                if response.status_code >= 500:
                    problems.append(
                        f"POST {changelist} action on {value!r}: {response.status_code}"
                    )
                elif row_counts() != before:
                    problems.append(f"POST {changelist} action on {value!r} deleted something")

        for field in getattr(model_admin, "autocomplete_fields", ()):
            for value in HOSTILE:
                query = {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field,
                    "term": value,
                    "page": value,
                }
                response = client.get("/admin/autocomplete/", query)
                if response.status_code >= 500:
                    problems.append(f"autocomplete {query}: {response.status_code}")
    # treebeard's views of the area tree: the children of a node, a drag and drop.
    area = world.cast.town.pk
    for value in HOSTILE:
        url = f"/admin/areas/area/children/{quote(value)}/"
        if (status := client.get(url).status_code) >= 500:
            problems.append(f"GET {url}: {status}")
        for moved in ({"node": value, "target": area}, {"node": area, "target": value}):
            response = client.post("/admin/areas/area/move/", {**moved, "relation": "child"})
            if response.status_code != 400:
                problems.append(f"POST move {moved}: {response.status_code}")
    assert problems == [], "\n".join(problems[:30])
    assert lists > 30
