"""The reader as a deployment uses it: its own trained models when it has them.

``linli triage train`` writes ``<LINLI_DATA_DIR>/triage/model.json`` and
``urgency.json``; while both exist they are used instead of the shipped ones (reloaded
when the files change). Compound names come from the area tree.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from linli.areas.models import Area, AreaKind
from linli.triage.model import (
    CategoryModel,
    TrainingExample,
    UrgencyExample,
    UrgencyModel,
    default_model,
    default_urgency_model,
    load_shipped_training,
    load_shipped_urgency_training,
)
from linli.triage.reader import Reading, read_message

_loaded: dict[tuple[str, int, int], tuple[CategoryModel, UrgencyModel]] = {}


def deployed_dir() -> Path:
    return Path(settings.DATA_DIR) / "triage"


def deployed_paths() -> tuple[Path, Path]:
    base = deployed_dir()
    return base / "model.json", base / "urgency.json"


def current_models() -> tuple[CategoryModel, UrgencyModel]:
    """The deployment's trained models if both files exist, else the shipped ones."""
    category_path, urgency_path = deployed_paths()
    try:
        key = (
            str(category_path),
            category_path.stat().st_mtime_ns,
            urgency_path.stat().st_mtime_ns,
        )
    except FileNotFoundError:
        return default_model(), default_urgency_model()
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = (CategoryModel.load(category_path), UrgencyModel.load(urgency_path))
    return _loaded[key]


def uses_deployed_models() -> bool:
    return all(path.exists() for path in deployed_paths())


def compound_names(under: Area | None = None) -> list[str]:
    """Names of the compounds in the area tree (below ``under`` when given)."""
    found = Area.objects.filter(kind=AreaKind.COMPOUND)
    if under is not None:
        found = found.filter(path__startswith=under.path)
    return sorted(set(found.values_list("name", flat=True)))


def read(text: str, *, compounds: Sequence[str] = ()) -> Reading:
    model, urgency = current_models()
    return read_message(text, compounds=compounds, model=model, urgency_model=urgency)


@dataclass(frozen=True)
class TrainResult:
    shipped: int
    corrections: int
    category_path: Path
    urgency_path: Path


def _write_atomically(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(content)
    os.replace(temporary, path)


def train(corrections: Iterable[dict[str, object]]) -> TrainResult:
    """Rebuild both models from the shipped corpus plus ``corrections`` (corpus rows) and
    write them into the data directory, where the reader picks them up."""
    extra = list(corrections)
    categories = load_shipped_training() + [
        TrainingExample(text=str(row["text"]), category=str(row["category"])) for row in extra
    ]
    urgencies = load_shipped_urgency_training() + [
        UrgencyExample(text=str(row["text"]), urgent=bool(row["urgent"])) for row in extra
    ]
    category_model = CategoryModel.train(categories)
    urgency_model = UrgencyModel.train(urgencies)
    category_path, urgency_path = deployed_paths()
    # The urgency file first: the pair is only used once both exist.
    _write_atomically(urgency_path, urgency_model.to_json())
    _write_atomically(category_path, category_model.to_json())
    return TrainResult(
        shipped=len(categories) - len(extra),
        corrections=len(extra),
        category_path=category_path,
        urgency_path=urgency_path,
    )


def as_json_line(reading: Reading) -> str:
    return json.dumps(reading.as_dict(), ensure_ascii=False)
