"""The apps of the top tier (docs/architecture.md, Layers) read the apps below them and never
one another: party work, activities, summer programmes, field work, early warnings and
surveys can each be understood — and removed — alone. Where one must contribute to
another it registers with it (party's point sources, earlywarning's detectors) from its
own ``AppConfig.ready``, and that registration is the only import allowed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import linli

TOP_TIER = ("party", "activities", "programmes", "fieldwork", "earlywarning", "surveys")
# Registries a top-tier app offers the others: importing these modules is allowed.
REGISTRIES = {"linli.party.points", "linli.earlywarning.detectors", "linli.earlywarning.models"}
ROOT = Path(linli.__file__).parent


def imported_modules(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("app", TOP_TIER)
def test_a_top_tier_app_imports_no_other(app: str) -> None:
    others = [f"linli.{other}" for other in TOP_TIER if other != app]
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for name in imported_modules(path.read_text(encoding="utf-8")):
            if any(name == o or name.startswith(o + ".") for o in others) and not any(
                name == r or name.startswith(r + ".") for r in REGISTRIES
            ):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []


def test_the_scan_sees_imports_inside_functions() -> None:
    source = "def f():\n    from linli.surveys.models import Survey\n"
    assert "linli.surveys.models" in imported_modules(source)
