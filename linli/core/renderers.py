"""The form renderer: Django's, with a select's options written in Python.

Django renders every ``<option>`` of a select through two templates of its own
(``select_option.html`` and ``attrs.html``): about 0.07 ms an option, so a filter of 80
buildings spent 6 ms of a residents page, and the admin's selects of a large register
more. :class:`QuickSelectRenderer` writes the same markup for Django's own select
template in Python (the option values, labels and attributes escaped as the templates
escape them); every other template, and a select whose options name another template,
is rendered by Django as before. ``tests/core/test_renderers.py`` compares the two on the
same widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
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


def _select(widget: Mapping[str, Any]) -> SafeString | None:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION_TEMPLATE:
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
        if template_name == SELECT_TEMPLATE:
            quick = _select(context["widget"])
            if quick is not None:
                return quick
        rendered: str = super().render(template_name, context, request)
        return rendered
