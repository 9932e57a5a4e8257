"""One view serves both the full page and the htmx fragment of it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page_or_fragment(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    fragment_template: str,
    status: int = 200,
) -> HttpResponse:
    """Render ``fragment_template`` for an htmx request that targets part of the page.

    Boosted navigation (``hx-boost``) wants the whole page, so only non-boosted htmx
    requests get the fragment.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return render(request, fragment_template, context, status=status)
    return render(request, template_name, context, status=status)
