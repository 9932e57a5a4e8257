"""The coverage table of the integrators' guide (``docs/api.md``, "页面操作与接口对照")
stays honest: every page URL that accepts a POST has a row (by its URL name, last column),
so a new page action cannot be added without saying what its API operation is — or why
there is none; every URL name in the table exists; every operation it names exists.

Which page views accept a POST is read from the views themselves, walking the URL resolver
as the access tests do (``tests/security/urlmap.endpoints``): a class-based view with a
``post`` method, a view wrapped by ``require_POST`` / ``require_http_methods`` naming POST,
or a view (without such a wrapper) whose code reads ``request.POST``, compares
``request.method`` with "POST" or submits a form through ``core.outcomes.submit_form``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from linli.api import api
from tests.security.urlmap import endpoints

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
READS_A_POST = re.compile(r"request\.POST|\.method\s*[=!]=\s*\"POST\"|submit_form\(")


def _allowed_methods(function: Callable[..., Any]) -> set[str] | None:
    """The methods ``require_http_methods`` (or ``require_POST``/``require_GET``) allows,
    read from the wrapper's closure; None when the view is not wrapped by one."""
    current: Any = function
    while current is not None:
        for cell in getattr(current, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if (
                isinstance(value, (list, tuple, set, frozenset))
                and value
                and all(isinstance(item, str) for item in value)
                and set(value) <= HTTP_METHODS
            ):
                return set(value)
        current = getattr(current, "__wrapped__", None)
    return None


def _innermost(function: Callable[..., Any]) -> Callable[..., Any]:
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    return function


def accepts_post(callback: Callable[..., Any]) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    allowed = _allowed_methods(callback)
    if allowed is not None:
        return "POST" in allowed
    return bool(READS_A_POST.search(inspect.getsource(_innermost(callback))))


def post_pages() -> dict[str, str]:
    """URL name → route of every page (not the API, not the admin) that accepts a POST."""
    return {
        e.name: e.route
        for e in endpoints()
        if e.kind == "page" and accepts_post(e.pattern.callback)
    }


def table_rows() -> list[list[str]]:
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide.split("## 页面操作与接口对照", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| 页面操作(地址)"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            assert len(cells) == 3, f"a row of the coverage table needs three cells: {line}"
            rows.append(cells)
    return rows


def _names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_detection_sees_the_kinds_of_post_views() -> None:
    pages = post_pages()
    assert "requests:reclassify" in pages  # require_POST
    assert "people:resident_create" in pages  # require_http_methods(["GET", "POST"])
    assert "accounts:login" in pages  # a class-based view
    assert "notifications:preferences" in pages  # reads request.POST itself
    assert "requests:detail" not in pages  # a page that only shows
    assert "surveys:codes" not in pages


def test_every_page_that_accepts_a_post_has_a_row() -> None:
    listed = {name for row in table_rows() for name in _names(row[2])}
    missing = sorted(
        f"{name} ({route})" for name, route in post_pages().items() if name not in listed
    )
    assert not missing, (
        "docs/api.md, 页面操作与接口对照, has no row for these page actions; add one with the "
        f"API operation that does the same (or why there is none): {missing}"
    )


def test_every_url_name_in_the_table_exists() -> None:
    known = {e.name for e in endpoints()}
    unknown = sorted(name for row in table_rows() for name in _names(row[2]) if name not in known)
    assert not unknown


def test_every_row_names_an_operation_that_exists_or_says_why_not() -> None:
    paths = api.get_openapi_schema()["paths"]
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, methods in paths.items()
        for method in methods
    }
    problems = []
    for page, answer, _names_cell in table_rows():
        named = [n for n in _names(answer) if re.match(r"(GET|POST) /", n) and "…" not in n]
        for operation in named:
            if operation not in operations:
                problems.append(f"{page}: {operation} is not an operation of /api/v1")
        explained = re.search(r"(—|不提供|不适用)[((:].*\S", answer)
        if not named and not explained:
            problems.append(f"{page}: names no operation and gives no reason")
        if "—(尚未提供)" in answer:
            problems.append(f"{page}: “尚未提供” alone is not a reason")
    assert not problems
