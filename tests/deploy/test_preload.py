"""An app server takes connections only once it can serve them (issue 19).

``linli/gunicorn_conf.py`` preloads the application in gunicorn's master, which binds
the listening socket only after the import; without it the socket is open while the
workers are still importing, and nginx's connections wait for them. Preloading is safe
only if the import opens nothing a forked worker would share (a database or Redis
connection, a socket, a thread).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR).parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
IMPORT_SECONDS = 2.0  # the stand-in app's import


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _first_connection(port: int, process: subprocess.Popen[bytes], marker: Path) -> bool:
    """Poll the port until it accepts; whether the app had been loaded by then."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        loaded = marker.exists()  # read before connecting: a later write cannot count
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return loaded
        except OSError:
            time.sleep(0.02)
    raise AssertionError("gunicorn never accepted a connection")


def _serve(tmp_path: Path, *config: str) -> bool:
    port = _free_port()
    marker = tmp_path / f"loaded-{port}"
    env = {
        **os.environ,
        "SLOW_APP_SECONDS": str(IMPORT_SECONDS),
        "SLOW_APP_MARKER": str(marker),
        "HOME": str(tmp_path),  # where gunicorn would put a control socket
    }
    command = [str(GUNICORN), *config, "tests.deploy.slow_app:application",
               "--bind", f"127.0.0.1:{port}", "--workers", "1"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        loaded = _first_connection(port, process, marker)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert conn.recv(1024).startswith(b"HTTP/1.0 200"), "the app did not answer"
    finally:
        process.terminate()
        process.wait(timeout=30)
    return loaded


def test_with_the_config_the_port_opens_only_after_the_app_is_loaded(tmp_path: Path) -> None:
    assert _serve(tmp_path, "-c", "python:linli.gunicorn_conf")
    assert not (tmp_path / ".gunicorn").exists()  # no control socket either


def test_without_it_the_port_accepts_while_the_app_is_still_importing(tmp_path: Path) -> None:
    # The behaviour the config removes (and the proof that the check above can fail).
    assert not _serve(tmp_path)


IMPORT_PROBE = """
import json, os, sys, threading
import linli.wsgi
from django.db import connections
sockets = []
for fd in os.listdir("/proc/self/fd"):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        continue
    if target.startswith("socket:"):
        sockets.append(target)
print(json.dumps({
    "connections": [c.alias for c in connections.all() if c.connection is not None],
    "sockets": sockets,
    "threads": [t.name for t in threading.enumerate()],
    "urlconf": "linli.requests.views" in sys.modules,
}))
"""


def test_the_app_imports_without_opening_a_connection(tmp_path: Path) -> None:
    """What gunicorn's master loads: nothing a worker would inherit. The database and
    Redis are unreachable, so any connection made during the import would fail it."""
    unreachable = f"127.0.0.1:{_free_port()}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DATABASE_"))},
        "LINLI_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"postgres://postgres@{unreachable}/linli",
        "DATABASE_REPLICA_URL": f"postgres://postgres@{unreachable}/linli",
        "REDIS_URL": f"redis://{unreachable}/0",
        "DJANGO_SETTINGS_MODULE": "linli.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    opened = json.loads(result.stdout.strip().splitlines()[-1])
    assert opened == {
        "connections": [],
        "sockets": [],
        "threads": ["MainThread"],
        "urlconf": True,  # every view imported before the socket is bound
    }
