"""Every model about a person is registered with the one privacy mechanism.

The walk covers every model of every Linli app, so a new app's model with a relation to
a resident, a volunteer or a user fails here until it registers (visibility, export,
anonymisation) or declares why its relation is not data about that person.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Model
from django.test.utils import isolate_apps

from linli.accounts.models import User
from linli.people.models import Resident
from linli.privacy.gate import processable
from linli.privacy.registry import (
    not_personal_models,
    registered_models,
    registered_sources,
    subject_lookup,
)
from linli.volunteers.models import Volunteer

PERSON_MODELS = (Resident, Volunteer, User)


def _linli_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("linli.")]


def _person_relations(model: type[Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and field.related_model in PERSON_MODELS
        and field.model is model
    ]


def test_every_model_with_a_relation_to_a_person_is_registered() -> None:
    known = set(registered_models()) | set(not_personal_models())
    missing = [
        f"{model._meta.label} ({', '.join(_person_relations(model))})"
        for model in _linli_models()
        if _person_relations(model) and model not in known
    ]
    assert missing == [], (
        "these models hold a relation to a person but are not registered with "
        "linli.privacy.registry (register_personal_data, or declare_not_personal with a "
        f"reason): {missing}"
    )


def test_a_model_about_a_resident_is_registered_as_one() -> None:
    """A relation to a resident or a volunteer always is data about them: it cannot be
    waved through as "not personal"."""
    resident_models = registered_models()
    waved = [
        model._meta.label
        for model in not_personal_models()
        if any(
            f.related_model in (Resident, Volunteer)
            for f in model._meta.get_fields()
            if f.is_relation and f.concrete
        )
    ]
    assert waved == []
    assert all(
        m in resident_models
        for m in _linli_models()
        if any(
            f.related_model in (Resident, Volunteer)
            for f in m._meta.get_fields()
            if f.is_relation and f.concrete and f.model is m
        )
    )


@pytest.mark.django_db
def test_every_registered_lookup_reaches_a_resident() -> None:
    for model, lookup in registered_models().items():
        if not lookup.startswith("resident:"):
            continue
        # Compiling the gate's filter proves the lookup names a path to a resident.
        assert subject_lookup(model) == lookup.removeprefix("resident:")
        str(processable(model._default_manager.all()).query)


def test_the_care_volunteer_roster_request_and_register_apps_register() -> None:
    apps_registered = {source.app for source in registered_sources()}
    assert {"people", "requests", "care", "volunteers", "rosters"} <= apps_registered
    exporting = {s.app for s in registered_sources() if s.export is not None}
    assert {"people", "requests", "care", "volunteers", "rosters"} <= exporting


@isolate_apps("linli.privacy")
def test_the_walk_sees_an_unregistered_model() -> None:
    """The coverage test would catch a new model: one made up here is not known."""

    class Diary(models.Model):
        resident = models.ForeignKey(Resident, on_delete=models.CASCADE)

        class Meta:
            app_label = "privacy"

        def __str__(self) -> str:
            return "diary"

    assert _person_relations(Diary) == ["resident"]
    assert Diary not in registered_models()
    assert Diary not in not_personal_models()
    with pytest.raises(LookupError):
        subject_lookup(Diary)
