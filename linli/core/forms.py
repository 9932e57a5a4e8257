from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet

from linli.core.numbers import whole_number


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

    def clean(self, value: object) -> QuerySet:  # type: ignore[type-arg]
        if (self.to_field_name or "pk") == "pk" and isinstance(value, list | tuple):
            for pk in value:
                if whole_number(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


__all__ = ["NON_FIELD_ERRORS", "RecordChoicesField", "add_service_errors"]
