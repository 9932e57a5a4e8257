"""``linli demo`` serves on 127.0.0.1 by default and stops its Huey consumer with itself.

The world-building part of ``linli demo`` takes more than a minute, so these tests run
the serving part (``linli.demo.serve.serve``) in a fresh interpreter, as the command does
after building the world.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linli.demo.serve import is_loopback, listen_message
from linli.settings import BASE_DIR


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "children").read_text().split()
        except FileNotFoundError:
            continue  # a thread that ended between the listing and the read: no children
        found.update(int(child) for child in text)
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has stopped running


def _wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_demo_stops_its_worker(tmp_path: Path, stop_signal: int) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DATABASE", "REDIS"))}
    env.update(LINLI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="linli.settings")
    # As typed in a terminal: a shell running this suite in the background (as CI does)
    # hands its children SIGINT ignored, and an ignored signal stays ignored across exec.
    code = (
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "import django; django.setup()\n"
        "from linli.demo.serve import serve\n"
        f"serve(address='127.0.0.1', port={port}, write=print)\n"
    )
    demo = subprocess.Popen(
        [sys.executable, "-u", "-c", code],
        env=env,
        cwd=BASE_DIR.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    workers: set[int] = set()
    try:
        _wait_for(lambda: _listening(port), 60, "the server")
        _wait_for(lambda: bool(_children(demo.pid)), 30, "the worker")
        workers = _children(demo.pid)

        demo.send_signal(stop_signal)
        demo.wait(timeout=30)

        _wait_for(lambda: not any(_alive(pid) for pid in workers), 15, "the worker to stop")
        assert not _listening(port)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        for pid in workers:  # never leave a worker behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    output, _ = demo.communicate()  # also closes the pipe
    assert f"只在本机监听 127.0.0.1:{port}" in output


def test_the_startup_message_says_who_can_reach_the_demo() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert not is_loopback("0.0.0.0")
    assert "其他电脑无法访问" in listen_message("127.0.0.1", 8000)
    assert "其他电脑也能打开" in listen_message("0.0.0.0", 8000)


def test_the_demo_binds_to_127_0_0_1_unless_told_otherwise() -> None:
    from linli.demo.management.commands.demo import Command

    parser = Command().create_parser("linli", "demo")
    assert parser.parse_args([]).bind == "127.0.0.1"
    assert parser.parse_args(["--bind", "0.0.0.0"]).bind == "0.0.0.0"
