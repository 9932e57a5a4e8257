from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import IntegerField, Model, QuerySet
from django.utils.translation import gettext_lazy as _

from linli.core.numbers import MAX_ID, whole_number


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Attach a service's ValidationError to the form fields it names (or to the form).

    ``fields`` maps the service's field names to the form's where they differ; under
    ``NON_FIELD_ERRORS`` it names the field a refusal that names no field belongs to
    (a password the validators refuse goes beside the confirmation box)."""
    named = (
        error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    )
    for field, errors in named.items():
        shown = (fields or {}).get(field, field)
        target = shown if shown in form.fields else None
        for e in errors:
            form.add_error(target, e)


class RecordChoicesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Django's ModelMultipleChoiceField, refusing a value that is not a record number
    before it reaches the database.

    Django checks that each value has the key's type, not that it fits: a 20-digit number
    passed, and the ``pk__in`` query overflowed (SQLite's OverflowError, PostgreSQL's
    out-of-range error) — a 500 where the field should say the choice is not valid. Every
    form choosing several records uses this field (``tests/core/test_numbers.py``)."""

    # A comma list in one box (the admin's record numbers) is one field to Django's
    # field limit: 260,000 numbers were more SQL variables than SQLite takes (a 500).
    MAX_CHOICES = 1000

    def clean(self, value: object) -> QuerySet:  # type: ignore[type-arg]
        if isinstance(value, list | tuple) and len(value) > self.MAX_CHOICES:
            raise ValidationError(
                _("一次最多选择 %(n)d 项。"), code="too_many", params={"n": self.MAX_CHOICES}
            )
        if (self.to_field_name or "pk") == "pk" and isinstance(value, list | tuple):
            for pk in value:
                if whole_number(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


def is_record_number(raw: object) -> bool:
    """Whether ``raw`` (a value from outside, or a number) is a record number."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return 0 <= raw <= MAX_ID
    return whole_number(raw if isinstance(raw, str) else str(raw)) is not None


class RecordChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Django's ModelChoiceField refusing a value that is not a record number, when the
    key is a number, as "not a valid choice" before it reaches the database (the admin's
    foreign keys: ``linli.core.admin_base``)."""

    def to_python(self, value: Any) -> Any:
        if (
            value not in self.empty_values
            and isinstance(value, str | int)
            and self.queryset is not None
            and _integer_key(self.queryset.model, self.to_field_name)
            and not is_record_number(value)
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


def _integer_key(model: type[Model], to_field: str | None) -> bool:
    key = model._meta.pk if not to_field or to_field == "pk" else model._meta.get_field(to_field)
    return isinstance(key, IntegerField)


__all__ = [
    "NON_FIELD_ERRORS",
    "RecordChoiceField",
    "RecordChoicesField",
    "add_service_errors",
    "is_record_number",
]
