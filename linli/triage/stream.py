"""``linli triage`` without Django: JSON lines in, one JSON line out per input, in order.

Kept free of Django so a batch starts in a fraction of a second (the command line is
expected to handle 500+ messages a second, whole process included). Each input line is
``{"text": "...", "compound": "凯奇花园"}`` (``compound`` — or a list ``compounds`` — is
optional context: the sender's compound, whose name is then recognised in the text). The
deployment's trained models in ``<LINLI_DATA_DIR>/triage/`` are used when present, as by
the web application.
"""

from __future__ import annotations

import json
import os
import select
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from linli.triage.model import (
    CategoryModel,
    UrgencyModel,
    default_model,
    default_urgency_model,
)
from linli.triage.reader import read_message


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...
    def flush(self) -> object: ...


def data_dir() -> Path:
    """The data directory exactly as ``linli.settings`` reads it."""
    return Path(os.environ.get("LINLI_DATA_DIR", "var").strip()).resolve()


def load_models(directory: Path | None = None) -> tuple[CategoryModel, UrgencyModel]:
    base = (directory or data_dir()) / "triage"
    category_path, urgency_path = base / "model.json", base / "urgency.json"
    if category_path.is_file() and urgency_path.is_file():
        return CategoryModel.load(category_path), UrgencyModel.load(urgency_path)
    return default_model(), default_urgency_model()


def _context_compounds(data: dict[str, object]) -> list[str]:
    names: list[str] = []
    single = data.get("compound")
    if isinstance(single, str) and single.strip():
        names.append(single.strip())
    several = data.get("compounds")
    if isinstance(several, list):
        names.extend(str(n).strip() for n in several if isinstance(n, str) and n.strip())
    return names


BATCH = 512
"""Answers written to the output at once (one system call instead of one per line: with
``PYTHONUNBUFFERED`` every write would reach the pipe on its own)."""


def _input_waiting(lines: Iterable[str]) -> bool:
    """True when more input is already there (so answers may wait in the batch); False
    when the sender is waiting for our answers (or we cannot tell: answer now)."""
    fileno = getattr(lines, "fileno", None)
    if fileno is None:
        return True  # a list or StringIO: everything is already there
    try:
        ready, _, _ = select.select([fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return bool(ready)


def run(lines: Iterable[str], out: Writer, *, directory: Path | None = None) -> int:
    """Read every line, write one answer per non-blank line; returns how many were read.

    Answers are written in batches, and whenever the sender has sent nothing more (a
    program that writes one line and waits for its answer gets it at once)."""
    model, urgency = load_models(directory)
    count = 0
    pending: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or not isinstance(data.get("text"), str):
                raise ValueError
        except ValueError:
            error = {"error": f"第{number}行应为含 text 字段的 JSON 对象"}
            pending.append(json.dumps(error, ensure_ascii=False) + "\n")
        else:
            reading = read_message(
                data["text"],
                compounds=_context_compounds(data),
                model=model,
                urgency_model=urgency,
            )
            pending.append(json.dumps(reading.as_dict(), ensure_ascii=False) + "\n")
        if len(pending) >= BATCH or not _input_waiting(lines):
            out.write("".join(pending))
            out.flush()
            pending.clear()
    if pending:
        out.write("".join(pending))
    out.flush()
    return count


def main() -> None:
    run(sys.stdin, sys.stdout)
