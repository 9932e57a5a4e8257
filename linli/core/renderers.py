"""The form renderer: Django's, with a select's options written in Python.

Django renders every ``<option>`` of a select through two templates of its own
(``select_option.html`` and ``attrs.html``): about 0.07 ms an option, so a filter of 80
buildings spent 6 ms of a residents page, and the admin's selects of a large register
more. :class:`QuickSelectRenderer` writes the same markup for Django's own select
template in Python when every label is text (escaped as the templates escape text;
values and attributes are written through ``str()`` as the templates' ``stringformat``
does); every other template, a select with a label of another kind (a date or number,
which the template localises) or with options of another template, is rendered by
Django as before. ``tests/core/test_renderers.py`` compares the two on the
same widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: Mapping[str, Any]) -> str:
    """As ``attrs.html``: ``False`` leaves the attribute out, ``True`` writes its name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _text(value: object) -> bool:
    """A label written as the template writes it: text (or lazy text). A date, a number
    or an object with its own ``__html__`` is left to the template, which localises the
    first two and escapes the third by its ``str()``."""
    return type(value) in (str, SafeString) or isinstance(value, Promise)


def _select(widget: Mapping[str, Any]) -> SafeString | None:
    """The select's markup, or None for anything but text labels from Django's option
    template (and a context of another shape): the template writes those."""
    try:
        return _written(widget)
    except (KeyError, TypeError, ValueError):
        return None


def _written(widget: Mapping[str, Any]) -> SafeString | None:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name and not _text(group_name):
            return None
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION_TEMPLATE or not _text(option["label"]):
                return None
            out.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # every value above is escaped


class QuickSelectRenderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT_TEMPLATE and "widget" in context:
            quick = _select(context["widget"])
            if quick is not None:
                return quick
        rendered: str = super().render(template_name, context, request)
        return rendered
