from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linli.core import crypto


@pytest.fixture
def isolated_keys(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A private data directory holding a copy of the development keys, so a test may
    rotate or remove them without touching the keys the rest of the suite uses."""
    crypto.key_ring()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(Path(settings.DATA_DIR) / "keys.json", data_dir / "keys.json")
    settings.DATA_DIR = data_dir
    settings.LINLI_FIELD_KEYS = []
    crypto.key_ring.cache_clear()
    yield data_dir
    crypto.key_ring.cache_clear()
