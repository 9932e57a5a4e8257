"""A page runs a service and tells the user how it went: the one shape of every write a view
makes. A service refuses with a ``ValidationError`` (its messages are Chinese, for the user);
anything else it returns is the thing made or changed.

- :func:`run_service` is for a button (a POST with no form to re-render): the refusal becomes
  an error message, success a success message, and the view redirects either way.
- :func:`submit_form` is for a form page: a refusal goes onto the form's fields (the page
  re-renders with the user's input), success is flashed and answered with ``then(result)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from linli.core.forms import add_service_errors

T = TypeVar("T")


def _said(success: str | Callable[[T], str], result: T) -> str:
    return success(result) if callable(success) else success


def run_service(
    request: HttpRequest, action: Callable[[], T], *, success: str | Callable[[T], str]
) -> bool:
    """Run ``action``; tell the user its refusal or ``success`` (text, or made from the
    result). Whether it succeeded."""
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, _said(success, result))
    return True


def submit_form(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    then: Callable[[T], HttpResponse],
) -> HttpResponse | None:
    """For a POST whose form is valid, run ``action`` (it reads ``form.cleaned_data``): a
    refusal goes onto the form and the answer is None (render the form again); success is
    flashed and answered with ``then(result)``. None for a GET or an invalid form too."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action()
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, _said(success, result))
    return then(result)
