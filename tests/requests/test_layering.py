"""requests sits below triage: it asks for texts to be read through ``requests.reading``
and never imports ``linli.triage`` — not at module level, not inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import linli.requests
from linli.requests import reading
from linli.triage.reading import TriageReader

REQUESTS_DIR = Path(linli.requests.__file__).parent


def triage_imports(source: str) -> list[int]:
    """Line numbers of every import of ``linli.triage`` anywhere in ``source``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        if any(name == "linli.triage" or name.startswith("linli.triage.") for name in names):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_imports_hidden_in_function_bodies() -> None:
    source = (
        "import os\n"
        "def f():\n"
        "    from linli.triage.filing import triage_text\n"
        "def g():\n"
        "    from linli import triage\n"
        "    import linli.triage.models\n"
    )
    assert triage_imports(source) == [3, 5, 6]


def test_no_module_of_requests_imports_triage() -> None:
    found = {
        f"{path.relative_to(REQUESTS_DIR.parent.parent)}:{line}"
        for path in sorted(REQUESTS_DIR.rglob("*.py"))
        for line in triage_imports(path.read_text(encoding="utf-8"))
    }
    assert found == set()


def test_triage_registers_its_reader_when_django_starts() -> None:
    assert isinstance(reading._reader, TriageReader)
