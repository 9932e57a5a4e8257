from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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


__all__ = ["NON_FIELD_ERRORS", "add_service_errors"]
