"""A WSGI application that takes a while to import, standing in for Django's import under
gunicorn in ``test_preload.py``: it sleeps, then writes the marker file it was given."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

time.sleep(float(os.environ["SLOW_APP_SECONDS"]))
Path(os.environ["SLOW_APP_MARKER"]).write_text(str(os.getpid()))


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"loaded\n"]
