"""The integrators' guide (``docs/api.md``, in Chinese) lists every operation of
``/api/v1``: a new endpoint without a line there fails here."""

from __future__ import annotations

from pathlib import Path

from linli.api import api

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_the_guide_lists_every_operation() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    paths = api.get_openapi_schema()["paths"]
    missing = [
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in paths.items()
        for method in operations
        if f"`{method.upper()} {path.removeprefix('/api/v1')}`" not in guide
    ]
    assert not missing, f"docs/api.md does not list: {missing}"
