"""Every admin change page saves its own record unchanged, as a browser submits it.

The hostile-input walk (``test_admin_fuzz.py``) checks that bad values are refused; this
checks the other half: a good value is accepted. The area form had read treebeard's fields
by their old names and so refused every area as placed at the top — an admin that could
neither add nor edit an area, which no hostile-input test could see (a refusal is what
those expect).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse

from linli.areas.models import Area
from tests.security.urlmap import World, build_world

pytestmark = pytest.mark.django_db


class SubmittedForm(HTMLParser):
    """The fields of a page's largest POST form as a browser submits them untouched: text
    as it stands, checked boxes only, each select's selected options (a single select
    without one: its first)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: tuple[str, bool, list[str], list[str]] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._fields = [] if a.get("method", "get").lower() == "post" else None
            if self._fields is not None:
                self.forms.append(self._fields)
            return
        if self._fields is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = (name, "multiple" in a, [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[2].append(value)
            if "selected" in a:
                self._select[3].append(value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._fields is None:
            return
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self._fields.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple, options, selected = self._select
            chosen = selected if (selected or multiple) else options[:1]
            self._fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "form":
            self._fields = None


def _post_data(fields: list[tuple[str, str]]) -> dict[str, Any]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


@pytest.fixture
def world() -> World:
    return build_world()


def test_every_admin_change_page_saves_its_record_unchanged(world: World) -> None:
    client = Client()
    client.force_login(world.cast.admin)
    problems: list[str] = []
    saved = []
    for model, _model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        # An account with a role (its inline has rows), a building (an area with a
        # parent, where the area form went wrong), else the first record.
        chosen: dict[type[models.Model], models.Model] = {
            type(world.cast.worker1): world.cast.worker1,
            Area: world.cast.building1,
        }
        record: models.Model | None = chosen.get(model) or (
            model._default_manager.order_by("pk").first()
        )
        if record is None:
            continue
        if model is Area:  # the top and the bottom of the tree too
            for area in (world.cast.county, world.cast.unit1):
                url = reverse("admin:areas_area_change", args=[area.pk])
                parser = SubmittedForm()
                parser.feed(client.get(url).content.decode())
                response = client.post(url, _post_data(max(parser.forms, key=len)))
                if response.status_code != 302:
                    problems.append(f"areas.Area #{area.pk}: {response.status_code}")
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[record.pk]
        )
        response = client.get(url)
        if response.status_code != 200 or "adminform" not in (response.context or {}):
            continue
        if not response.context["has_change_permission"]:
            continue  # read-only in the admin: nothing to save
        parser = SubmittedForm()
        parser.feed(response.content.decode())
        form = max(parser.forms, key=len)
        response = client.post(url, _post_data(form))
        if response.status_code != 302:
            errors = response.context["errors"] if response.context else "?"
            problems.append(f"{model._meta.label} #{record.pk}: {response.status_code} {errors}")
        else:
            saved.append(model._meta.label)
    assert problems == [], "\n".join(problems)
    assert {
        "accounts.User",
        "areas.Area",
        "areas.Grid",
        "care.CarePlan",
        "fieldwork.Patrol",
        "organisations.Organisation",
        "party.PartyMember",
        "people.Resident",
        "surveys.Survey",
    } <= set(saved)
    assert len(saved) >= 20, saved
