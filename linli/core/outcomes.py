"""A page runs a service and tells the user how it went: the one shape of every write a view
makes. A service refuses with a ``ValidationError`` (its messages are Chinese, for the user);
anything else it returns is the thing made or changed.

- :func:`run_service` is for a button (a POST with no form to re-render): the refusal becomes
  an error message, success a success message, and the view redirects either way.
- :func:`submit_form` is for a form page: a refusal goes onto the form's fields (the page
  re-renders with the user's input), success is flashed and answered with ``then(result)``.

Both take ``level`` for a success that is rather news (a waiting list: info; a reading over
its threshold: warning), as a message level or made from the result; and ``success=None``
where the page that follows says it all (nothing is flashed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from linli.core.forms import add_service_errors

T = TypeVar("T")
V = TypeVar("V")

Said = str | Callable[[T], str] | None
Level = int | Callable[[T], int]


def _made(value: V | Callable[[T], V], result: T) -> V:
    return value(result) if callable(value) else value


def _tell(request: HttpRequest, success: Said[T], level: Level[T], result: T) -> None:
    if success is not None:
        messages.add_message(request, _made(level, result), _made(success, result))


def run_service(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    success: Said[T],
    level: Level[T] = messages.SUCCESS,
) -> bool:
    """Run ``action``; tell the user its refusal or ``success`` (text, or made from the
    result) at ``level``. Whether it succeeded."""
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    _tell(request, success, level, result)
    return True


def submit_form(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[], T],
    *,
    success: Said[T],
    then: Callable[[T], HttpResponse],
    level: Level[T] = messages.SUCCESS,
    fields: Mapping[str, str] | None = None,
) -> HttpResponse | None:
    """For a POST whose form is valid, run ``action`` (it reads ``form.cleaned_data``): a
    refusal goes onto the form and the answer is None (render the form again); success is
    flashed at ``level`` and answered with ``then(result)``. None for a GET or an invalid
    form too. ``fields`` names the form's fields where they differ from the service's (see
    :func:`~linli.core.forms.add_service_errors`)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action()
    except ValidationError as error:
        add_service_errors(form, error, fields=fields)
        return None
    _tell(request, success, level, result)
    return then(result)
