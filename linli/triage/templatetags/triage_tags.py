"""Template filters of triage: ``{% load triage_tags %}``."""

from __future__ import annotations

from django import template

from linli.triage.filing import confidence_level

register = template.Library()


@register.filter
def confidence_word(value: object) -> str:
    """``0.89|confidence_word`` → 高 / 中 / 低 (empty for no value)."""
    try:
        number = float(str(value))
    except ValueError:
        return ""
    return confidence_level(number)
